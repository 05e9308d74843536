import { closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
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

const CHUNK_BYTES = 1 << 20;
const NEWLINE = 0x0a;

/**
 * Streams a file's lines, calling `onLine` for each non-empty line with its number counted from the
 * range's start; without a range, the whole file (or pipe). Returns how many lines ended in a newline
 * (the next range's lines are numbered after them).
 *
 * Each line is decoded alone from a reused buffer: no chunk-sized string is ever made (a 1 MB string
 * lives in V8's large-object space until a full collection, so a stream of them grew a reader of 800 MB
 * by some 100 MB of garbage), and a newline byte never splits a UTF-8 sequence. The next chunk is read
 * while this one's lines are parsed (waiting for each read left a tenth of a worker's time idle).
 */
export async function forEachLine(
  file: string,
  onLine: (line: string, lineNo: number) => void,
  range?: ByteRange,
): Promise<number> {
  const handle = await open(file, 'r');
  const end = range?.end ?? Infinity;
  let position = range?.start ?? 0;
  const incoming = Buffer.allocUnsafe(CHUNK_BYTES);
  const readNext = async (): Promise<number> => {
    const want = Math.min(incoming.length, end - position);
    if (want <= 0) return 0;
    const { bytesRead } = await handle.read(incoming, 0, want, range ? position : null);
    position += bytesRead;
    return bytesRead;
  };
  let pending = readNext();
  try {
    let buf = Buffer.allocUnsafe(CHUNK_BYTES * 2);
    let carried = 0; // the start of a line whose end is not read yet, at the buffer's start
    let lineNo = 0;
    for (let got = await pending; got > 0; got = await pending) {
      if (carried + got > buf.length) {
        // a line longer than the buffer
        const bigger = Buffer.allocUnsafe((carried + got) * 2);
        buf.copy(bigger, 0, 0, carried);
        buf = bigger;
      }
      incoming.copy(buf, carried, 0, got);
      pending = readNext();
      const stop = carried + got;
      let start = 0;
      // the carried bytes hold no newline; bytes past `stop` are stale
      for (let nl = buf.indexOf(NEWLINE, carried); nl >= 0 && nl < stop; nl = buf.indexOf(NEWLINE, start)) {
        lineNo++;
        if (nl > start) onLine(buf.toString('utf8', start, nl), lineNo);
        start = nl + 1;
      }
      carried = buf.copy(buf, 0, start, stop);
    }
    if (carried > 0) {
      const rest = buf.toString('utf8', 0, carried);
      if (rest.trim().length > 0) onLine(rest, lineNo + 1);
    }
    return lineNo;
  } finally {
    await pending.catch(() => 0);
    await handle.close();
  }
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
