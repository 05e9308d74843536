import { sql, type SQL } from 'drizzle-orm';
import type { DataScope } from '../auth/scope.ts';
import type { Db } from '../db/store.ts';
import { selectRows } from '../db/sql.ts';
import type { WorkTx } from '../workflow/unit-of-work.ts';
import type { ControlRule, RunCheck } from './rules/rule.ts';

/**
 * The controls module's SQL. Findings are this module's rows; the run (its month and preparer) is read from
 * payroll_runs, as the rules read the other modules' tables (docs/controls.md: the internal-control
 * platform sees everything).
 */

export type FindingState = 'open' | 'resolved' | 'dismissed';

export interface FindingRow {
  districtCode: string;
  id: string;
  rule: string;
  severity: 'blocking' | 'warning';
  runId: string | null;
  month: string | null;
  subjectKind: string;
  subjectKey: string;
  lineNo: number | null;
  payableId: string | null;
  personId: string | null;
  householdId: string | null;
  caseId: string | null;
  description: string;
  state: FindingState;
  resolution: string | null;
  ownerId: string | null;
  dueOn: string;
  foundAt: string;
  checkedAt: string;
  resolvedBy: string | null;
  resolvedAt: string | null;
  version: number;
  /** Read with the finding: the run's preparer (null outside runs) and the names of people. */
  runPreparedBy: string | null;
  runState: string | null;
  personName: string | null;
  householdNo: string | null;
  /** 户主姓名: whom a household finding concerns. */
  householdHeadName: string | null;
  ownerName: string | null;
  resolvedByName: string | null;
}

export interface RunInfo {
  districtCode: string;
  id: string;
  month: string;
  state: string;
  preparedBy: string;
}

export async function runInfo(db: Db, districtCode: string, runId: string): Promise<RunInfo | null> {
  const [row] = await selectRows<RunInfo>(
    db,
    sql`select district_code as "districtCode", id::text as id, month, state, prepared_by as "preparedBy"
      from payroll_runs where district_code = ${districtCode} and id = ${runId}::uuid`,
  );
  return row ?? null;
}

export interface FileFindings {
  rule: ControlRule;
  check: RunCheck;
  ownerId: string | null;
  dueOn: string;
  /** This check's id: every finding it files or meets carries it. */
  checkId: string;
}

/**
 * Files a rule's findings for a run: one INSERT … SELECT over the rule's SELECT. An open finding of the same
 * rule and subject is met, not doubled: it moves to this run and its description is brought up to date; a
 * subject whose finding was dismissed is not raised again. Returns the ids and subjects written (new or met).
 */
export async function fileFindings(
  tx: WorkTx,
  f: FileFindings,
): Promise<{ id: string; subjectKey: string; inserted: boolean }[]> {
  const at = tx.now.toISOString();
  const { check, rule } = f;
  return selectRows<{ id: string; subjectKey: string; inserted: boolean }>(
    tx.db,
    sql`insert into control_findings (district_code, id, rule, severity, run_id, month, subject_kind, subject_key,
        line_no, payable_id, person_id, household_id, case_id, description, state, owner_id, due_on, found_at,
        checked_at, check_id, version, created_at, updated_at)
      select ${check.districtCode}::text, gen_random_uuid(), ${rule.code}::text, ${rule.severity}::text,
        ${check.runId}::uuid, ${check.month}::text, s.subject_kind, s.subject_key, s.line_no, s.payable_id, s.person_id, s.household_id,
        s.case_id, s.description, 'open', ${f.ownerId}::text, ${f.dueOn}::date, ${at}::timestamptz, ${at}::timestamptz,
        ${f.checkId}::uuid, 1, ${at}::timestamptz, ${at}::timestamptz
      from (
        select distinct on (q.subject_key) q.* from (${rule.select(check)}) q order by q.subject_key, q.line_no
      ) s
      where not exists (
        select 1 from control_findings d where d.district_code = ${check.districtCode} and d.rule = ${rule.code}
          and d.subject_key = s.subject_key and d.state = 'dismissed')
      on conflict (district_code, rule, subject_key) where state = 'open'
      do update set run_id = excluded.run_id, month = excluded.month, line_no = excluded.line_no,
        description = excluded.description, checked_at = excluded.checked_at,
        check_id = excluded.check_id, updated_at = excluded.updated_at
      returning id::text as id, subject_key as "subjectKey", (created_at = updated_at) as inserted`,
  );
}

/**
 * Open findings of the month's runs that this check no longer found (the line was fixed, the run
 * recomputed without it): resolved by the system with the reason. Returns their ids.
 */
export async function resolveNoLongerFound(
  tx: WorkTx,
  check: RunCheck,
  checkId: string,
  rules: readonly string[],
  resolution: string,
): Promise<string[]> {
  const at = tx.now.toISOString();
  const rows = await selectRows<{ id: string }>(
    tx.db,
    sql`update control_findings set state = 'resolved', resolution = ${resolution}, resolved_by = ${tx.actor.userId},
        resolved_at = ${at}::timestamptz, version = version + 1, updated_at = ${at}::timestamptz
      where district_code = ${check.districtCode} and month = ${check.month} and run_id is not null
        and state = 'open' and check_id <> ${checkId}::uuid
        and rule in (${sql.join(
          rules.map((r) => sql`${r}`),
          sql`, `,
        )})
      returning id::text as id`,
  );
  return rows.map((r) => r.id);
}

export async function countOpen(
  db: Db,
  districtCode: string,
  runId: string,
): Promise<{ findings: number; blocking: number }> {
  const [row] = await selectRows<{ findings: number; blocking: number }>(
    db,
    sql`select count(*)::int as findings, (count(*) filter (where severity = 'blocking'))::int as blocking
      from control_findings where district_code = ${districtCode} and run_id = ${runId}::uuid and state = 'open'`,
  );
  return row ?? { findings: 0, blocking: 0 };
}

function scopeWhere(scope: DataScope): SQL {
  return scope.kind === 'all' ? sql`true` : sql`f.district_code like ${`${scope.code}%`}`;
}

const SELECT_FINDING = sql`select f.district_code as "districtCode", f.id::text as id, f.rule, f.severity,
    f.run_id::text as "runId", f.month, f.subject_kind as "subjectKind", f.subject_key as "subjectKey",
    f.line_no as "lineNo", f.payable_id::text as "payableId", f.person_id::text as "personId",
    f.household_id::text as "householdId", f.case_id::text as "caseId", f.description, f.state, f.resolution,
    f.owner_id as "ownerId", f.due_on::text as "dueOn", f.found_at as "foundAt", f.checked_at as "checkedAt",
    f.resolved_by as "resolvedBy", f.resolved_at as "resolvedAt", f.version,
    r.prepared_by as "runPreparedBy", r.state as "runState", p.name as "personName",
    h.household_no as "householdNo", h.head_name as "householdHeadName", ou.display_name as "ownerName", ru.display_name as "resolvedByName"
  from control_findings f
  left join payroll_runs r on r.district_code = f.district_code and r.id = f.run_id
  left join persons p on p.district_code = f.district_code and p.id = f.person_id
  left join households h on h.district_code = f.district_code and h.id = f.household_id
  left join users ou on ou.id::text = f.owner_id
  left join users ru on ru.id::text = f.resolved_by`;

export interface FindingFilter {
  districtCode?: string | undefined;
  runId?: string | undefined;
  rule?: string | undefined;
  severity?: string | undefined;
  state?: FindingState | undefined;
  ownerId?: string | undefined;
  month?: string | undefined;
  overdueOn?: string | undefined;
  limit: number;
  offset: number;
}

export async function listFindings(
  db: Db,
  scope: DataScope,
  filter: FindingFilter,
): Promise<{ total: number; rows: FindingRow[] }> {
  const conditions: SQL[] = [scopeWhere(scope)];
  if (filter.districtCode) conditions.push(sql`f.district_code = ${filter.districtCode}`);
  if (filter.runId) conditions.push(sql`f.run_id = ${filter.runId}::uuid`);
  if (filter.rule) conditions.push(sql`f.rule = ${filter.rule}`);
  if (filter.severity) conditions.push(sql`f.severity = ${filter.severity}`);
  if (filter.state) conditions.push(sql`f.state = ${filter.state}`);
  if (filter.ownerId) conditions.push(sql`f.owner_id = ${filter.ownerId}`);
  if (filter.month) conditions.push(sql`f.month = ${filter.month}`);
  if (filter.overdueOn) conditions.push(sql`f.state = 'open' and f.due_on < ${filter.overdueOn}::date`);
  const where = sql.join(conditions, sql` and `);
  const [count] = await selectRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from control_findings f where ${where}`,
  );
  const rows = await selectRows<FindingRow>(
    db,
    sql`${SELECT_FINDING} where ${where}
      order by (f.state = 'open') desc, (f.severity = 'blocking') desc, f.due_on, f.found_at desc, f.id
      limit ${filter.limit} offset ${filter.offset}`,
  );
  return { total: count?.n ?? 0, rows };
}

export async function findingById(
  db: Db,
  scope: DataScope,
  districtCode: string,
  id: string,
): Promise<FindingRow | null> {
  const [row] = await selectRows<FindingRow>(
    db,
    sql`${SELECT_FINDING} where f.district_code = ${districtCode} and f.id = ${id}::uuid and ${scopeWhere(scope)}`,
  );
  return row ?? null;
}

/** Compare-and-set: open → resolved | dismissed, only from the version the user saw. True when it changed. */
export async function closeFinding(
  tx: WorkTx,
  key: { districtCode: string; id: string },
  expected: { version: number },
  next: { state: 'resolved' | 'dismissed'; resolution: string },
): Promise<boolean> {
  const at = tx.now.toISOString();
  const rows = await selectRows<{ id: string }>(
    tx.db,
    sql`update control_findings set state = ${next.state}, resolution = ${next.resolution},
        resolved_by = ${tx.actor.userId}, resolved_at = ${at}::timestamptz, version = version + 1,
        updated_at = ${at}::timestamptz
      where district_code = ${key.districtCode} and id = ${key.id}::uuid and state = 'open'
        and version = ${expected.version}
      returning id::text as id`,
  );
  return rows.length === 1;
}
