import { and, asc, count, desc, eq, getTableColumns, ne, isNull, sql, type SQL } from 'drizzle-orm';
import type { DataScope } from '../auth/scope.ts';
import type { Db } from '../db/store.ts';
import { shanghaiToday } from '../core/clock.ts';
import { selectRows } from '../db/sql.ts';
import type { WorkTx } from '../workflow/unit-of-work.ts';
import type { EntitlementState } from './entitlement.machine.ts';
import { entitlementChanges, entitlements } from './schema.ts';

/** SQL access to `entitlements` and `entitlement_changes`. */

export type EntitlementRow = typeof entitlements.$inferSelect;
export type ChangeRow = typeof entitlementChanges.$inferSelect;
export type NewChangeRow = typeof entitlementChanges.$inferInsert;

/** The caller's reach: the household's committee (as granted) lies in the scope. */
export function entitlementScopeWhere(scope: DataScope): SQL {
  if (scope.kind === 'all') return sql`true`;
  return and(
    eq(entitlements.districtCode, scope.code.slice(0, 6)),
    sql`left(${entitlements.committeeCode}, ${scope.code.length}) = ${scope.code}`,
  ) as SQL;
}

export async function findEntitlement(
  db: Db,
  scope: DataScope,
  key: { districtCode: string; id: string },
  forUpdate = false,
): Promise<EntitlementRow | undefined> {
  const query = db
    .select()
    .from(entitlements)
    .where(
      and(
        eq(entitlements.districtCode, key.districtCode),
        eq(entitlements.id, key.id),
        entitlementScopeWhere(scope),
      ),
    );
  const rows = forUpdate ? await query.for('update') : await query;
  return rows[0];
}

/** The open entitlement of a program and beneficiary (at most one: entitlements_open_uq), locked. */
export async function openEntitlementOf(
  db: Db,
  key: { districtCode: string; program: string; beneficiaryId: string },
): Promise<EntitlementRow | undefined> {
  const rows = await db
    .select()
    .from(entitlements)
    .where(
      and(
        eq(entitlements.districtCode, key.districtCode),
        eq(entitlements.program, key.program),
        eq(entitlements.beneficiaryId, key.beneficiaryId),
        ne(entitlements.state, 'stopped'),
        isNull(entitlements.toMonth),
      ),
    )
    .for('update');
  return rows[0];
}

export async function insertEntitlement(tx: WorkTx, row: EntitlementRow): Promise<void> {
  await tx.db.insert(entitlements).values(row);
}

/** Compare-and-set on version: the fields a change sets, or false when someone else changed it first. */
export async function updateEntitlement(
  tx: WorkTx,
  key: { districtCode: string; id: string },
  expected: { version: number; state?: EntitlementState },
  set: Partial<Omit<EntitlementRow, 'districtCode' | 'id'>>,
): Promise<boolean> {
  const rows = await tx.db
    .update(entitlements)
    .set({ ...set, updatedAt: tx.now.toISOString() })
    .where(
      and(
        eq(entitlements.districtCode, key.districtCode),
        eq(entitlements.id, key.id),
        eq(entitlements.version, expected.version),
        expected.state ? eq(entitlements.state, expected.state) : undefined,
      ),
    )
    .returning({ id: entitlements.id });
  return rows.length === 1;
}

/** Appends a change, numbered after the entitlement's last one. */
export async function appendChange(tx: WorkTx, row: Omit<NewChangeRow, 'seq'>): Promise<number> {
  const [last] = await tx.db
    .select({ seq: sql<number>`coalesce(max(${entitlementChanges.seq}), 0)::int` })
    .from(entitlementChanges)
    .where(
      and(
        eq(entitlementChanges.districtCode, row.districtCode),
        eq(entitlementChanges.entitlementId, row.entitlementId),
      ),
    );
  const seq = (last?.seq ?? 0) + 1;
  await tx.db.insert(entitlementChanges).values({ ...row, seq });
  return seq;
}

export async function changesOf(db: Db, key: { districtCode: string; id: string }): Promise<ChangeRow[]> {
  return db
    .select()
    .from(entitlementChanges)
    .where(
      and(
        eq(entitlementChanges.districtCode, key.districtCode),
        eq(entitlementChanges.entitlementId, key.id),
      ),
    )
    .orderBy(asc(entitlementChanges.seq));
}

export interface EntitlementFilter {
  districtCode?: string | undefined;
  program?: string | undefined;
  state?: EntitlementState | undefined;
  /** A street (9 digits) or committee (12 digits) code inside the scope. */
  division?: string | undefined;
  householdId?: string | undefined;
  /** The beneficiary or the payee. */
  personId?: string | undefined;
  caseId?: string | undefined;
  limit: number;
  offset: number;
}

function filterWhere(scope: DataScope, f: EntitlementFilter): SQL {
  const t = entitlements;
  return and(
    entitlementScopeWhere(scope),
    f.districtCode ? eq(t.districtCode, f.districtCode) : undefined,
    f.division ? eq(t.districtCode, f.division.slice(0, 6)) : undefined,
    f.division ? sql`left(${t.committeeCode}, ${f.division.length}) = ${f.division}` : undefined,
    f.program ? eq(t.program, f.program) : undefined,
    f.state ? eq(t.state, f.state) : undefined,
    f.householdId ? eq(t.householdId, f.householdId) : undefined,
    f.personId
      ? sql`(${t.personId} = ${f.personId}::uuid or ${t.payeePersonId} = ${f.personId}::uuid)`
      : undefined,
    f.caseId ? eq(t.caseId, f.caseId) : undefined,
  ) as SQL;
}

export async function listEntitlementRows(
  db: Db,
  scope: DataScope,
  filter: EntitlementFilter,
): Promise<{ rows: EntitlementRow[]; total: number }> {
  const where = filterWhere(scope, filter);
  const rows = await db
    .select()
    .from(entitlements)
    .where(where)
    .orderBy(desc(entitlements.createdAt), asc(entitlements.id))
    .limit(filter.limit)
    .offset(filter.offset);
  const [total] = await db.select({ n: count() }).from(entitlements).where(where);
  return { rows, total: total?.n ?? 0 };
}

/** The open (not stopped, no end month) entitlements of a household: what a change or review case revisits. */
export async function openEntitlementsOfHousehold(
  db: Db,
  key: { districtCode: string; householdId: string },
): Promise<EntitlementRow[]> {
  return db
    .select()
    .from(entitlements)
    .where(
      and(
        eq(entitlements.districtCode, key.districtCode),
        eq(entitlements.householdId, key.householdId),
        ne(entitlements.state, 'stopped'),
        isNull(entitlements.toMonth),
      ),
    )
    .orderBy(asc(entitlements.program), asc(entitlements.beneficiaryId));
}

/**
 * SQL for another module's set-based read (the review due list): the household has an open entitlement of the
 * program. The columns are the caller's; the entitlements table stays this repository's.
 */
export function openEntitlementExistsSql(district: SQL, household: SQL, program: SQL): SQL {
  return sql`exists (select 1 from ${entitlements} oe where oe.district_code = ${district}
    and oe.household_id = ${household} and oe.program = ${program}
    and oe.state <> 'stopped' and oe.to_month is null)`;
}

/** The history rows a case's decision wrote (its changes of any entitlement), oldest first. */
/** The history rows a case's decision wrote, with the program of each entitlement (a 先行救助 row has no decision line). */
export async function changesByCase(
  db: Db,
  key: { districtCode: string; caseId: string },
): Promise<(ChangeRow & { program: string })[]> {
  return db
    .select({ ...getTableColumns(entitlementChanges), program: entitlements.program })
    .from(entitlementChanges)
    .innerJoin(
      entitlements,
      and(
        eq(entitlements.districtCode, entitlementChanges.districtCode),
        eq(entitlements.id, entitlementChanges.entitlementId),
      ),
    )
    .where(
      and(eq(entitlementChanges.districtCode, key.districtCode), eq(entitlementChanges.caseId, key.caseId)),
    )
    .orderBy(asc(entitlementChanges.changedAt), asc(entitlementChanges.seq));
}

/** A payable entitlement as the payroll run reads it: the row and when its amount was last set. */
export interface PayableEntitlementRow {
  districtCode: string;
  id: string;
  program: string;
  beneficiaryKind: 'household' | 'person';
  householdId: string;
  personId: string | null;
  committeeCode: string;
  payeePersonId: string;
  bankName: string | null;
  accountNo: string | null;
  schedule: 'monthly' | 'quarterly' | 'once';
  amountFen: number;
  fromMonth: string;
  toMonth: string | null;
  version: number;
  /** The last change that set the amount (created or amount_changed): its instant and first month. */
  amountSetAt: string;
  amountEffectiveMonth: string | null;
}

/**
 * 统发 (src/payroll/compute): the active entitlements payable in `month` of the next `households` households
 * after `afterHouseholdId` (keyset on household id), set-based — one statement per page. Payable: monthly
 * with from ≤ month ≤ to (or open); quarterly (按季) when `month` opens a quarter and the entitlement's months
 * overlap it; once (一次性) only in its from_month. Suspended and stopped ones are not paid.
 */
export async function payableEntitlementsPage(
  db: Db,
  districtCode: string,
  month: string,
  quarter: { opens: boolean; first: string; last: string },
  afterHouseholdId: string | null,
  households: number,
): Promise<PayableEntitlementRow[]> {
  const payable = sql`e.state = 'active' and (
      (e.schedule = 'monthly' and e.from_month <= ${month} and (e.to_month is null or e.to_month >= ${month}))
      or (e.schedule = 'quarterly' and ${quarter.opens} and e.from_month <= ${quarter.last}
        and (e.to_month is null or e.to_month >= ${quarter.first}))
      or (e.schedule = 'once' and e.from_month = ${month}))`;
  const after = afterHouseholdId === null ? sql`` : sql`and e.household_id > ${afterHouseholdId}::uuid`;
  // The page is one key range: its last household first, then every payable entitlement up to it by one index
  // range scan with both bounds known to the planner (a probe per household, or a hash over the whole table,
  // grew with the district; a bound only known while executing misleads the estimate into a JIT compile).
  const [last] = await selectRows<{ id: string }>(
    db,
    sql`select hh.household_id::text as id from (
        select distinct e.household_id from entitlements e
        where e.district_code = ${districtCode} ${after} and ${payable}
        order by e.household_id limit ${households}
      ) hh order by hh.household_id desc limit 1`,
  );
  if (!last) return [];
  const rows = await selectRows<Record<string, unknown>>(
    db,
    sql`select e.district_code, e.id::text as id, e.program, e.beneficiary_kind, e.household_id::text as household_id,
        e.person_id::text as person_id, e.committee_code, e.payee_person_id::text as payee_person_id, e.bank_name,
        e.account_no, e.schedule, e.amount_fen, e.from_month, e.to_month, e.version,
        coalesce(c.changed_at, e.created_at)::text as amount_set_at, c.effective_month
      from entitlements e
      left join lateral (
        select ch.changed_at, ch.effective_month from entitlement_changes ch
        where ch.district_code = e.district_code and ch.entitlement_id = e.id
          and ch.kind in ('created', 'amount_changed')
        order by ch.seq desc limit 1
      ) c on true
      where e.district_code = ${districtCode} ${after} and e.household_id <= ${last.id}::uuid and ${payable}
      order by e.household_id, e.program, e.id`,
  );
  return rows.map((r) => ({
    districtCode: r.district_code as string,
    id: r.id as string,
    program: r.program as string,
    beneficiaryKind: r.beneficiary_kind as 'household' | 'person',
    householdId: r.household_id as string,
    personId: (r.person_id as string | null) ?? null,
    committeeCode: r.committee_code as string,
    payeePersonId: r.payee_person_id as string,
    bankName: (r.bank_name as string | null) ?? null,
    accountNo: (r.account_no as string | null) ?? null,
    schedule: r.schedule as PayableEntitlementRow['schedule'],
    amountFen: Number(r.amount_fen),
    fromMonth: r.from_month as string,
    toMonth: (r.to_month as string | null) ?? null,
    version: Number(r.version),
    amountSetAt: new Date(r.amount_set_at as string).toISOString(),
    amountEffectiveMonth: (r.effective_month as string | null) ?? null,
  }));
}

/** One entitlement's amount moved by the payroll run (a parameter change or an age band), with its history. */
export interface AmountMoveRow {
  districtCode: string;
  id: string;
  version: number;
  amountFen: number;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
  reason: string;
  /** The basis the history names: `parameter_change:<id>` or `age_band`. */
  rule: string;
  effectiveMonth: string;
}

/**
 * Set-based amount moves: the current rows of `ids` (for their snapshots), then per chunk one statement that
 * updates the amounts (compare-and-set on version) and appends each moved one's `amount_changed` history row,
 * numbered after its last. Returns the ids moved (a stale version is left out).
 */
export async function entitlementRowsOf(
  db: Db,
  districtCode: string,
  ids: readonly string[],
): Promise<EntitlementRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(entitlements)
    .where(
      and(
        eq(entitlements.districtCode, districtCode),
        sql`${entitlements.id} = any(${`{${ids.join(',')}}`}::uuid[])`,
      ),
    );
}

export async function moveAmounts(tx: WorkTx, moves: readonly AmountMoveRow[]): Promise<string[]> {
  const moved: string[] = [];
  const at = tx.now.toISOString();
  const day = shanghaiToday(tx.now);
  for (let i = 0; i < moves.length; i += 1000) {
    const chunk = moves.slice(i, i + 1000);
    const values = chunk.map(
      (m) =>
        sql`(${m.districtCode}, ${m.id}::uuid, ${m.version}::int, ${m.amountFen}::bigint, ${JSON.stringify(m.before)}::jsonb,
          ${JSON.stringify(m.after)}::jsonb, ${m.reason}, ${m.rule}, ${m.effectiveMonth})`,
    );
    const rows = await selectRows<{ id: string }>(
      tx.db,
      sql`with v (district_code, id, version, amount_fen, before, after, reason, rule, effective_month) as (
          values ${sql.join(values, sql`, `)}
        ), upd as (
          update entitlements e set amount_fen = v.amount_fen, version = e.version + 1, updated_at = ${at}::timestamptz
          from v where e.district_code = v.district_code and e.id = v.id and e.version = v.version
          returning e.district_code, e.id
        ), ins as (
          insert into entitlement_changes (district_code, entitlement_id, seq, kind, before, after, reason, case_id,
            decision_program, rule, actor_id, effective_month, changed_on, changed_at)
          select v.district_code, v.id, coalesce((select max(c.seq) from entitlement_changes c
              where c.district_code = v.district_code and c.entitlement_id = v.id), 0) + 1,
            'amount_changed', v.before, v.after, v.reason, null, null, v.rule, ${tx.actor.userId},
            v.effective_month, ${day}::date, ${at}::timestamptz
          from v join upd on upd.district_code = v.district_code and upd.id = v.id
          returning entitlement_id
        )
        select entitlement_id::text as id from ins`,
    );
    moved.push(...rows.map((r) => r.id));
  }
  return moved;
}
