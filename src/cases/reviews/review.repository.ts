import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { DataScope } from '../../auth/scope.ts';
import { prefixRange } from '../../core/text.ts';
import type { Db } from '../../db/store.ts';
import { selectRows } from '../../db/sql.ts';
import { openEntitlementExistsSql } from '../../entitlements/entitlement.repository.ts';
import type { WorkTx } from '../../workflow/unit-of-work.ts';
import { CLOSED_STATES } from '../cases.machine.ts';
import { caseReviewSchedules } from '../schema.ts';

/** SQL of the review schedules (case_review_schedules) and the due list. */

export type ScheduleRow = typeof caseReviewSchedules.$inferSelect;

export async function upsertSchedule(tx: WorkTx, row: ScheduleRow): Promise<void> {
  const { districtCode: _d, householdId: _h, program: _p, ...rest } = row;
  await tx.db
    .insert(caseReviewSchedules)
    .values(row)
    .onConflictDoUpdate({
      target: [
        caseReviewSchedules.districtCode,
        caseReviewSchedules.householdId,
        caseReviewSchedules.program,
      ],
      set: rest,
    });
}

export async function schedulesOf(
  db: Db,
  key: { districtCode: string; householdId: string },
): Promise<ScheduleRow[]> {
  return db
    .select()
    .from(caseReviewSchedules)
    .where(
      and(
        eq(caseReviewSchedules.districtCode, key.districtCode),
        eq(caseReviewSchedules.householdId, key.householdId),
      ),
    );
}

/** A division (district, street or committee) as a range of committee codes on `s`. */
function divisionWhere(code: string): SQL {
  const district = sql`s.district_code = ${code.slice(0, 6)}`;
  const range = code.length > 6 ? prefixRange(code) : undefined;
  if (!range) return district;
  return sql`${district} and s.committee_code >= ${range.from} and s.committee_code < ${range.to}`;
}

const closedList = sql.join(
  CLOSED_STATES.map((s) => sql`${s}`),
  sql`, `,
);

export interface DueRow {
  district_code: string;
  household_id: string;
  committee_code: string;
  due_month: string;
  programs: string[];
  household_type: string;
  open_case_id: string | null;
  open_case_no: string | null;
  basis_case_id: string;
  last_reviewed_month: string | null;
}

export interface DueQuery {
  scope: DataScope;
  /** Due on or before this month (YYYY-MM). */
  month: string;
  division?: string | undefined;
  districtCode?: string | undefined;
  householdId?: string | undefined;
  /** Only households without an open review case (the job's batch), after this household id. */
  unopenedAfter?: string | undefined;
  limit: number;
  offset: number;
}

/**
 * Households due for review by `month` in the scope: one row per household with the programs due (those still
 * with an open entitlement), the earliest due month and the open review case if any. One statement.
 */
export async function dueRows(db: Db, q: DueQuery): Promise<{ rows: DueRow[]; total: number }> {
  const parts: SQL[] = [
    sql`s.next_due_month is not null and s.next_due_month <= ${q.month}`,
    openEntitlementExistsSql(sql`s.district_code`, sql`s.household_id`, sql`s.program`),
  ];
  if (q.scope.kind === 'division') parts.push(divisionWhere(q.scope.code));
  if (q.division) parts.push(divisionWhere(q.division));
  if (q.districtCode) parts.push(sql`s.district_code = ${q.districtCode}`);
  if (q.householdId) parts.push(sql`s.household_id = ${q.householdId}::uuid`);
  const openCase = sql`(select c.id from cases c where c.district_code = s.district_code
      and c.household_id = s.household_id and c.kind = 'review' and c.state not in (${closedList})
      order by c.created_at desc limit 1)`;
  if (q.unopenedAfter !== undefined) {
    parts.push(sql`${openCase} is null and s.household_id > ${q.unopenedAfter}::uuid`);
  }
  const where = sql.join(parts, sql` and `);
  const base = sql`select s.district_code, s.household_id, min(s.committee_code) as committee_code,
      min(s.next_due_month) as due_month, array_agg(s.program order by s.program) as programs,
      min(s.household_type) as household_type, max(s.last_reviewed_month) as last_reviewed_month,
      (array_agg(s.basis_case_id::text order by s.updated_at desc))[1] as basis_case_id
    from case_review_schedules s where ${where}
    group by s.district_code, s.household_id`;
  const rows = await selectRows<DueRow>(
    db,
    sql`select d.*, oc.id::text as open_case_id, oc.case_no as open_case_no
      from (${base}) d
      left join lateral (select c.id, c.case_no from cases c where c.district_code = d.district_code
        and c.household_id = d.household_id and c.kind = 'review' and c.state not in (${closedList})
        order by c.created_at desc limit 1) oc on true
      order by ${q.unopenedAfter !== undefined ? sql`d.household_id` : sql`d.due_month, d.household_id`}
      limit ${q.limit} offset ${q.offset}`,
  );
  const total =
    q.unopenedAfter !== undefined
      ? rows.length
      : Number(
          (await selectRows<{ n: string | number }>(db, sql`select count(*) as n from (${base}) d`))[0]?.n ??
            0,
        );
  return { rows, total };
}

/** The applicant and phone of a case (a review case reuses those of the case that granted the program). */
export async function caseContact(
  db: Db,
  key: { districtCode: string; id: string },
): Promise<{ applicantPersonId: string; contactPhone: string } | undefined> {
  const rows = await selectRows<{ applicant_person_id: string; contact_phone: string }>(
    db,
    sql`select applicant_person_id, contact_phone from cases where district_code = ${key.districtCode} and id = ${key.id}::uuid`,
  );
  const r = rows[0];
  return r ? { applicantPersonId: r.applicant_person_id, contactPhone: r.contact_phone } : undefined;
}
