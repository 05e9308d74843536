import { Worker } from 'node:worker_threads';
import type { PopulationTable } from './csv.ts';
import { resolveOptions, type GenerateOptions } from './generator.ts';

/**
 * Runs the generator in a worker thread so that generating overlaps loading: PGlite executes on the
 * main thread, and a PostgreSQL backend is another process, so either way the database and the
 * generator get a core each. The worker hands over CSV chunks of the three tables; the caller
 * `release`s them once consumed, and the worker waits while `window` chunks are outstanding.
 */

export interface GeneratorWorkerInput {
  options: GenerateOptions;
  window: number;
}

export type GeneratorWorkerMessage =
  | { kind: 'chunk'; table: PopulationTable; bytes: Uint8Array; persons: number }
  | {
      kind: 'done';
      households: number;
      persons: number;
      memberships: number;
      deceased: number;
      facts: number;
    };

export interface RowChunk {
  kind: 'chunk';
  table: PopulationTable;
  bytes: Buffer;
  /** Persons generated so far (for progress). */
  persons: number;
}

/** The worker runs TypeScript sources: tsx is registered in it first (hooks are per thread). */
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
import(workerData.tsx).then((tsx) => { tsx.register(); return import(workerData.entry); });
`;

/**
 * 64 chunks of ~1 MB: room for a COPY batch (population-copy.ts, 16 MB) being copied while the next
 * fills. It must exceed a batch, or the worker would wait for a release that never comes.
 */
export const DEFAULT_WINDOW_CHUNKS = 64;

export class GeneratorThread {
  private readonly worker: Worker;
  private readonly inbox: GeneratorWorkerMessage[] = [];
  private wake: (() => void) | undefined;
  private failure: Error | undefined;

  constructor(options: GenerateOptions, window = DEFAULT_WINDOW_CHUNKS) {
    resolveOptions(options); // bad options fail here, in the caller's thread, with their own error
    const input: GeneratorWorkerInput = { options, window };
    this.worker = new Worker(BOOTSTRAP, {
      eval: true,
      workerData: {
        ...input,
        tsx: import.meta.resolve('tsx/esm/api'),
        entry: new URL('./generator.worker.ts', import.meta.url).href,
      },
    });
    this.worker.on('message', (message: GeneratorWorkerMessage) => this.deliver(message));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`generator worker exited (code ${code})`)));
  }

  /** The next chunk, or the run's totals once every chunk has been delivered. */
  async next(): Promise<RowChunk | Extract<GeneratorWorkerMessage, { kind: 'done' }>> {
    for (;;) {
      const message = this.inbox.shift();
      if (message?.kind === 'chunk') {
        const { table, bytes, persons } = message;
        return {
          kind: 'chunk',
          table,
          persons,
          bytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
        };
      }
      if (message) return message;
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /** Lets the worker produce `chunks` more chunks. */
  release(chunks: number): void {
    if (chunks > 0 && !this.failure) this.worker.postMessage(chunks);
  }

  async close(): Promise<void> {
    this.failure ??= new Error('generator worker closed');
    await this.worker.terminate();
  }

  private deliver(message: GeneratorWorkerMessage): void {
    this.inbox.push(message);
    this.wakeUp();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.wakeUp();
  }

  private wakeUp(): void {
    this.wake?.();
    this.wake = undefined;
  }
}
