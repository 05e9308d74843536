import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { PolicyHouseholdInput } from '../household.ts';
import { checkHouseholdRequest, HouseholdValidationError } from '../household.validate.ts';
import { PopulationBuilder, type Population } from './population.ts';

/** A bad line in a batch file: names the line and the field path. */
export class BatchLineError extends Error {
  constructor(
    readonly line: number,
    readonly path: string,
    readonly detail: string,
  ) {
    super(`第 ${line} 行 ${path}：${detail}`);
    this.name = 'BatchLineError';
  }
}

/** Bytes [start, end) of a file; a range given to a worker starts at a line's first byte. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * Streams a file's lines (constant memory: one chunk at a time), calling `onLine` for each non-empty
 * line with its number counted from the range's start. Returns how many lines ended in a newline (the
 * next range's lines are numbered after them).
 */
export async function forEachLine(
  file: string,
  onLine: (line: string, lineNo: number) => void,
  range?: ByteRange,
): Promise<number> {
  if (range && range.end <= range.start) return 0;
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let lineNo = 0;
  const stream = createReadStream(file, {
    highWaterMark: 1 << 20,
    ...(range ? { start: range.start, end: range.end - 1 } : {}),
  });
  for await (const chunk of stream) {
    const text = rest + decoder.write(chunk as Buffer);
    let start = 0;
    let nl = text.indexOf('\n', start);
    while (nl >= 0) {
      lineNo++;
      if (nl > start) onLine(text.slice(start, nl), lineNo);
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    rest = text.slice(start);
  }
  rest += decoder.end();
  if (rest.trim().length > 0) onLine(rest, lineNo + 1);
  return lineNo;
}

/** One line of a batch file, validated for `month`; a problem is a BatchLineError naming `lineNo`. */
export function parseLine(line: string, lineNo: number, month: string): PolicyHouseholdInput {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (error) {
    throw new BatchLineError(
      lineNo,
      '(根)',
      `JSON 格式错误：${error instanceof Error ? error.message : String(error)}`,
    );
  }
  try {
    return checkHouseholdRequest(raw, month).household;
  } catch (error) {
    if (error instanceof HouseholdValidationError) throw new BatchLineError(lineNo, error.path, error.detail);
    throw error;
  }
}

const SAMPLE_BYTES = 1 << 20;
const NEWLINE = 0x0a;
const MEMBER_KEY = Buffer.from('"birthDate"');

/**
 * Households and persons a range probably holds, from its first megabyte: columns sized right at once
 * are never copied to grow (a growth step holds old and new columns together, the peak of a large read).
 */
function estimateCapacity(file: string, range: ByteRange): { households: number; persons: number } {
  const sample = Buffer.alloc(Math.min(SAMPLE_BYTES, range.end - range.start));
  const fd = openSync(file, 'r');
  let got: number;
  try {
    got = readSync(fd, sample, 0, sample.length, range.start);
  } finally {
    closeSync(fd);
  }
  let lines = 0;
  for (let i = sample.indexOf(NEWLINE); i >= 0 && i < got; i = sample.indexOf(NEWLINE, i + 1)) lines++;
  let members = 0;
  for (let i = sample.indexOf(MEMBER_KEY); i >= 0 && i < got; i = sample.indexOf(MEMBER_KEY, i + 1))
    members++;
  if (got === 0 || lines === 0) return { households: 1024, persons: 3072 };
  // a few percent over the sample's density: the estimate is a starting size, growth covers the rest
  const scale = ((range.end - range.start) / got) * 1.03;
  return { households: Math.ceil(lines * scale) + 16, persons: Math.ceil(members * scale) + 48 };
}

/**
 * Reads a byte range of a JSON-lines file (the whole file, or stream, without one) into columns on this
 * thread, validating every line for `month`. Line numbers (in errors, and `lines`) count from the range's
 * start.
 */
export async function readJsonlRange(
  file: string,
  month: string,
  range: ByteRange | undefined,
  options: { keepMemberIds?: boolean } = {},
): Promise<{ population: Population; lines: number }> {
  const builder = new PopulationBuilder({
    keepMemberIds: options.keepMemberIds ?? false,
    // a pipe has no size to estimate from: its columns grow as they fill
    ...(range && range.end > range.start ? estimateCapacity(file, range) : { households: 1 << 16 }),
  });
  const lines = await forEachLine(file, (line, lineNo) => builder.add(parseLine(line, lineNo, month)), range);
  return { population: builder.build(), lines };
}
