import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { readCsv } from '../../registry/import/csv-reader.ts';
import { ANSWER_KINDS, SOURCES, sourceAnswers, type SourceCode } from './catalogue.ts';
import type { AnswerRow, CollectedAnswers, SendOutcome, SourceAdapter, SourceBatch } from './source.ts';

/**
 * 批量文件交换: the way most agencies still exchange data with a verification centre. Per source a folder
 * `<root>/<source>/` with
 *   outbox/   one request file per batch, `<batchRef>.csv` (written to a temporary name, then renamed, so the
 *             agency never reads half a file; the same batch sent again writes the same file),
 *   inbox/    the agency's answer files, `*.csv` or `*.json`,
 *   done/     answer files consumed (moved after the answers committed),
 *   rejected/ malformed answer files (refused whole, moved after the unit that reported them committed).
 * The layouts are in docs/verification-sources.md. Answers arrive another day: `send` leaves every request
 * waiting, and the gathering job's `collect` picks up what the inbox holds.
 */

export const REQUEST_COLUMNS = [
  'request_id',
  'request_no',
  'person_id',
  'id_number',
  'name',
  'purpose',
  'authorisation_ref',
  'as_of',
] as const;

export const ANSWER_COLUMNS = ['request_id', 'person_id', 'kind', 'value', 'reference'] as const;

/** The kind of a row saying the agency holds nothing on this person (the request is answered all the same). */
export const NOTHING_ON_RECORD = 'none';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A batch reference as a file name: letters, digits, dot, dash and underscore. */
export function batchFileName(batchRef: string): string {
  return `${batchRef.replace(/[^A-Za-z0-9._-]/g, '_')}.csv`;
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** The request file of a batch: UTF-8 with a BOM, CRLF, one row per person asked about. */
export function requestFile(batch: SourceBatch): string {
  const lines = [REQUEST_COLUMNS.join(',')];
  for (const q of batch.queries) {
    for (const p of q.persons) {
      const values = [
        q.requestId,
        q.requestNo,
        p.personId,
        p.idNumber,
        p.name,
        q.purpose,
        q.authorisationRefs.join(';'),
        q.asOf,
      ];
      lines.push(values.map(csvField).join(','));
    }
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

interface RawRow {
  line: number;
  values: Record<string, string>;
}

/** One answer value by its kind's type: fen and counts as whole numbers, flags true|false, text as given. */
function answerRow(
  source: SourceCode,
  raw: RawRow,
): { row?: AnswerRow | undefined; nothingFor?: string | undefined; problem?: string | undefined } {
  const v = raw.values;
  const requestId = (v.request_id ?? '').trim();
  const personId = (v.person_id ?? '').trim();
  const kind = (v.kind ?? '').trim();
  const value = (v.value ?? '').trim();
  const reference = (v.reference ?? '').trim();
  if (!UUID.test(requestId)) return { problem: `request_id「${requestId}」不是有效的委托编号（UUID）` };
  if (!UUID.test(personId)) return { problem: `person_id「${personId}」不是有效的人员编号（UUID）` };
  const base = { requestId: requestId.toLowerCase(), personId: personId.toLowerCase(), reference };
  if (kind === NOTHING_ON_RECORD) {
    if (value !== '') return { problem: `类别 none（无记录）不应有取值「${value}」` };
    return { nothingFor: base.requestId };
  }
  if (!sourceAnswers(source, kind)) {
    const declared = (SOURCES[source].kinds as readonly string[]).join('、');
    return { problem: `类别「${kind}」不是${SOURCES[source].name}答复的类别（应为 ${declared} 或 none）` };
  }
  const type = ANSWER_KINDS[kind].value;
  if (type === 'fen' || type === 'quantity') {
    if (!/^\d{1,15}$/.test(value)) {
      return {
        problem: `${ANSWER_KINDS[kind].label}的取值「${value}」应为不带小数的非负整数（${type === 'fen' ? '分' : '个数'}）`,
      };
    }
    const n = Number(value);
    if (type === 'quantity' && n > 2_147_483_647)
      return { problem: `${ANSWER_KINDS[kind].label}的取值「${value}」过大` };
    return { row: type === 'fen' ? { ...base, kind, amountFen: n } : { ...base, kind, quantity: n } };
  }
  if (type === 'flag') {
    if (value !== 'true' && value !== 'false')
      return { problem: `${ANSWER_KINDS[kind].label}的取值「${value}」应为 true 或 false` };
    return { row: { ...base, kind, flag: value === 'true' } };
  }
  if (value === '') return { problem: `${ANSWER_KINDS[kind].label}的取值不能为空` };
  return { row: { ...base, kind, textValue: value } };
}

async function csvRows(bytes: Buffer, name: string): Promise<RawRow[] | string> {
  const out: RawRow[] = [];
  let header: string[] | undefined;
  try {
    for await (const record of readCsv(Readable.from([bytes]))) {
      if (!header) {
        header = record.fields.map((f) => f.trim());
        const missing = ANSWER_COLUMNS.filter((c) => !header!.includes(c));
        if (missing.length > 0)
          return `文件 ${name} 第 ${record.line} 行（表头）缺少列：${missing.join('、')}`;
        continue;
      }
      if (record.fields.length === 1 && record.fields[0] === '') continue;
      if (record.fields.length !== header.length) {
        return `文件 ${name} 第 ${record.line} 行：应有 ${header.length} 列，实有 ${record.fields.length} 列`;
      }
      out.push({
        line: record.line,
        values: Object.fromEntries(header.map((h, i) => [h, record.fields[i]!])),
      });
    }
  } catch (error) {
    return `文件 ${name} 无法读取：${error instanceof Error ? error.message : String(error)}（应为 UTF-8 编码的 CSV）`;
  }
  if (!header) return `文件 ${name} 是空文件`;
  return out;
}

function jsonRows(bytes: Buffer, name: string): RawRow[] | string {
  let data: unknown;
  try {
    data = JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, ''));
  } catch {
    return `文件 ${name} 不是有效的 JSON`;
  }
  const list = Array.isArray(data) ? data : (data as { answers?: unknown } | null)?.answers;
  if (!Array.isArray(list)) return `文件 ${name} 应为答复行的数组，或 { "answers": [...] }`;
  const out: RawRow[] = [];
  for (const [i, item] of list.entries()) {
    if (typeof item !== 'object' || item === null) return `文件 ${name} 第 ${i + 1} 条：应为对象`;
    const values: Record<string, string> = {};
    for (const c of ANSWER_COLUMNS) {
      const x = (item as Record<string, unknown>)[c];
      if (x === undefined || x === null) values[c] = '';
      else if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean')
        values[c] = String(x);
      else return `文件 ${name} 第 ${i + 1} 条：${c} 应为文字、数字或 true/false`;
    }
    out.push({ line: i + 1, values });
  }
  return out;
}

export class FileExchangeSource implements SourceAdapter {
  readonly source: SourceCode;
  readonly timeoutMs: number;
  readonly maxAttempts: number;
  /** The source's folder: `<exchange root>/<source>` unless the settings name another. */
  private readonly dir: string;
  /** Files the last `collect` refused: `acknowledge` moves them to rejected/ instead of done/. */
  private readonly refused = new Set<string>();

  constructor(source: SourceCode, dir: string, settings: { timeoutMs: number; maxAttempts: number }) {
    this.source = source;
    this.dir = dir;
    this.timeoutMs = settings.timeoutMs;
    this.maxAttempts = settings.maxAttempts;
  }

  folder(name: 'outbox' | 'inbox' | 'done' | 'rejected'): string {
    return join(this.dir, name);
  }

  async send(batch: SourceBatch): Promise<SendOutcome> {
    const ids = batch.queries.map((q) => q.requestId);
    try {
      const outbox = this.folder('outbox');
      await mkdir(outbox, { recursive: true });
      const name = batchFileName(batch.batchRef);
      const temporary = join(outbox, `.${name}.tmp`);
      await writeFile(temporary, requestFile(batch), { flush: true });
      await rename(temporary, join(outbox, name));
      return { answered: new Map(), failed: new Map(), waiting: ids };
    } catch (error) {
      const reason = `请求文件写入失败：${error instanceof Error ? error.message : String(error)}`;
      return { answered: new Map(), failed: new Map(ids.map((id) => [id, reason])), waiting: [] };
    }
  }

  /**
   * Every answer file of the inbox, oldest name first. A file with any bad row is refused whole (each
   * problem named with the file and line) and nothing of it is used; the rows of a good file are grouped
   * by request. A request answered with `none` rows only is answered with nothing on record.
   */
  async collect(): Promise<CollectedAnswers> {
    this.refused.clear();
    const inbox = this.folder('inbox');
    let names: string[];
    try {
      names = (await readdir(inbox)).filter((n) => /\.(csv|json)$/i.test(n) && !n.startsWith('.')).sort();
    } catch {
      return { answered: new Map(), failed: new Map(), problems: [], files: [] };
    }
    const answered = new Map<string, AnswerRow[]>();
    const problems: string[] = [];
    for (const name of names) {
      const bytes = await readFile(join(inbox, name));
      const parsed = /\.json$/i.test(name) ? jsonRows(bytes, name) : await csvRows(bytes, name);
      const fileProblems: string[] = [];
      const rows: AnswerRow[] = [];
      const nothing: string[] = [];
      if (typeof parsed === 'string') fileProblems.push(parsed);
      else {
        for (const raw of parsed) {
          const result = answerRow(this.source, raw);
          if (result.problem) fileProblems.push(`文件 ${name} 第 ${raw.line} 行：${result.problem}`);
          else if (result.row) rows.push(result.row);
          else if (result.nothingFor) nothing.push(result.nothingFor);
        }
      }
      if (fileProblems.length > 0) {
        problems.push(
          ...fileProblems,
          `文件 ${name} 格式有误，已整体拒收（移至 rejected/），未登记其中任何答复`,
        );
        this.refused.add(name);
        continue;
      }
      for (const requestId of nothing) if (!answered.has(requestId)) answered.set(requestId, []);
      for (const row of rows) {
        const list = answered.get(row.requestId) ?? [];
        list.push(row);
        answered.set(row.requestId, list);
      }
    }
    return { answered, failed: new Map(), problems, files: names };
  }

  /** After the unit that recorded `collect`'s answers committed: consumed files to done/, refused ones to rejected/. */
  async acknowledge(files: readonly string[]): Promise<void> {
    for (const name of files) {
      const target = this.folder(this.refused.has(name) ? 'rejected' : 'done');
      await mkdir(target, { recursive: true });
      try {
        await rename(join(this.folder('inbox'), name), join(target, name));
      } catch (error) {
        // Another gathering job moved it first: it was consumed once, by that job's unit.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  }
}
