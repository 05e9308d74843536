import { and, count, desc, eq, inArray, ne, sql, type SQL } from 'drizzle-orm';
import type { DataScope } from '../../auth/scope.ts';
import { selectRows } from '../../db/sql.ts';
import type { Db } from '../../db/store.ts';
import type { WorkTx } from '../../workflow/unit-of-work.ts';
import type { payrollLines } from '../schema.ts';
import { payrollRuns } from '../schema.ts';
import type { RunState } from './run.machine.ts';

/** SQL access to `payroll_runs` and `payroll_lines` for the run's life, its review and its pages. */

export type RunRow = typeof payrollRuns.$inferSelect;
export type LineRow = typeof payrollLines.$inferSelect;
export interface RunKey {
  districtCode: string;
  runId: string;
}

/** A run lies in reach of a district's (or the city's) staff: the run is the district's. */
export function runInReach(scope: DataScope, districtCode: string): boolean {
  return scope.kind === 'all' || scope.code === districtCode;
}

/** The part of a district a scope sees of a run's lines (a committee prefix), '' for all of it. */
function linePrefix(scope: DataScope): string {
  return scope.kind === 'all' ? '' : scope.code;
}

export async function insertRun(tx: WorkTx, row: typeof payrollRuns.$inferInsert): Promise<void> {
  await tx.db.insert(payrollRuns).values(row);
}

export async function findRun(db: Db, key: RunKey, forUpdate = false): Promise<RunRow | undefined> {
  const query = db
    .select()
    .from(payrollRuns)
    .where(and(eq(payrollRuns.districtCode, key.districtCode), eq(payrollRuns.id, key.runId)));
  const rows = forUpdate ? await query.for('update') : await query;
  return rows[0];
}

/** The run of a month that is not cancelled (at most one: payroll_runs_month_uq). */
export async function openRunOfMonth(
  db: Db,
  districtCode: string,
  month: string,
): Promise<RunRow | undefined> {
  const rows = await db
    .select()
    .from(payrollRuns)
    .where(
      and(
        eq(payrollRuns.districtCode, districtCode),
        eq(payrollRuns.month, month),
        ne(payrollRuns.state, 'cancelled'),
      ),
    );
  return rows[0];
}

export type RunStamp = Partial<
  Pick<
    RunRow,
    | 'checkedBy'
    | 'checkedAt'
    | 'approvedBy'
    | 'approvedAt'
    | 'exportedBy'
    | 'exportedAt'
    | 'closedAt'
    | 'lineCount'
    | 'totalFen'
    | 'heldCount'
    | 'heldFen'
  >
>;

/** Compare-and-set on state and version, with the step's own columns; true when the row changed. */
export async function saveRunState(
  tx: WorkTx,
  key: RunKey,
  expected: { state: RunState; version: number },
  next: { state: RunState; version: number },
  stamp: RunStamp = {},
): Promise<boolean> {
  const rows = await tx.db
    .update(payrollRuns)
    .set({ ...stamp, state: next.state, version: next.version, updatedAt: tx.now.toISOString() })
    .where(
      and(
        eq(payrollRuns.districtCode, key.districtCode),
        eq(payrollRuns.id, key.runId),
        eq(payrollRuns.state, expected.state),
        eq(payrollRuns.version, expected.version),
      ),
    )
    .returning({ id: payrollRuns.id });
  return rows.length === 1;
}

/** A change to a run's lines (a review) moves its version, so that a checker's stale page is refused. */
export async function bumpRunVersion(
  tx: WorkTx,
  key: RunKey,
  expected: { states: readonly RunState[]; version?: number | undefined },
): Promise<number | null> {
  const rows = await tx.db
    .update(payrollRuns)
    .set({ version: sql`${payrollRuns.version} + 1`, updatedAt: tx.now.toISOString() })
    .where(
      and(
        eq(payrollRuns.districtCode, key.districtCode),
        eq(payrollRuns.id, key.runId),
        inArray(payrollRuns.state, [...expected.states]),
        expected.version === undefined ? sql`true` : eq(payrollRuns.version, expected.version),
      ),
    )
    .returning({ version: payrollRuns.version });
  return rows[0]?.version ?? null;
}

export interface RunFilter {
  districtCode?: string | undefined;
  month?: string | undefined;
  state?: RunState | undefined;
  limit: number;
  offset: number;
}

export async function listRunRows(
  db: Db,
  scope: DataScope,
  filter: RunFilter,
): Promise<{ rows: RunRow[]; total: number }> {
  const where = and(
    scope.kind === 'all' ? sql`true` : eq(payrollRuns.districtCode, scope.code.slice(0, 6)),
    filter.districtCode ? eq(payrollRuns.districtCode, filter.districtCode) : sql`true`,
    filter.month ? eq(payrollRuns.month, filter.month) : sql`true`,
    filter.state ? eq(payrollRuns.state, filter.state) : sql`true`,
  );
  const rows = await db
    .select()
    .from(payrollRuns)
    .where(where)
    .orderBy(desc(payrollRuns.month), desc(payrollRuns.createdAt))
    .limit(filter.limit)
    .offset(filter.offset);
  const [total] = await db.select({ n: count() }).from(payrollRuns).where(where);
  return { rows, total: total?.n ?? 0 };
}

/** 汇总: per program and line state, 人次 (lines), 户次 (households) and 金额 (fen), in the caller's part. */
export interface ProgramTotalRow {
  program: string;
  state: string;
  lines: number;
  households: number;
  amountFen: number;
}

export async function totalsOfRun(db: Db, scope: DataScope, key: RunKey): Promise<ProgramTotalRow[]> {
  const rows = await selectRows<{
    program: string;
    state: string;
    lines: number;
    households: number;
    amount: string | number;
  }>(
    db,
    sql`select program, state, count(*)::int as lines, count(distinct household_id)::int as households,
        coalesce(sum(amount_fen), 0)::bigint as amount
      from payroll_lines
      where district_code = ${key.districtCode} and run_id = ${key.runId}::uuid
        and left(committee_code, ${linePrefix(scope).length}) = ${linePrefix(scope)}
      group by program, state order by program, state`,
  );
  return rows.map((r) => ({
    program: r.program,
    state: r.state,
    lines: r.lines,
    households: r.households,
    amountFen: Number(r.amount),
  }));
}

export interface LineFilter {
  program?: string | undefined;
  state?: string | undefined;
  kind?: string | undefined;
  committee?: string | undefined;
  /** A name (part of it) or an ID number of the payee or the beneficiary. */
  search?: string | undefined;
  lineNos?: readonly number[] | undefined;
  holdReason?: string | undefined;
}

function lineWhere(scope: DataScope, key: RunKey, f: LineFilter): SQL {
  const parts: SQL[] = [
    sql`l.district_code = ${key.districtCode}`,
    sql`l.run_id = ${key.runId}::uuid`,
    sql`left(l.committee_code, ${linePrefix(scope).length}) = ${linePrefix(scope)}`,
  ];
  if (f.program) parts.push(sql`l.program = ${f.program}`);
  if (f.state) parts.push(sql`l.state = ${f.state}`);
  if (f.kind) parts.push(sql`l.kind = ${f.kind}`);
  if (f.committee) parts.push(sql`left(l.committee_code, ${f.committee.length}) = ${f.committee}`);
  if (f.holdReason) parts.push(sql`l.hold_reason = ${f.holdReason}`);
  if (f.lineNos) parts.push(sql`l.line_no = any(${`{${f.lineNos.join(',')}}`}::int[])`);
  if (f.search) {
    const s = f.search.trim();
    const like = `%${s.replaceAll('\\', '\\\\').replaceAll('%', '\\%').replaceAll('_', '\\_')}%`;
    parts.push(sql`exists (select 1 from persons p where p.district_code = l.district_code
      and p.id in (l.payee_person_id, l.person_id) and (p.id_number = ${s.toUpperCase()} or p.name like ${like}))`);
  }
  return sql.join(parts, sql` and `);
}

export interface LinePageRow extends LineRow {
  payeeName: string | null;
  payeeIdNumber: string | null;
  personName: string | null;
  personIdNumber: string | null;
}

const LINE_SELECT = sql`l.district_code as "districtCode", l.run_id::text as "runId", l.line_no as "lineNo",
  l.payable_kind as "payableKind", l.payable_id::text as "payableId", l.program, l.household_id::text as "householdId",
  l.person_id::text as "personId", l.committee_code as "committeeCode", l.period, l.kind, l.amount_fen as "amountFen",
  l.entitlement_amount_fen as "entitlementAmountFen", l.engine_amount_fen as "engineAmountFen",
  l.basis_kind as "basisKind", l.basis_ref as "basisRef", l.state, l.hold_reason as "holdReason",
  l.payee_person_id::text as "payeePersonId", l.account_kind as "accountKind", l.bank_code as "bankCode",
  l.bank_name as "bankName", l.account_no as "accountNo", l.bank_ref as "bankRef", l.paid_on::text as "paidOn",
  l.failure_reason as "failureReason", l.carried_from_run::text as "carriedFromRun",
  l.carried_from_line as "carriedFromLine", l.reviewed_by as "reviewedBy", l.reviewed_at as "reviewedAt"`;

function numberLine<T extends LineRow>(r: T): T {
  return {
    ...r,
    amountFen: Number(r.amountFen),
    entitlementAmountFen: r.entitlementAmountFen === null ? null : Number(r.entitlementAmountFen),
    engineAmountFen: r.engineAmountFen === null ? null : Number(r.engineAmountFen),
    reviewedAt: r.reviewedAt === null ? null : new Date(r.reviewedAt).toISOString(),
  };
}

export async function listLineRows(
  db: Db,
  scope: DataScope,
  key: RunKey,
  filter: LineFilter,
  page: { limit: number; offset: number },
): Promise<{ rows: LinePageRow[]; total: number }> {
  const where = lineWhere(scope, key, filter);
  const rows = await selectRows<LinePageRow>(
    db,
    sql`select ${LINE_SELECT}, py.name as "payeeName", py.id_number as "payeeIdNumber",
        pr.name as "personName", pr.id_number as "personIdNumber"
      from payroll_lines l
      left join persons py on py.district_code = l.district_code and py.id = l.payee_person_id
      left join persons pr on pr.district_code = l.district_code and pr.id = l.person_id
      where ${where} order by l.line_no limit ${page.limit} offset ${page.offset}`,
  );
  const [total] = await selectRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from payroll_lines l where ${where}`,
  );
  return { rows: rows.map(numberLine), total: total?.n ?? 0 };
}

/** The held lines a review acts on (the filter's, in the caller's part), locked. */
export async function heldLinesForUpdate(
  tx: WorkTx,
  scope: DataScope,
  key: RunKey,
  filter: LineFilter,
): Promise<LineRow[]> {
  const rows = await selectRows<LineRow>(
    tx.db,
    sql`select ${LINE_SELECT} from payroll_lines l
      where ${lineWhere(scope, key, { ...filter, state: 'held' })} order by l.line_no for update`,
  );
  return rows.map(numberLine);
}

/** Writes the review of held lines in one statement: state, amount, reviewer. */
export async function saveReviewedLines(
  tx: WorkTx,
  key: RunKey,
  reviewed: readonly { lineNo: number; state: 'released' | 'excluded'; amountFen: number }[],
): Promise<number> {
  if (reviewed.length === 0) return 0;
  const nos = `{${reviewed.map((r) => r.lineNo).join(',')}}`;
  const states = `{${reviewed.map((r) => r.state).join(',')}}`;
  const amounts = `{${reviewed.map((r) => r.amountFen).join(',')}}`;
  const rows = await selectRows<{ n: number }>(
    tx.db,
    sql`with r as (select * from unnest(${nos}::int[], ${states}::text[], ${amounts}::bigint[]) as r(line_no, state, amount)),
      u as (update payroll_lines l set state = r.state, amount_fen = r.amount, reviewed_by = ${tx.actor.userId},
          reviewed_at = ${tx.now.toISOString()}::timestamptz
        from r where l.district_code = ${key.districtCode} and l.run_id = ${key.runId}::uuid
          and l.line_no = r.line_no and l.state = 'held'
        returning 1)
      select count(*)::int as n from u`,
  );
  return rows[0]?.n ?? 0;
}

export interface RunTotals {
  lineCount: number;
  totalFen: number;
  heldCount: number;
  heldFen: number;
}

/** Lines and fen payable (neither held nor excluded), and still held, of the run. */
export async function runTotals(db: Db, key: RunKey): Promise<RunTotals> {
  const [row] = await selectRows<{
    n: number;
    fen: string | number;
    held: number;
    held_fen: string | number;
  }>(
    db,
    sql`select count(*) filter (where state not in ('held', 'excluded'))::int as n,
        coalesce(sum(amount_fen) filter (where state not in ('held', 'excluded')), 0)::bigint as fen,
        count(*) filter (where state = 'held')::int as held,
        coalesce(sum(amount_fen) filter (where state = 'held'), 0)::bigint as held_fen
      from payroll_lines where district_code = ${key.districtCode} and run_id = ${key.runId}::uuid`,
  );
  return {
    lineCount: row?.n ?? 0,
    totalFen: Number(row?.fen ?? 0),
    heldCount: row?.held ?? 0,
    heldFen: Number(row?.held_fen ?? 0),
  };
}

/** The run's totals recomputed from its lines after a review (the list and the approval read them). */
export async function refreshRunTotals(tx: WorkTx, key: RunKey): Promise<void> {
  const t = await runTotals(tx.db, key);
  await tx.db.execute(
    sql`update payroll_runs set line_count = ${t.lineCount}, total_fen = ${t.totalFen}, held_count = ${t.heldCount},
        held_fen = ${t.heldFen}
      where district_code = ${key.districtCode} and id = ${key.runId}::uuid`,
  );
}

/** Lines of the run in each state (all of them, whatever the caller's part: the run's own checks). */
export async function lineStateCounts(db: Db, key: RunKey): Promise<Map<string, number>> {
  const rows = await selectRows<{ state: string; n: number }>(
    db,
    sql`select state, count(*)::int as n from payroll_lines
      where district_code = ${key.districtCode} and run_id = ${key.runId}::uuid group by state`,
  );
  return new Map(rows.map((r) => [r.state, r.n]));
}

/**
 * The fund account a payable's accruals were debited to (its latest accrual or opening entry), if any: a
 * released line or a recovery posts against the same funding source.
 */
export async function lastFundAccount(
  db: Db,
  districtCode: string,
  payableId: string,
): Promise<string | undefined> {
  const rows = await selectRows<{ account: string }>(
    db,
    sql`select debit_account as account from ledger_entries
      where district_code = ${districtCode} and payable_id = ${payableId}::uuid and kind in ('accrual', 'opening')
        and amount_fen > 0
      order by period desc, seq desc limit 1`,
  );
  return rows[0]?.account;
}

/** A run by its id alone (the command line names a run without its district). */
export async function findRunById(db: Db, runId: string): Promise<RunRow | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(runId)) return undefined;
  const rows = await db.select().from(payrollRuns).where(eq(payrollRuns.id, runId));
  return rows[0];
}
