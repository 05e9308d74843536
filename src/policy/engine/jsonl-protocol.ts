import type { ByteRange } from './jsonl-reader.ts';
import type { ReformFile } from './parameter.schema.ts';
import type { PopulationPart } from './population.ts';
import type { ProgramTotals } from './simulate.ts';

/** A reform as it crosses to a worker: the parsed file and the label its errors carry. */
export interface ReformSpec {
  readonly reform: ReformFile;
  readonly label: string;
}

/**
 * What the main thread asks of a batch-reader worker (its workerData): the columns of its range, or
 * (`simulate`) the totals of every program over its range, baseline and, when given, reform.
 */
export interface RangeJob {
  readonly file: string;
  readonly month: string;
  readonly range: ByteRange;
  readonly keepMemberIds: boolean;
  readonly simulate?: { readonly reform: ReformSpec | null };
}

/** Every program's totals over a range (or a file): what a simulation of a file needs, and no columns. */
export interface RangeTotals {
  readonly households: number;
  readonly persons: number;
  readonly baseline: ProgramTotals[];
  readonly reform: ProgramTotals[] | null;
}

/** What the worker answers, with how many lines its range held; or the first bad line in it. */
export type RangeResult =
  | { readonly kind: 'part'; readonly lines: number; readonly part: PopulationPart }
  | { readonly kind: 'totals'; readonly lines: number; readonly totals: RangeTotals }
  | { readonly kind: 'line'; readonly line: number; readonly path: string; readonly detail: string };

/** A range's answer once its lines are known to be good. */
export type RangeDone = Exclude<RangeResult, { kind: 'line' }>;
