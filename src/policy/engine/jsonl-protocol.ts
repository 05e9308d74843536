import type { ByteRange } from './jsonl-reader.ts';
import type { PopulationPart } from './population.ts';

/** What the main thread asks of a batch-reader worker (its workerData). */
export interface RangeJob {
  readonly file: string;
  readonly month: string;
  readonly range: ByteRange;
  readonly keepMemberIds: boolean;
}

/** What the worker answers: its part and how many lines its range held, or the first bad line in it. */
export type RangeResult =
  | { readonly kind: 'part'; readonly lines: number; readonly part: PopulationPart }
  | { readonly kind: 'line'; readonly line: number; readonly path: string; readonly detail: string };
