import { sql, type SQL } from 'drizzle-orm';
import type { DataScope } from '../../auth/scope.ts';
import type { Db } from '../../db/store.ts';
import { selectRows } from '../../db/sql.ts';
import type { WorkTx } from '../../workflow/unit-of-work.ts';
import type { ReportBody } from '../report/report.types.ts';
import { verificationMachine } from '../verification.machine.ts';

/**
 * SQL of the periodic re-verification: the batch's requests, their timeline events and source queries in one
 * statement; the reports they got; the change list written and read. District first in every statement.
 */

const json = (value: unknown) => sql`${JSON.stringify(value)}::jsonb`;
const uuids = (ids: readonly string[]) => sql`${`{${ids.join(',')}}`}::uuid[]`;
const texts = (items: readonly string[]) =>
  sql`${`{${items.map((t) => JSON.stringify(t)).join(',')}}`}::text[]`;

/** What differs between the requests of one batch: the rest (purpose, day, deadline, job) is shared. */
export interface NewRecheckRequest {
  id: string;
  requestNo: string;
  householdId: string;
  committeeCode: string;
  personIds: string[];
  authorisationIds: string[];
}

export interface RecheckBatchCommon {
  districtCode: string;
  purpose: string;
  jobId: string;
  asOf: string;
  due: { due: string; from: string; workingDays: number; rule: string; provisional: boolean };
}

/**
 * Inserts the batch's requests (origin recheck, state received, version 1) with their `start` timeline
 * events and one pending query per source — one statement. A household already re-verified for the purpose
 * this month is skipped — by this job (a batch done again after a crash, a job resumed) or by another (the
 * monthly schedule's and a manual run, which the runner keys apart): returns the requests inserted.
 */
export async function insertRecheckRequests(
  tx: WorkTx,
  common: RecheckBatchCommon,
  rows: readonly NewRecheckRequest[],
  sources: readonly string[],
): Promise<{ id: string; householdId: string }[]> {
  if (rows.length === 0) return [];
  const start = verificationMachine.transitions.find((t) => t.action === 'start')!;
  const now = tx.now.toISOString();
  const data = rows.map((r) => ({
    id: r.id,
    request_no: r.requestNo,
    household_id: r.householdId,
    committee_code: r.committeeCode,
    person_ids: r.personIds,
    authorisation_ids: r.authorisationIds,
  }));
  const d = common.districtCode;
  return selectRows<{ id: string; householdId: string }>(
    tx.db,
    sql`with x as (
          select * from jsonb_to_recordset(${json(data)}) as x(id uuid, request_no text, household_id uuid,
            committee_code text, person_ids uuid[], authorisation_ids uuid[])
          where not exists (select 1 from verification_requests r
            where r.district_code = ${d} and r.household_id = x.household_id and r.origin = 'recheck'
              and r.purpose = ${common.purpose} and r.state <> 'withdrawn'
              and r.as_of >= date_trunc('month', ${common.asOf}::date)
              and r.as_of < date_trunc('month', ${common.asOf}::date) + interval '1 month')
        ), req as (
          insert into verification_requests (district_code, id, request_no, household_id, committee_code, purpose,
            origin, person_ids, authorisation_ids, as_of, state, version, partial, due_due, due_from,
            due_working_days, due_rule, due_provisional, job_id, created_by, created_at)
          select ${d}, x.id, x.request_no, x.household_id, x.committee_code, ${common.purpose}, 'recheck',
            x.person_ids, x.authorisation_ids, ${common.asOf}::date, ${start.to}, 1, false, ${common.due.due}::date,
            ${common.due.from}::date, ${common.due.workingDays}, ${common.due.rule}, ${common.due.provisional},
            ${common.jobId}::uuid, ${tx.actor.userId}, ${now}::timestamptz
          from x
          returning id, household_id
        ), events as (
          insert into workflow_event (district_code, entity_type, entity_id, machine, action, from_state, to_state,
            version, actor_id, actor_division, reason, attachments, at)
          select ${d}, ${verificationMachine.entityType}, req.id::text, ${verificationMachine.name}, ${start.action},
            null, ${start.to}, 1, ${tx.actor.userId}, ${tx.actor.divisionCode}, ${tx.actor.reason}, '[]'::jsonb,
            ${now}::timestamptz
          from req
        ), queries as (
          insert into verification_source_queries (district_code, request_id, source, state, attempts)
          select ${d}, req.id, s.source, 'pending', 0 from req cross join unnest(${texts(sources)}) as s(source)
        )
        select id::text as id, household_id::text as "householdId" from req order by id`,
  );
}

/**
 * Fresh statistics for the tables the batch has just filled, in its own transaction (ANALYZE counts the rows
 * the transaction inserted). Without them the planner of a new installation — and of the embedded store,
 * which has no autovacuum — believes the tables empty and answers "which requests have no open query" with a
 * nested loop over every open query of the district per request: 119 ms for 1,000 requests instead of 5 ms,
 * growing with the square of the batch. Once per job: estimates then follow the tables' size.
 */
export async function analyzeRequestTables(tx: WorkTx): Promise<void> {
  await tx.db.execute(sql`analyze verification_requests, verification_source_queries`);
}

export interface ReportedRecheck {
  requestId: string;
  householdId: string;
  body: ReportBody;
}

const REPORTED = sql`r.state in ('reported', 'in_review', 'reviewed')`;

/** The first report (as issued, before any objection) of these requests of the job, if reported. */
export async function reportedOfJob(
  db: Db,
  districtCode: string,
  jobId: string,
  requestIds: readonly string[],
): Promise<ReportedRecheck[]> {
  if (requestIds.length === 0) return [];
  const rows = await selectRows<{ requestId: string; householdId: string; body: ReportBody | string }>(
    db,
    sql`select r.id::text as "requestId", r.household_id::text as "householdId", rep.body
        from verification_requests r
        join verification_reports rep on rep.district_code = r.district_code and rep.request_id = r.id
          and rep.revision = 1
        where r.district_code = ${districtCode} and r.id = any(${uuids(requestIds)})
          and r.job_id = ${jobId}::uuid and ${REPORTED}
        order by r.id`,
  );
  return rows.map((r) => ({
    ...r,
    body: typeof r.body === 'string' ? (JSON.parse(r.body) as ReportBody) : r.body,
  }));
}

/**
 * Requests of the job reported later than they were created — by the gathering job, after a file or HTTP
 * source answered — that have no change rows yet, after `after` (request id order).
 */
export async function laterReportedOfJob(
  db: Db,
  districtCode: string,
  jobId: string,
  after: string | null,
  limit: number,
): Promise<string[]> {
  const rows = await selectRows<{ id: string }>(
    db,
    sql`select r.id::text as id from verification_requests r
        where r.district_code = ${districtCode} and r.job_id = ${jobId}::uuid and ${REPORTED}
          and r.reported_at > r.created_at
          ${after === null ? sql`` : sql`and r.id > ${after}::uuid`}
          and not exists (select 1 from verification_changes c
            where c.district_code = r.district_code and c.job_id = r.job_id and c.request_id = r.id)
        order by r.id
        limit ${limit}`,
  );
  return rows.map((r) => r.id);
}

/** Requests of the job still waiting for a source (received or gathering). */
export async function openRequestsOfJob(db: Db, districtCode: string, jobId: string): Promise<number> {
  const [row] = await selectRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from verification_requests r
        where r.district_code = ${districtCode} and r.job_id = ${jobId}::uuid
          and r.state in ('received', 'gathering')`,
  );
  return row?.n ?? 0;
}

export interface ChangeRow {
  districtCode: string;
  jobId: string;
  requestId: string;
  householdId: string;
  personId: string | null;
  kind: string;
  program: string;
  oldValue: number | null;
  newValue: number | null;
  source: string;
  asOf: string;
  affectsEligibility: boolean;
  affectsAmount: boolean;
}

/** The change rows of a batch, one statement; a request that already has rows of this job is skipped. */
export async function insertChanges(tx: WorkTx, rows: readonly ChangeRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const data = rows.map((r) => ({
    d: r.districtCode,
    j: r.jobId,
    r: r.requestId,
    h: r.householdId,
    p: r.personId,
    k: r.kind,
    g: r.program,
    o: r.oldValue,
    n: r.newValue,
    s: r.source,
    a: r.asOf,
    e: r.affectsEligibility,
    m: r.affectsAmount,
  }));
  const inserted = await selectRows<{ n: number }>(
    tx.db,
    sql`with ins as (
          insert into verification_changes (district_code, job_id, request_id, household_id, person_id, kind,
            program, old_value, new_value, source, as_of, affects_eligibility, affects_amount, created_at)
          select x.d, x.j, x.r, x.h, x.p, x.k, x.g, x.o, x.n, x.s, x.a, x.e, x.m, ${tx.now.toISOString()}::timestamptz
          from jsonb_to_recordset(${json(data)}) as x(d text, j uuid, r uuid, h uuid, p uuid, k text, g text,
            o bigint, n bigint, s text, a date, e boolean, m boolean)
          -- By household (the job index's key; one request per household and job): by request alone each row
          -- would scan the job's every change row, a batch's cost growing with the job.
          where not exists (select 1 from verification_changes c
            where c.district_code = x.d and c.job_id = x.j and c.household_id = x.h and c.request_id = x.r)
          returning 1
        )
        select count(*)::int as n from ins`,
  );
  return inserted[0]?.n ?? 0;
}

// ---- the change list as staff read it ------------------------------------------------------------------

export interface ChangeFilter {
  districtCode: string;
  jobId: string;
  /** Only rows that affect eligibility or amount. */
  affectsOnly: boolean;
  limit: number;
  offset: number;
}

export interface ChangeListRow extends ChangeRow {
  householdNo: string | null;
  committeeCode: string | null;
  personName: string | null;
}

function scopeWhere(scope: DataScope): SQL {
  if (scope.kind === 'all') return sql`true`;
  return sql`h.district_code = ${scope.code.slice(0, 6)} and left(h.committee_code, ${scope.code.length}) = ${scope.code}`;
}

function changeWhere(scope: DataScope, f: ChangeFilter): SQL {
  return sql`c.district_code = ${f.districtCode} and c.job_id = ${f.jobId}::uuid and ${scopeWhere(scope)}
    ${f.affectsOnly ? sql`and (c.affects_eligibility or c.affects_amount)` : sql``}`;
}

/** A page of the job's change list within the caller's scope, by household number, member, kind. */
export async function changePage(
  db: Db,
  scope: DataScope,
  f: ChangeFilter,
): Promise<{ rows: ChangeListRow[]; total: number }> {
  const from = sql`from verification_changes c
    join households h on h.district_code = c.district_code and h.id = c.household_id
    left join persons p on p.district_code = c.district_code and p.id = c.person_id`;
  const where = changeWhere(scope, f);
  const [rows, totals] = await Promise.all([
    selectRows<ChangeListRow>(
      db,
      sql`select c.district_code as "districtCode", c.job_id::text as "jobId", c.request_id::text as "requestId",
            c.household_id::text as "householdId", c.person_id::text as "personId", c.kind, c.program,
            c.old_value as "oldValue", c.new_value as "newValue", c.source, c.as_of::text as "asOf",
            c.affects_eligibility as "affectsEligibility", c.affects_amount as "affectsAmount",
            h.household_no as "householdNo", h.committee_code as "committeeCode", p.name as "personName"
          ${from} where ${where}
          order by h.household_no, c.person_id nulls last, c.kind
          limit ${f.limit} offset ${f.offset}`,
    ),
    selectRows<{ n: number }>(db, sql`select count(*)::int as n ${from} where ${where}`),
  ]);
  return {
    rows: rows.map((r) => ({
      ...r,
      oldValue: r.oldValue === null ? null : Number(r.oldValue),
      newValue: r.newValue === null ? null : Number(r.newValue),
    })),
    total: totals[0]?.n ?? 0,
  };
}

/** Whether a re-verification job's change list has a row for the household (a 核对变化 must come from one). */
export async function householdInChangeList(
  db: Db,
  q: { districtCode: string; jobId: string; householdId: string },
): Promise<boolean> {
  if (!UUID.test(q.jobId)) return false;
  const rows = await selectRows<{ one: number }>(
    db,
    sql`select 1 as one from verification_changes
        where district_code = ${q.districtCode} and job_id = ${q.jobId}::uuid and household_id = ${q.householdId}::uuid
        limit 1`,
  );
  return rows.length > 0;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
