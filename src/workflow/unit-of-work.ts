import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { AuditAction } from '../audit/actions.ts';
import { auditDistrict, recordAudit, type AuditActor } from '../audit/audit.service.ts';
import { canonicalValue } from '../audit/hash.ts';
import type { Session, Store } from '../db/store.ts';
import { selectRows } from '../db/sql.ts';
import { now as clockNow } from '../core/clock.ts';
import { visibleLength } from '../core/text.ts';
import { WorkflowError } from './workflow.errors.ts';

/**
 * Units of work: the one way to write. An edge (a route, a CLI command, a job) opens a unit with the acting
 * context; services receive its `WorkTx` and say what they changed (`record`, `recordBatch`); the unit
 * appends those to the audit chain and commits them with the writes, or rolls everything back.
 *
 * Audit by construction: before committing, the unit asks the database whether the transaction wrote
 * anything (`pg_current_xact_id_if_assigned()` is non-null once a row was inserted, updated or deleted).
 * A unit that wrote and recorded nothing is rolled back with `unaudited_write`, so no write path can skip
 * its audit row, whichever repository it called.
 */

/**
 * Who acts and why. Automatic steps act as a named system actor (`system:job-runner`, src/auth/roles.ts);
 * `userId` null is nobody signed in (a refused login, the first start). Every actor gives a reason.
 */
export interface ActingContext {
  userId: string | null;
  divisionCode: string | null;
  reason: string;
  requestId?: string | undefined;
}

/** One changed record, as the audit chain keeps it. */
export interface RecordedChange {
  action: AuditAction;
  entityType: string;
  entityId?: string | null | undefined;
  /** The record's division (its first six digits are the district the audit row is filed under). */
  district?: string | null | undefined;
  before?: unknown;
  after?: unknown;
  /** Overrides the unit's reason for this record (e.g. a per-row reason in a reviewed batch). */
  reason?: string | undefined;
}

/** Bulk work's one record per batch: how many rows, and a digest of exactly what was written. */
export interface RecordedBatch {
  action: AuditAction;
  entityType: string;
  /** The batch's own key (a job id and batch number, an import's file digest). */
  entityId: string;
  district?: string | null | undefined;
  digest: RowDigest;
  /** A short, non-personal summary (totals, the cursor range); never the rows themselves. */
  summary?: Record<string, unknown> | undefined;
}

export interface WorkTx extends Session {
  readonly actor: ActingContext;
  /** The unit's time: every row it writes carries this instant, and the audit rows too. */
  readonly now: Date;
  record(change: RecordedChange): void;
  recordBatch(batch: RecordedBatch): void;
}

/**
 * SHA-256 over the canonical form of each row, in the order written: the audit record of a batch. Re-running
 * the batch over the same rows gives the same digest, so a verifier can recompute it from the tables.
 */
export class RowDigest {
  private readonly hash = createHash('sha256');
  private rows = 0;
  add(row: unknown): this {
    this.hash.update(JSON.stringify(canonicalValue(row)));
    this.hash.update('\n');
    this.rows += 1;
    return this;
  }
  /**
   * Rows already encoded as the text a bulk write sent (COPY's CSV lines, `rows` of them): the digest of
   * exactly what was written, without a second encoding of every row.
   */
  addCsv(chunks: readonly string[], rows: number): this {
    for (const text of chunks) this.hash.update(text);
    this.rows += rows;
    return this;
  }
  get count(): number {
    return this.rows;
  }
  /** The hex digest; the digest cannot be extended after this. */
  hex(): string {
    return this.hash.digest('hex');
  }
}

function checkActor(actor: ActingContext): void {
  if (actor.userId !== null && !actor.userId.trim()) throw new WorkflowError('invalid_actor', '缺少操作人');
  if (visibleLength(actor.reason ?? '') === 0) throw new WorkflowError('invalid_actor', '请填写操作原因');
}

async function wroteAnything(session: Session): Promise<boolean> {
  const [row] = await selectRows<{ wrote: boolean }>(
    session.db,
    sql`select pg_current_xact_id_if_assigned() is not null as wrote`,
  );
  return row?.wrote === true;
}

type Pending = { kind: 'change'; change: RecordedChange } | { kind: 'batch'; batch: RecordedBatch };

/**
 * Runs `work` as one transaction on behalf of `actor`: its writes and their audit rows commit together, or
 * nothing does. Only edges call this; a service that needs a transaction takes a `WorkTx` instead.
 */
export async function inUnitOfWork<T>(
  store: Store,
  actor: ActingContext,
  work: (tx: WorkTx) => Promise<T>,
  options: { now?: Date } = {},
): Promise<T> {
  checkActor(actor);
  const now = options.now ?? clockNow();
  return store.transaction(async (session) => {
    const pending: Pending[] = [];
    const tx: WorkTx = {
      db: session.db,
      copyFrom: (table, columns, chunks) => session.copyFrom(table, columns, chunks),
      actor,
      now,
      record: (change) => void pending.push({ kind: 'change', change }),
      recordBatch: (batch) => void pending.push({ kind: 'batch', batch }),
    };
    const result = await work(tx);
    if (pending.length === 0) {
      if (await wroteAnything(session)) {
        throw new WorkflowError('unaudited_write', '内部错误：写入未记录审计日志，已全部撤销');
      }
      return result;
    }
    await appendAudit(session, actor, now, pending);
    return result;
  });
}

async function appendAudit(
  session: Session,
  actor: ActingContext,
  at: Date,
  pending: Pending[],
): Promise<void> {
  const auditActor: AuditActor = {
    userId: actor.userId,
    divisionCode: actor.divisionCode,
    requestId: actor.requestId,
  };
  for (const entry of pending) {
    if (entry.kind === 'change') {
      const { change } = entry;
      await recordAudit(session, {
        actor: auditActor,
        action: change.action,
        entityType: change.entityType,
        entityId: change.entityId ?? null,
        district: change.district ?? null,
        before: change.before,
        after: change.after,
        reason: change.reason ?? actor.reason,
        at,
      });
    } else {
      const { batch } = entry;
      await recordAudit(session, {
        actor: auditActor,
        action: batch.action,
        entityType: batch.entityType,
        entityId: batch.entityId,
        district: batch.district ?? null,
        after: { rows: batch.digest.count, digest: batch.digest.hex(), ...batch.summary },
        reason: actor.reason,
        at,
      });
    }
  }
}

/** The district an acting context files under when a record names none (the city for city staff). */
export function actingDistrict(actor: ActingContext): string {
  return auditDistrict(actor.divisionCode);
}

/**
 * A unit whose only write is its audit record: an audited read (an unmask, an export, a download) or a
 * refused attempt (a failed login).
 */
export function recordOnly(
  store: Store,
  actor: Omit<ActingContext, 'reason'>,
  reason: string,
  change: RecordedChange,
): Promise<void> {
  return inUnitOfWork(store, { ...actor, reason }, (tx) => {
    tx.record(change);
    return Promise.resolve();
  });
}
