import { parentPort, workerData } from 'node:worker_threads';
import { ChunkBuffer, POPULATION_TABLES, ROW_WRITERS, type PopulationTable } from './csv.ts';
import { generatePopulation, type GenerateOptions } from './generator.ts';
import type { GeneratorWorkerInput, GeneratorWorkerMessage } from './generator-thread.ts';

/**
 * The worker side of generator-thread.ts: runs the generator and posts the CSV rows of the three
 * tables as ~1 MB chunks, each moved (transferred, not copied) to the main thread. It stops when
 * `window` chunks are out and not yet released, so memory stays flat however fast the generator is.
 */
const port = parentPort;
if (!port) throw new Error('generator.worker.ts must run in a worker thread');
const { options, window } = workerData as GeneratorWorkerInput;

let credits = window;
let wake: (() => void) | undefined;
port.on('message', (released: number) => {
  credits += released;
  wake?.();
  wake = undefined;
});

async function send(table: PopulationTable, chunk: Buffer, persons: number): Promise<void> {
  while (credits <= 0) await new Promise<void>((resolve) => (wake = resolve));
  credits--;
  const { buffer } = chunk;
  // ChunkBuffer gives each chunk an ArrayBuffer of its own: moving it detaches nothing else.
  if (!(buffer instanceof ArrayBuffer)) throw new Error('chunk is not transferable');
  const message: GeneratorWorkerMessage = { kind: 'chunk', table, bytes: chunk, persons };
  port!.postMessage(message, [buffer]);
}

async function run(generate: GenerateOptions): Promise<void> {
  const buffers = new Map(POPULATION_TABLES.map((t) => [t, new ChunkBuffer()]));
  const summary = { households: 0, persons: 0, memberships: 0, deceased: 0, facts: 0 };
  for (const household of generatePopulation(generate)) {
    summary.households++;
    summary.persons += household.members.length;
    summary.memberships +=
      household.members.length + household.former.length + household.pastMemberships.length;
    summary.deceased += household.former.length;
    summary.facts += household.facts.length;
    for (const [table, buffer] of buffers) {
      const chunk = buffer.add(ROW_WRITERS[table](household));
      if (chunk !== undefined) await send(table, chunk, summary.persons);
    }
  }
  for (const [table, buffer] of buffers) {
    const rest = buffer.take();
    if (rest !== undefined) await send(table, rest, summary.persons);
  }
  const done: GeneratorWorkerMessage = { kind: 'done', ...summary };
  port!.postMessage(done);
}

await run(options);
