import { sql } from 'drizzle-orm';
import { shanghaiToday } from '../../core/clock.ts';
import { csvChunks } from '../../db/csv.ts';
import { selectRows } from '../../db/sql.ts';
import type { Db, Session } from '../../db/store.ts';
import type { WorkTx } from '../../workflow/unit-of-work.ts';
import type { LedgerKind } from './accounts.ts';

/**
 * 分类账 (src/payroll/schema.ts ledger_entries; docs/payroll.md 分类账): append-only, idempotent by
 * (district, payable kind, payable, period, kind, seq). Only this file writes or reads the table's sums.
 */

export interface LedgerEntry {
  districtCode: string;
  payableKind: 'entitlement' | 'settlement';
  payableId: string;
  period: string;
  kind: LedgerKind;
  /** 1 for a period's first entry of the kind; each arrears, correction or reversal the next. */
  seq: number;
  program: string;
  debitAccount: string;
  creditAccount: string;
  /** Integer fen, never 0; a reversal is negative. */
  amountFen: number;
  runId?: string | null | undefined;
  lineNo?: number | null | undefined;
  recoveryId?: string | null | undefined;
  /** The business day (Shanghai); the unit's day when absent. */
  postedOn?: string | undefined;
}

const COLUMNS = [
  'district_code',
  'payable_kind',
  'payable_id',
  'period',
  'kind',
  'seq',
  'program',
  'debit_account',
  'credit_account',
  'amount_fen',
  'run_id',
  'line_no',
  'recovery_id',
  'posted_on',
  'posted_at',
] as const;

const TEMP = 'ledger_entries_load';

/** Above this many entries a post goes by COPY into a temporary table, then one insert … select. */
const COPY_THRESHOLD = 200;

function check(e: LedgerEntry): void {
  if (!Number.isSafeInteger(e.amountFen) || e.amountFen === 0) {
    throw new Error(`ledger entry amount must be a non-zero integer fen: ${e.amountFen}`);
  }
  if (!Number.isInteger(e.seq) || e.seq < 1) throw new Error(`ledger entry seq must be ≥ 1: ${e.seq}`);
}

function values(e: LedgerEntry, day: string, at: string): (string | number | null)[] {
  return [
    e.districtCode,
    e.payableKind,
    e.payableId,
    e.period,
    e.kind,
    e.seq,
    e.program,
    e.debitAccount,
    e.creditAccount,
    e.amountFen,
    e.runId ?? null,
    e.lineNo ?? null,
    e.recoveryId ?? null,
    e.postedOn ?? day,
    at,
  ];
}

/**
 * Posts entries in the unit: each inserted unless its key is already there (ON CONFLICT DO NOTHING), so a
 * batch redone after a kill posts nothing twice. Few entries: one multi-row INSERT; many: COPY into a
 * temporary table and one INSERT … SELECT. Returns the entries inserted (the caller records its audit, e.g.
 * in its batch's recordBatch summary).
 */
export async function postEntries(tx: WorkTx, entries: readonly LedgerEntry[]): Promise<number> {
  if (entries.length === 0) return 0;
  entries.forEach(check);
  const day = shanghaiToday(tx.now);
  const at = tx.now.toISOString();
  if (entries.length <= COPY_THRESHOLD) {
    const rows = entries.map((e) => {
      const v = values(e, day, at);
      return sql`(${v[0]}, ${v[1]}, ${v[2]}::uuid, ${v[3]}, ${v[4]}, ${v[5]}::int, ${v[6]}, ${v[7]}, ${v[8]},
        ${v[9]}::bigint, ${v[10]}::uuid, ${v[11]}::int, ${v[12]}::uuid, ${v[13]}::date, ${v[14]}::timestamptz)`;
    });
    const inserted = await selectRows<{ n: number }>(
      tx.db,
      sql`with ins as (
        insert into ledger_entries (${sql.raw(COLUMNS.join(', '))})
        values ${sql.join(rows, sql`, `)}
        on conflict do nothing returning 1)
      select count(*)::int as n from ins`,
    );
    return inserted[0]?.n ?? 0;
  }
  return copyEntries(tx, entries, day, at);
}

async function copyEntries(
  session: Session,
  entries: readonly LedgerEntry[],
  day: string,
  at: string,
): Promise<number> {
  await session.db.execute(
    sql.raw(`create temporary table if not exists ${TEMP} (district_code text, payable_kind text,
      payable_id uuid, period text, kind text, seq integer, program text, debit_account text,
      credit_account text, amount_fen bigint, run_id uuid, line_no integer, recovery_id uuid, posted_on date,
      posted_at timestamptz) on commit delete rows`),
  );
  await session.db.execute(sql.raw(`truncate ${TEMP}`));
  await session.copyFrom(
    TEMP,
    COLUMNS,
    csvChunks(entries, (e) => values(e, day, at)),
  );
  const cols = COLUMNS.join(', ');
  const inserted = await selectRows<{ n: number }>(
    session.db,
    sql`with ins as (
      insert into ledger_entries (${sql.raw(cols)})
      select ${sql.raw(cols)} from ${sql.raw(TEMP)}
      on conflict do nothing returning 1)
    select count(*)::int as n from ins`,
  );
  return inserted[0]?.n ?? 0;
}

/**
 * Appends entries whose keys the unit has just read as free (their seq is the next of what it read): one COPY
 * straight into the ledger, no conflict handling. Should another unit have taken a key meanwhile, the unique
 * key fails this unit whole and its redo reads the ledger again. Returns the CSV sent (the batch's digest).
 */
export async function appendEntries(tx: WorkTx, entries: readonly LedgerEntry[]): Promise<string[]> {
  if (entries.length === 0) return [];
  entries.forEach(check);
  const day = shanghaiToday(tx.now);
  const at = tx.now.toISOString();
  const csv = csvChunks(entries, (e) => values(e, day, at));
  await tx.copyFrom('ledger_entries', COLUMNS, csv);
  return csv;
}

/** What the ledger holds for one payable and period. */
export interface AccruedPeriod {
  payableId: string;
  period: string;
  /** Accrued so far: accrual entries (reversals included) plus opening entries (paid before going live). */
  accruedFen: number;
  /** The last seq of the accrual entries (0: none); the next accrual, arrears or reversal takes seq + 1. */
  lastAccrualSeq: number;
  /** Paid by the bank (payment entries). */
  paidFen: number;
  /** The last seq of the recovery entries (0: none). */
  lastRecoverySeq: number;
}

export const ledgerKey = (payableId: string, period: string): string => `${payableId}|${period}`;

/**
 * The accrued (and paid) sums of the payables, per period (the payable kinds named so that the primary key
 * serves the lookup), keyed by `ledgerKey(payableId, period)`;
 * `periods` null: every period. One statement, district first (the distribution key). A payable and period
 * with no entry is absent from the map.
 */
export async function accruedByPeriod(
  db: Db,
  districtCode: string,
  payableIds: readonly string[],
  periods: readonly string[] | null,
): Promise<Map<string, AccruedPeriod>> {
  const out = new Map<string, AccruedPeriod>();
  if (payableIds.length === 0 || (periods !== null && periods.length === 0)) return out;
  // Each id probed by key (lateral; offset 0 keeps the planner from flattening it into a hash join over the
  // whole ledger, which its statistics — taken when the run began — make look small: a batch's read then grows
  // with the ledger). Not = any(…), which compares every entry read with the whole list.
  const ids = `{${payableIds.join(',')}}`;
  const periodFilter =
    periods === null ? sql`` : sql`and e.period = any(${`{${periods.join(',')}}`}::text[])`;
  const rows = await selectRows<{
    payable_id: string;
    period: string;
    accrued: string | number;
    last_seq: number;
    paid: string | number;
    last_recovery_seq: number;
  }>(
    db,
    sql`select e.payable_id::text as payable_id, e.period,
        coalesce(sum(e.amount_fen) filter (where e.kind in ('accrual', 'opening')), 0)::bigint as accrued,
        coalesce(max(e.seq) filter (where e.kind = 'accrual'), 0)::int as last_seq,
        coalesce(sum(e.amount_fen) filter (where e.kind = 'payment'), 0)::bigint as paid,
        coalesce(max(e.seq) filter (where e.kind = 'recovery'), 0)::int as last_recovery_seq
      from unnest(${ids}::uuid[]) as b(id)
      cross join lateral (
        select e.* from ledger_entries e
        where e.district_code = ${districtCode} and e.payable_kind in ('entitlement', 'settlement')
          and e.payable_id = b.id ${periodFilter}
        offset 0
      ) e
      group by e.payable_id, e.period`,
  );
  for (const r of rows) {
    out.set(ledgerKey(r.payable_id, r.period), {
      payableId: r.payable_id,
      period: r.period,
      accruedFen: Number(r.accrued),
      lastAccrualSeq: r.last_seq,
      paidFen: Number(r.paid),
      lastRecoverySeq: r.last_recovery_seq,
    });
  }
  return out;
}

/** The entries a run posted (its accruals, for a cancellation's reversals or a check), in key order. */
export async function entriesOfRun(
  db: Db,
  districtCode: string,
  runId: string,
): Promise<
  (Required<Omit<LedgerEntry, 'recoveryId' | 'runId' | 'lineNo'>> & {
    runId: string;
    lineNo: number | null;
    recoveryId: string | null;
  })[]
> {
  const rows = await selectRows<Record<string, unknown>>(
    db,
    sql`select district_code, payable_kind, payable_id::text as payable_id, period, kind, seq, program,
        debit_account, credit_account, amount_fen, run_id::text as run_id, line_no, recovery_id::text as recovery_id,
        posted_on::text as posted_on
      from ledger_entries where district_code = ${districtCode} and run_id = ${runId}::uuid
      order by payable_id, period, kind, seq`,
  );
  return rows.map((r) => ({
    districtCode: r.district_code as string,
    payableKind: r.payable_kind as LedgerEntry['payableKind'],
    payableId: r.payable_id as string,
    period: r.period as string,
    kind: r.kind as LedgerKind,
    seq: Number(r.seq),
    program: r.program as string,
    debitAccount: r.debit_account as string,
    creditAccount: r.credit_account as string,
    amountFen: Number(r.amount_fen),
    runId: r.run_id as string,
    lineNo: r.line_no === null ? null : Number(r.line_no),
    recoveryId: (r.recovery_id as string | null) ?? null,
    postedOn: r.posted_on as string,
  }));
}
