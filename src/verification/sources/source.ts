import type { AnswerKind, SourceCode } from './catalogue.ts';

/**
 * One interface for every source adapter (one file per way of reaching an agency: simulated.source.ts,
 * file-exchange.source.ts, http.source.ts). The gathering job hands an adapter a batch of queries — many
 * requests at once, never one call per request — and the adapter answers what it can now and says which
 * queries wait for a later pickup (a file exchange answers in another file, another day).
 *
 * Adapters write nothing in the database: the job records what they return in its own unit of work, and
 * the batch's `batchRef` (the job and batch number) is the idempotency key a receiver can refuse twice.
 */
export interface QueriedPerson {
  personId: string;
  /** 身份证号 in full: agencies match on it. */
  idNumber: string;
  name: string;
}

export interface SourceQuery {
  districtCode: string;
  requestId: string;
  requestNo: string;
  purpose: string;
  /** The authorisations covering the members, quoted to the agency (授权书编号). */
  authorisationRefs: readonly string[];
  /** The day the figures are asked for. */
  asOf: string;
  persons: readonly QueriedPerson[];
}

export interface SourceBatch {
  source: SourceCode;
  /** Unique per job batch: `${jobId}#${batch}`; sending the same batch twice must not double anything. */
  batchRef: string;
  queries: readonly SourceQuery[];
}

/** One fact an agency reported about one person. Exactly one value field is set, by the kind's type. */
export interface AnswerRow {
  requestId: string;
  personId: string;
  kind: AnswerKind;
  amountFen?: number | undefined;
  quantity?: number | undefined;
  flag?: boolean | undefined;
  textValue?: string | undefined;
  /** The agency's own reference (批次号, 记录号). */
  reference: string;
}

export interface SendOutcome {
  /** Requests answered now, with their rows (a request may be answered with no rows: nothing on record). */
  answered: ReadonlyMap<string, readonly AnswerRow[]>;
  /** Requests the source refused or failed on, with the reason (retried up to the source's attempts). */
  failed: ReadonlyMap<string, string>;
  /** Requests sent and awaiting a later answer (file exchange). */
  waiting: readonly string[];
}

/** Answers that arrived since the last pickup (file exchange); each file is handled once. */
export interface CollectedAnswers {
  /** Keyed by request id; rows of unknown requests are reported in `problems`, never dropped silently. */
  answered: ReadonlyMap<string, readonly AnswerRow[]>;
  failed: ReadonlyMap<string, string>;
  /** What was wrong with a file or a row (Chinese), with the file's name. */
  problems: readonly string[];
  /** Files consumed: moved to `done/` only after the unit recording them committed. */
  files: readonly string[];
}

export interface SourceAdapter {
  readonly source: SourceCode;
  /** Deployment settings of this source: how long an answer may take and how often to try. */
  readonly timeoutMs: number;
  readonly maxAttempts: number;
  send(batch: SourceBatch): Promise<SendOutcome>;
  /** File exchange: pick up answer files; synchronous adapters have nothing to collect. */
  collect?(): Promise<CollectedAnswers>;
  /** After the answers of `collect` committed: move the files out of the inbox. */
  acknowledge?(files: readonly string[]): Promise<void>;
}
