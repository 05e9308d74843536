/**
 * A streaming CSV reader (RFC 4180: quoted fields, doubled quotes, CR/LF or LF line ends, line breaks
 * inside quotes). Input must be UTF-8; a leading BOM is dropped. Excel on Chinese Windows saves CSV as
 * GBK by default, so a decoding failure gets its own clear message.
 */
import type { Readable } from 'node:stream';
import { FileProblem } from './file-problem.ts';

export class CsvEncodingError extends FileProblem {}

export interface CsvLimits {
  /** A longer field keeps its first maxFieldChars + 1 characters: enough to be refused as too long. */
  maxFieldChars: number;
  /** More fields in one record ends the read with a FileProblem. */
  maxFields: number;
  tooManyFields: (line: number) => FileProblem;
}

const UNLIMITED: CsvLimits = {
  maxFieldChars: Infinity,
  maxFields: Infinity,
  tooManyFields: () => new FileProblem(''),
};

export interface CsvRecord {
  /** 1-based number of the line the record starts on (what a spreadsheet user sees as the row). */
  line: number;
  fields: string[];
}

export async function* readCsv(input: Readable, limits: CsvLimits = UNLIMITED): AsyncGenerator<CsvRecord> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  let fields: string[] = [];
  let field = '';
  let inQuotes = false;
  let quoteSeen = false; // the previous character closed a quoted section
  let pendingCr = false;
  let line = 1;
  let recordLine = 1;
  let records: CsvRecord[] = [];

  const endField = () => {
    if (fields.length >= limits.maxFields) throw limits.tooManyFields(recordLine);
    fields.push(field);
    field = '';
    quoteSeen = false;
  };
  const endRecord = () => {
    endField();
    records.push({ line: recordLine, fields });
    fields = [];
  };

  const consume = (text: string) => {
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      if (pendingCr) {
        pendingCr = false;
        if (ch === '\n') continue;
      }
      if (inQuotes) {
        if (ch === '"') {
          inQuotes = false;
          quoteSeen = true;
        } else {
          if (ch === '\n') line++;
          if (field.length <= limits.maxFieldChars) field += ch;
        }
        continue;
      }
      switch (ch) {
        case '"':
          // "" inside a quoted field is one quote; a quote opening a field starts a quoted section.
          if (quoteSeen && field.length <= limits.maxFieldChars) field += '"';
          inQuotes = true;
          break;
        case ',':
          endField();
          break;
        case '\r':
        case '\n':
          endRecord();
          if (ch === '\r') pendingCr = true;
          line++;
          recordLine = line;
          break;
        default:
          if (field.length <= limits.maxFieldChars) field += ch;
      }
    }
  };

  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      consume(decoder.decode(chunk, { stream: true }));
      if (records.length > 0) {
        yield* records;
        records = [];
      }
    }
    consume(decoder.decode());
  } catch (error) {
    if (error instanceof TypeError) throw new CsvEncodingError('CSV 文件不是 UTF-8 编码');
    throw error;
  }
  if (field !== '' || fields.length > 0 || quoteSeen) endRecord();
  yield* records;
}
