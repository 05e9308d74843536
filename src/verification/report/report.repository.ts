import { sql } from 'drizzle-orm';
import type { Db, Session } from '../../db/store.ts';
import type { WorkTx } from '../../workflow/unit-of-work.ts';
import { verificationMachine } from '../verification.machine.ts';
import { selectRows } from '../../db/sql.ts';
import { isAnswerKind, isSourceCode } from '../sources/catalogue.ts';
import type { QueryOutcome, QueryState, RawAnswer, ReportBody } from './report.types.ts';
import { csvField } from '../../db/csv.ts';

/**
 * SQL of the reports: the set-based reads and writes of issuing many reports at once (a few statements
 * whatever the number of requests), and the single reads of one request's report, revisions and answers.
 * Every statement names the district first (the tables are distributed by it).
 */

function uuids(ids: readonly string[]) {
  return sql`${`{${ids.join(',')}}`}::uuid[]`;
}

export interface ReadyRequest {
  districtCode: string;
  id: string;
  requestNo: string;
  householdId: string;
  committeeCode: string;
  purpose: string;
  personIds: string[];
  asOf: string;
  version: number;
}

/**
 * The requests among `ids` that are gathering and whose every source query is terminal (answered, failed,
 * timed out), locked for the rest of the unit (the report step is a compare-and-set on them afterwards).
 * Oldest first: when two requests of one household are reported together, the later one's facts stand.
 */
export async function readyRequests(
  db: Db,
  districtCode: string,
  ids: readonly string[],
  fromStates: readonly string[],
): Promise<ReadyRequest[]> {
  const rows = await selectRows<{
    id: string;
    request_no: string;
    household_id: string;
    committee_code: string;
    purpose: string;
    person_ids: string[] | string;
    as_of: string;
    version: number;
  }>(
    db,
    sql`select r.id::text, r.request_no, r.household_id::text, r.committee_code, r.purpose,
          r.person_ids::text[] as person_ids, r.as_of::text, r.version
        from verification_requests r
        where r.district_code = ${districtCode} and r.id = any(${uuids(ids)})
          and r.state = any(${`{${fromStates.join(',')}}`}::text[])
          and not exists (select 1 from verification_source_queries q
            where q.district_code = r.district_code and q.request_id = r.id and q.state in ('pending','sent'))
        order by r.as_of, r.created_at, r.id
        for update of r`,
  );
  return rows.map((r) => ({
    districtCode,
    id: r.id,
    requestNo: r.request_no,
    householdId: r.household_id,
    committeeCode: r.committee_code,
    purpose: r.purpose,
    personIds: textArray(r.person_ids),
    asOf: r.as_of,
    version: Number(r.version),
  }));
}

/** A text[] as either driver returns it (an array, or PostgreSQL's '{a,b}'). */
function textArray(value: string[] | string): string[] {
  if (Array.isArray(value)) return value;
  const inner = value.replace(/^\{|\}$/g, '');
  return inner === '' ? [] : inner.split(',');
}

/** The source queries of these requests, by request. */
export async function queriesOf(
  db: Db,
  districtCode: string,
  ids: readonly string[],
): Promise<Map<string, QueryOutcome[]>> {
  const rows = await selectRows<{ request_id: string; source: string; state: string; error: string | null }>(
    db,
    sql`select request_id::text, source, state, error from verification_source_queries
        where district_code = ${districtCode} and request_id = any(${uuids(ids)})
        order by request_id, source`,
  );
  const out = new Map<string, QueryOutcome[]>();
  for (const r of rows) {
    if (!isSourceCode(r.source)) continue;
    const list = out.get(r.request_id) ?? [];
    list.push({ source: r.source, state: r.state as QueryState, error: r.error });
    out.set(r.request_id, list);
  }
  return out;
}

/** The answers of these requests that count (late ones are kept in the table, never used), by request. */
export async function answersOf(
  db: Db,
  districtCode: string,
  ids: readonly string[],
  options: { withLate?: boolean } = {},
): Promise<Map<string, (RawAnswer & { reference: string; receivedAt: string; late: boolean })[]>> {
  const rows = await selectRows<{
    request_id: string;
    source: string;
    person_id: string;
    kind: string;
    amount_fen: number | string | null;
    quantity: number | null;
    flag: boolean | null;
    text_value: string | null;
    reference: string;
    received_at: string;
    late: boolean;
  }>(
    db,
    sql`select request_id::text, source, person_id::text, kind, amount_fen, quantity, flag, text_value,
          reference, to_char(received_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as received_at, late
        from verification_answers
        where district_code = ${districtCode} and request_id = any(${uuids(ids)})
          ${options.withLate ? sql`` : sql`and not late`}
        order by request_id, source, person_id, kind`,
  );
  const out = new Map<string, (RawAnswer & { reference: string; receivedAt: string; late: boolean })[]>();
  for (const r of rows) {
    if (!isSourceCode(r.source) || !isAnswerKind(r.kind)) continue;
    const list = out.get(r.request_id) ?? [];
    list.push({
      source: r.source,
      personId: r.person_id,
      kind: r.kind,
      amountFen: r.amount_fen === null ? null : Number(r.amount_fen),
      quantity: r.quantity,
      flag: r.flag,
      textValue: r.text_value,
      reference: r.reference,
      receivedAt: r.received_at,
      late: r.late,
    });
    out.set(r.request_id, list);
  }
  return out;
}

/** A member of a request's household as the engine input needs it (registry fields, not economic ones). */
export interface MembershipRow {
  householdId: string;
  personId: string;
  validFrom: string;
  validTo: string | null;
  seq: number;
  name: string;
  birthDate: string;
  deathDate: string | null;
  hukouDivisionCode: string;
}

/**
 * The membership rows of these households with their persons' registry fields, in one statement (the
 * registry's household_members and persons, read-only: the engine input's membership side).
 */
export async function membershipsOf(
  db: Db,
  districtCode: string,
  householdIds: readonly string[],
): Promise<Map<string, MembershipRow[]>> {
  const rows = await selectRows<{
    household_id: string;
    person_id: string;
    valid_from: string;
    valid_to: string | null;
    seq: number;
    name: string;
    birth_date: string;
    death_date: string | null;
    hukou_division_code: string;
  }>(
    db,
    sql`select m.household_id::text, m.person_id::text, m.valid_from::text, m.valid_to::text, m.seq,
          p.name, p.birth_date::text, p.death_date::text, p.hukou_division_code
        from household_members m
        join persons p on p.district_code = m.district_code and p.id = m.person_id
        where m.district_code = ${districtCode} and m.household_id = any(${uuids([...new Set(householdIds)])})`,
  );
  const out = new Map<string, MembershipRow[]>();
  for (const r of rows) {
    const list = out.get(r.household_id) ?? [];
    list.push({
      householdId: r.household_id,
      personId: r.person_id,
      validFrom: r.valid_from,
      validTo: r.valid_to,
      seq: Number(r.seq),
      name: r.name,
      birthDate: r.birth_date,
      deathDate: r.death_date,
      hukouDivisionCode: r.hukou_division_code,
    });
    out.set(r.household_id, list);
  }
  return out;
}

export interface ReportRow {
  districtCode: string;
  requestId: string;
  revision: number;
  reportNo: string;
  body: ReportBody;
  flagCount: number;
  createdBy: string | null;
  createdAt: string;
  reason: string;
}

const REPORT_COLUMNS = [
  'district_code',
  'request_id',
  'revision',
  'report_no',
  'body',
  'flag_count',
  'created_by',
  'created_at',
  'reason',
] as const;

const COPY_CHUNK_CHARS = 1 << 20;

/** Many reports in one COPY (the body serialised once, as the caller already did for its digest). */
export async function copyReports(
  session: Session,
  rows: readonly { row: ReportRow; bodyJson: string }[],
): Promise<number> {
  if (rows.length === 0) return 0;
  // Lines gathered into chunks of about a megabyte: a chunk per report is a socket write per report.
  function* lines() {
    let chunk = '';
    for (const { row: r, bodyJson } of rows) {
      chunk += `${[
        r.districtCode,
        r.requestId,
        r.revision,
        r.reportNo,
        bodyJson,
        r.flagCount,
        r.createdBy,
        r.createdAt,
        r.reason,
      ]
        .map(csvField)
        .join(',')}\n`;
      if (chunk.length >= COPY_CHUNK_CHARS) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk !== '') yield chunk;
  }
  return session.copyFrom('verification_reports', REPORT_COLUMNS, lines());
}

/** The text a batch digest of reports covers, per report in request order (recomputable from the table). */
export const REPORT_LINE =
  "concat_ws('|', district_code, request_id, revision, report_no, flag_count, body::text)";

/** The count and SHA-256 (hex) of these requests' reports of one revision, as stored. */
export async function reportsDigest(
  db: Db,
  districtCode: string,
  requestIds: readonly string[],
  revision: number,
): Promise<{ rows: number; sha256: string }> {
  const [row] = await selectRows<{ rows: number; sha256: string | null }>(
    db,
    sql`select count(*)::int as rows, encode(sha256(convert_to(string_agg(${sql.raw(REPORT_LINE)}, E'\n'
          order by request_id), 'UTF8')), 'hex') as sha256
        from verification_reports
        where district_code = ${districtCode} and request_id = any(${uuids(requestIds)}) and revision = ${revision}`,
  );
  return { rows: Number(row?.rows ?? 0), sha256: row?.sha256 ?? '' };
}

/** One revision (a review's), inserted alone. */
export async function insertReport(db: Db, r: ReportRow): Promise<void> {
  await db.execute(
    sql`insert into verification_reports (district_code, request_id, revision, report_no, body, flag_count,
          created_by, created_at, reason)
        values (${r.districtCode}, ${r.requestId}::uuid, ${r.revision}, ${r.reportNo}, ${JSON.stringify(r.body)}::jsonb,
          ${r.flagCount}, ${r.createdBy}, ${r.createdAt}::timestamptz, ${r.reason})`,
  );
}

/**
 * The report step's compare-and-set for many requests at once: each moves to `to` only from one of `from`
 * at the version read; reported_at and partial set. Returns the ids that moved.
 */
export async function markReported(
  tx: WorkTx,
  districtCode: string,
  moves: readonly { id: string; version: number; partial: boolean }[],
  transition: { action: string; from: readonly string[]; to: string },
  at: string,
): Promise<string[]> {
  if (moves.length === 0) return [];
  const { action, from, to } = transition;
  // The report step leaves one state (gathering): it is every moved row's state before.
  if (from.length !== 1)
    throw new Error(`markReported: the step must leave one state, not ${from.join(',')}`);
  const rows = await selectRows<{ id: string }>(
    tx.db,
    sql`with moved as (
          update verification_requests r set state = ${to}, version = r.version + 1,
            reported_at = ${at}::timestamptz, partial = x.partial
          from unnest(${uuids(moves.map((m) => m.id))}, ${`{${moves.map((m) => m.version).join(',')}}`}::int[],
            ${`{${moves.map((m) => m.partial).join(',')}}`}::boolean[]) as x(id, version, partial)
          where r.district_code = ${districtCode} and r.id = x.id and r.version = x.version
            and r.state = any(${`{${from.join(',')}}`}::text[])
          returning r.district_code, r.id, r.version
        ), events as (
          insert into workflow_event (district_code, entity_type, entity_id, machine, action, from_state, to_state,
            version, actor_id, actor_division, reason, attachments, at)
          select m.district_code, ${verificationMachine.entityType}, m.id::text, ${verificationMachine.name}, ${action},
            ${from[0]}, ${to}, m.version, ${tx.actor.userId}, ${tx.actor.divisionCode}, ${tx.actor.reason},
            '[]'::jsonb, ${at}::timestamptz
          from moved m
        )
        select id::text from moved`,
  );
  return rows.map((r) => r.id);
}

function toReportRow(r: {
  district_code: string;
  request_id: string;
  revision: number;
  report_no: string;
  body: ReportBody | string;
  flag_count: number;
  created_by: string | null;
  created_at: string;
  reason: string;
}): ReportRow {
  return {
    districtCode: r.district_code,
    requestId: r.request_id,
    revision: Number(r.revision),
    reportNo: r.report_no,
    body: typeof r.body === 'string' ? (JSON.parse(r.body) as ReportBody) : r.body,
    flagCount: Number(r.flag_count),
    createdBy: r.created_by,
    createdAt: r.created_at,
    reason: r.reason,
  };
}

const REPORT_SELECT = sql`select district_code, request_id::text, revision, report_no, body, flag_count, created_by,
    to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at, reason
  from verification_reports`;

/** Every revision of a request's report, oldest first (bodies included). */
export async function reportRevisions(db: Db, districtCode: string, requestId: string): Promise<ReportRow[]> {
  const rows = await selectRows<Parameters<typeof toReportRow>[0]>(
    db,
    sql`${REPORT_SELECT} where district_code = ${districtCode} and request_id = ${requestId}::uuid
        order by revision`,
  );
  return rows.map(toReportRow);
}

/** The latest revision, locked when asked (a review writes the next one). */
export async function latestReport(
  db: Db,
  districtCode: string,
  requestId: string,
  forUpdate = false,
): Promise<ReportRow | undefined> {
  const rows = await selectRows<Parameters<typeof toReportRow>[0]>(
    db,
    sql`${REPORT_SELECT} where district_code = ${districtCode} and request_id = ${requestId}::uuid
        order by revision desc limit 1 ${forUpdate ? sql`for update` : sql``}`,
  );
  return rows[0] ? toReportRow(rows[0]) : undefined;
}
