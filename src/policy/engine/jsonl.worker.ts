/**
 * A worker thread of the parallel batch reader (jsonl-parallel.ts): reads its byte range of the file into
 * columns and hands them over (the ArrayBuffers are transferred, not copied) or, for a simulation,
 * computes every program block by block and answers with the totals only. Line numbers in its errors count
 * from its range's start; the main thread adds the lines of the ranges before.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { RangeJob, RangeResult } from './jsonl-protocol.ts';
import { BatchLineError, readJsonlRange } from './jsonl-reader.ts';
import { populationPart } from './population.ts';
import { simulateRange } from './simulate-file.ts';

async function run(job: RangeJob): Promise<{ result: RangeResult; transfer: ArrayBuffer[] }> {
  try {
    if (job.simulate) {
      const { totals, lines } = await simulateRange(job.file, job.month, job.range, job.simulate.reform);
      return { result: { kind: 'totals', lines, totals }, transfer: [] };
    }
    const { population, lines } = await readJsonlRange(job.file, job.month, job.range, {
      keepMemberIds: job.keepMemberIds,
    });
    const part = populationPart(population);
    const transfer = [...new Set(Object.values(part.columns).map((c) => c.buffer as ArrayBuffer))];
    return { result: { kind: 'part', lines, part }, transfer };
  } catch (error) {
    if (error instanceof BatchLineError)
      return {
        result: { kind: 'line', line: error.line, path: error.path, detail: error.detail },
        transfer: [],
      };
    throw error;
  }
}

const { result, transfer } = await run(workerData as RangeJob);
parentPort?.postMessage(result, transfer);
