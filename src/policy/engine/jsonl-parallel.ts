import { closeSync, openSync, readSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RangeDone, RangeJob, RangeResult } from './jsonl-protocol.ts';
import { BatchLineError, type ByteRange } from './jsonl-reader.ts';
import { concatPopulations, type Population, type PopulationPart } from './population.ts';

/**
 * Below this size a file is read on the calling thread: starting a worker (its own V8 and modules, about
 * 0.1–0.3 s) costs more than it saves.
 */
export const PARALLEL_MIN_BYTES = 8 << 20;
/** More workers than this only add memory (each is a V8 of its own) and make ranges too small to pay. */
const MAX_WORKERS = 8;

/** How many workers read a file of `bytes`: one per core, up to MAX_WORKERS; 1 = the calling thread. */
export function workerCount(bytes: number): number {
  if (bytes < PARALLEL_MIN_BYTES) return 1;
  const bySize = Math.floor(bytes / (PARALLEL_MIN_BYTES / 2));
  return Math.max(1, Math.min(availableParallelism(), MAX_WORKERS, bySize));
}

const NEWLINE = 0x0a;

/**
 * Cuts a file into up to `parts` ranges of about equal size, each starting at a line's first byte (just
 * after a newline byte, which never occurs inside a UTF-8 sequence), so that no line is split.
 */
export function splitRanges(file: string, size: number, parts: number): ByteRange[] {
  const cuts = [0];
  const buf = Buffer.alloc(64 << 10);
  const fd = openSync(file, 'r');
  try {
    for (let k = 1; k < parts; k++) {
      let pos = Math.max(Math.floor((k * size) / parts) - 1, cuts[cuts.length - 1] as number);
      let cut = size;
      while (pos < size) {
        const got = readSync(fd, buf, 0, buf.length, pos);
        if (got === 0) break;
        const nl = buf.subarray(0, got).indexOf(NEWLINE);
        if (nl >= 0) {
          cut = pos + nl + 1;
          break;
        }
        pos += got;
      }
      cuts.push(cut);
    }
  } finally {
    closeSync(fd);
  }
  cuts.push(size);
  const ranges: ByteRange[] = [];
  for (let i = 1; i < cuts.length; i++) {
    const start = cuts[i - 1] as number;
    const end = cuts[i] as number;
    if (end > start) ranges.push({ start, end });
  }
  return ranges;
}

/** The compiled CLI's name for the worker, beside its chunks (scripts/build-cli.mjs defines it). */
declare const MZ_COMPILED_JSONL_WORKER: string | undefined;

/** The worker's entry: the compiled one in the compiled CLI, else the sources through tsx. */
function workerEntry(): URL {
  // import.meta.dirname (not rewritten by the build, unlike import.meta.url) is the bundle's folder there
  if (typeof MZ_COMPILED_JSONL_WORKER === 'string')
    return pathToFileURL(join(import.meta.dirname, MZ_COMPILED_JSONL_WORKER));
  return new URL('./jsonl-worker-tsx.mjs', import.meta.url);
}

function resultOf(worker: Worker): Promise<RangeResult> {
  return new Promise((resolve, reject) => {
    worker.once('message', (result: RangeResult) => resolve(result));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`读取人口文件的工作线程意外退出（退出码 ${code}）`)));
  });
}

/**
 * Runs one worker per range of the file (each with `job` for its range) and returns their answers in
 * file order. The first bad line in the file is reported with its line number in the file, as the
 * single-threaded reader does: a range's worker numbers its lines from the range's start.
 */
export async function runRanges(
  file: string,
  size: number,
  workers: number,
  job: Omit<RangeJob, 'file' | 'range'>,
): Promise<RangeDone[]> {
  const entry = workerEntry();
  const started = splitRanges(file, size, workers).map(
    (range) => new Worker(entry, { workerData: { ...job, file, range } satisfies RangeJob }),
  );
  const results = started.map(resultOf);
  // a later range's outcome may never be awaited (an earlier range failed): it must not go unhandled
  for (const r of results) r.catch(() => undefined);
  try {
    const done: RangeDone[] = [];
    let linesBefore = 0;
    for (const pending of results) {
      const result = await pending;
      if (result.kind === 'line')
        throw new BatchLineError(linesBefore + result.line, result.path, result.detail);
      done.push(result);
      linesBefore += result.lines;
    }
    return done;
  } finally {
    for (const worker of started) void worker.terminate();
  }
}

/**
 * Reads a JSON-lines file with `workers` worker threads, each parsing and validating one range of lines
 * into typed columns (moved to this thread, not copied), joined in file order.
 */
export async function readJsonlParallel(
  file: string,
  month: string,
  size: number,
  workers: number,
  options: { keepMemberIds?: boolean } = {},
): Promise<Population> {
  const done = await runRanges(file, size, workers, { month, keepMemberIds: options.keepMemberIds ?? false });
  const parts: PopulationPart[] = [];
  for (const d of done) if (d.kind === 'part') parts.push(d.part);
  return concatPopulations(parts);
}
