import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/store.ts';
import { selectRows } from '../db/sql.ts';
import type { WorkTx } from '../workflow/unit-of-work.ts';
import type { AnswerRow } from './sources/source.ts';
import { transitionOf, verificationMachine } from './verification.machine.ts';

/**
 * SQL of the gathering job (信息获取): set-based over a district (or, for the city-wide schedule, every
 * district: `district` null), each statement over many requests. Claims use FOR UPDATE SKIP LOCKED, and
 * every state change is a compare-and-set on the state read, so two gathering jobs at once (a request's and
 * the schedule's) never take the same query twice.
 */

const json = (value: unknown) => sql`${JSON.stringify(value)}::jsonb`;
const uuids = (ids: readonly string[]) => sql`${`{${ids.join(',')}}`}::uuid[]`;
const texts = (items: readonly string[]) =>
  sql`${`{${items.map((t) => JSON.stringify(t)).join(',')}}`}::text[]`;
/** Request keys as a table `x(d, r)` to join on. */
const keyTable = (keys: readonly { districtCode: string; requestId: string }[]) =>
  sql`jsonb_to_recordset(${json(keys.map((k) => ({ d: k.districtCode, r: k.requestId })))}) as x(d text, r uuid)`;
const inDistrict = (column: string, district: string | null): SQL =>
  district === null ? sql`true` : sql`${sql.raw(column)} = ${district}`;

export interface MovedRequest {
  districtCode: string;
  id: string;
  version: number;
}

/**
 * 发起信息获取: up to `limit` requests in a state `gather` leaves move to its target, version + 1, each with
 * its timeline event — one statement. Earliest deadline first, in the order of the open-requests index
 * (district, due date), so that a backlog of 200,000 received requests is not sorted again for every batch.
 */
export async function startGathering(
  tx: WorkTx,
  district: string | null,
  limit: number,
): Promise<MovedRequest[]> {
  const t = transitionOf('gather');
  return selectRows<MovedRequest>(
    tx.db,
    sql`with picked as (
          select r.district_code, r.id, r.state from verification_requests r
          where ${inDistrict('r.district_code', district)} and r.state = any(${texts(t.from)})
          order by r.district_code, r.due_due
          limit ${limit}
          for update skip locked
        ), moved as (
          update verification_requests r set state = ${t.to}, version = r.version + 1
          from picked p
          where r.district_code = p.district_code and r.id = p.id and r.state = p.state
          returning r.district_code, r.id, r.version, p.state as from_state
        ), events as (
          insert into workflow_event (district_code, entity_type, entity_id, machine, action, from_state, to_state,
            version, actor_id, actor_division, reason, attachments, at)
          select m.district_code, ${verificationMachine.entityType}, m.id::text, ${verificationMachine.name}, ${t.action},
            m.from_state, ${t.to}, m.version, ${tx.actor.userId}, ${tx.actor.divisionCode}, ${tx.actor.reason},
            '[]'::jsonb, ${tx.now.toISOString()}::timestamptz
          from moved m
        )
        select district_code as "districtCode", id::text as id, version from moved order by district_code, id`,
  );
}

export interface ClaimedQuery {
  districtCode: string;
  requestId: string;
  attempts: number;
  requestNo: string;
  purpose: string;
  authorisationIds: string[];
  asOf: string;
  personIds: string[];
  householdId: string;
}

/** A source asked in a batch: the batch it travels in and how long it has to answer. */
export interface SourceClaim {
  source: string;
  batchRef: string;
  timeoutMs: number;
}

/**
 * Takes pending queries and marks them sent in their source's batch `batchRef`: attempts + 1, sent now,
 * expiring the source's `timeoutMs` later. Given `of`, the queries of those requests for every source at once
 * (the ones just moved to gathering: key lookups, whatever the backlog) — one statement; else, per source, up
 * to `limit` pending queries of requests being gathered, oldest request first (retries whose time came, and
 * anything left over) — a scan of the source's pending queries, done only once the backlog of received
 * requests is gone. Returns the claimed queries by source.
 */
export async function claimPending(
  tx: WorkTx,
  district: string | null,
  sources: readonly SourceClaim[],
  limit: number,
  of?: readonly QueryKey[],
): Promise<Map<string, ClaimedQuery[]>> {
  const out = new Map<string, ClaimedQuery[]>();
  if (sources.length === 0 || (of !== undefined && of.length === 0)) return out;
  const now = tx.now.toISOString();
  const claims = sql`unnest(${texts(sources.map((s) => s.source))}, ${texts(sources.map((s) => s.batchRef))},
    ${texts(sources.map((s) => new Date(tx.now.getTime() + s.timeoutMs).toISOString()))}::timestamptz[])
    as c(source, batch_ref, expires_at)`;
  const claim = async (candidates: SQL, only: SQL) => {
    const rows = await selectRows<
      ClaimedQuery & { source: string; authorisationIds: string[] | string; personIds: string[] | string }
    >(
      tx.db,
      sql`with picked as (${candidates}), sent as (
            update verification_source_queries q
            set state = 'sent', attempts = q.attempts + 1, batch_ref = c.batch_ref, sent_at = ${now}::timestamptz,
              expires_at = c.expires_at, error = null
            from picked p, ${claims}
            where q.district_code = p.district_code and q.request_id = p.request_id and q.source = p.source
              and c.source = q.source and ${only} and q.state = 'pending'
            returning q.district_code, q.request_id, q.source, q.attempts
          )
          select s.source, s.district_code as "districtCode", s.request_id::text as "requestId", s.attempts,
            r.request_no as "requestNo", r.purpose, r.authorisation_ids::text[] as "authorisationIds",
            r.as_of::text as "asOf", r.person_ids::text[] as "personIds", r.household_id::text as "householdId"
          from sent s join verification_requests r on r.district_code = s.district_code and r.id = s.request_id
          order by s.source, r.created_at, r.id`,
    );
    for (const { source, ...r } of rows) {
      const row = { ...r, authorisationIds: pgArray(r.authorisationIds), personIds: pgArray(r.personIds) };
      const list = out.get(source);
      if (list) list.push(row);
      else out.set(source, [row]);
    }
  };
  if (of !== undefined) {
    await claim(
      sql`select q.district_code, q.request_id, q.source from verification_source_queries q
          join ${keyTable(of)} on q.district_code = x.d and q.request_id = x.r
          where q.source = any(${texts(sources.map((s) => s.source))}) and q.state = 'pending'
          for update of q skip locked`,
      sql`true`,
    );
    return out;
  }
  for (const { source } of sources) {
    await claim(
      sql`select q.district_code, q.request_id, q.source from verification_source_queries q
          join verification_requests r on r.district_code = q.district_code and r.id = q.request_id
          where ${inDistrict('q.district_code', district)} and q.source = ${source} and q.state = 'pending'
            and r.state = 'gathering' and (q.expires_at is null or q.expires_at <= ${now}::timestamptz)
          order by r.created_at, r.id
          limit ${limit}
          for update of q skip locked`,
      sql`q.source = ${source}`,
    );
  }
  return out;
}

/** A text[] as either driver returns it (an array, or '{a,b}' text). */
function pgArray(value: string[] | string): string[] {
  if (Array.isArray(value)) return value;
  const inner = value.replace(/^\{|\}$/g, '');
  return inner === '' ? [] : inner.split(',');
}

export interface StoredAnswer extends AnswerRow {
  districtCode: string;
  source: string;
  late: boolean;
}

/**
 * Inserts raw answers in one statement; a row whose key (request, source, person, kind) is already there is
 * ignored. Returns the rows inserted (the rest were duplicates).
 */
export async function insertAnswers(tx: WorkTx, rows: readonly StoredAnswer[]): Promise<StoredAnswer[]> {
  if (rows.length === 0) return [];
  const data = rows.map((r) => ({
    district_code: r.districtCode,
    request_id: r.requestId,
    source: r.source,
    person_id: r.personId,
    kind: r.kind,
    amount_fen: r.amountFen ?? null,
    quantity: r.quantity ?? null,
    flag: r.flag ?? null,
    text_value: r.textValue ?? null,
    reference: r.reference,
    late: r.late,
  }));
  const inserted = await selectRows<{ request_id: string; source: string; person_id: string; kind: string }>(
    tx.db,
    sql`insert into verification_answers (district_code, request_id, source, person_id, kind, amount_fen, quantity,
          flag, text_value, reference, received_at, late)
        select x.district_code, x.request_id, x.source, x.person_id, x.kind, x.amount_fen, x.quantity, x.flag,
          x.text_value, x.reference, ${tx.now.toISOString()}::timestamptz, x.late
        from jsonb_to_recordset(${json(data)}) as x(district_code text, request_id uuid, source text, person_id uuid,
          kind text, amount_fen bigint, quantity integer, flag boolean, text_value text, reference text, late boolean)
        on conflict do nothing
        returning request_id::text as request_id, source, person_id::text as person_id, kind`,
  );
  const key = (r: {
    request_id?: string;
    requestId?: string;
    source: string;
    person_id?: string;
    personId?: string;
    kind: string;
  }) => `${r.request_id ?? r.requestId}|${r.source}|${r.person_id ?? r.personId}|${r.kind}`;
  const done = new Set(inserted.map(key));
  return rows.filter((r) => done.delete(key(r)));
}

export interface QueryKey {
  districtCode: string;
  requestId: string;
}

export interface QueryChange {
  districtCode: string;
  requestId: string;
  source: string;
  state: string;
  attempts: number;
  error: string | null;
}

const CHANGE_COLUMNS = sql`q.district_code as "districtCode", q.request_id::text as "requestId", q.source, q.state,
  q.attempts, q.error`;

/** 已答复: these queries (still pending or sent) are answered now — every source's in one statement. */
export async function markAnswered(
  tx: WorkTx,
  keys: readonly (QueryKey & { source: string })[],
): Promise<QueryChange[]> {
  if (keys.length === 0) return [];
  const data = keys.map((k) => ({ d: k.districtCode, r: k.requestId, s: k.source }));
  return selectRows<QueryChange>(
    tx.db,
    sql`update verification_source_queries q
        set state = 'answered', answered_at = ${tx.now.toISOString()}::timestamptz, expires_at = null, error = null
        from jsonb_to_recordset(${json(data)}) as x(d text, r uuid, s text)
        where q.district_code = x.d and q.request_id = x.r and q.source = x.s and q.state in ('pending', 'sent')
        returning ${CHANGE_COLUMNS}`,
  );
}

/**
 * A send failed: back to pending, to be sent again after `retryMs` × 2^(attempts − 1) (at most `maxRetryMs`),
 * while attempts < `maxAttempts`; else failed for good. The error is kept either way (the report states it).
 */
export async function markFailed(
  tx: WorkTx,
  source: string,
  failures: readonly (QueryKey & { error: string })[],
  policy: { maxAttempts: number; retryMs: number; maxRetryMs: number },
): Promise<QueryChange[]> {
  if (failures.length === 0) return [];
  const data = failures.map((f) => ({ d: f.districtCode, r: f.requestId, e: f.error }));
  return selectRows<QueryChange>(
    tx.db,
    sql`update verification_source_queries q
        set state = case when q.attempts < ${policy.maxAttempts} then 'pending' else 'failed' end,
          error = x.e,
          expires_at = case when q.attempts < ${policy.maxAttempts}
            then ${tx.now.toISOString()}::timestamptz + make_interval(secs =>
              least(${policy.maxRetryMs}::float8, ${policy.retryMs}::float8 * power(2, greatest(q.attempts - 1, 0))) / 1000)
            else null end
        from jsonb_to_recordset(${json(data)}) as x(d text, r uuid, e text)
        where q.district_code = x.d and q.request_id = x.r and q.source = ${source} and q.state in ('pending', 'sent')
        returning ${CHANGE_COLUMNS}`,
  );
}

/**
 * 超时: sent queries whose time passed go back to pending (sent again at once) while their source's attempts
 * remain, else time out for good with the source's gap stated — every source's in one statement.
 */
export async function timeOutExpired(
  tx: WorkTx,
  district: string | null,
  sources: readonly { source: string; maxAttempts: number; error: string }[],
): Promise<QueryChange[]> {
  if (sources.length === 0) return [];
  return selectRows<QueryChange>(
    tx.db,
    sql`update verification_source_queries q
        set state = case when q.attempts < c.max_attempts then 'pending' else 'timed_out' end,
          expires_at = null, error = c.error
        from unnest(${texts(sources.map((s) => s.source))}, ${sql`${`{${sources.map((s) => s.maxAttempts).join(',')}}`}::int[]`},
          ${texts(sources.map((s) => s.error))}) as c(source, max_attempts, error)
        where ${inDistrict('q.district_code', district)} and q.source = c.source and q.state = 'sent'
          and q.expires_at <= ${tx.now.toISOString()}::timestamptz
        returning ${CHANGE_COLUMNS}`,
  );
}

export interface KnownQuery {
  districtCode: string;
  requestId: string;
  source: string;
  state: string;
  requestState: string;
  personIds: string[];
}

/** The queries of `source` about these request ids (any district): what answers picked up from a file belong to. */
export async function queriesOfRequests(
  db: Db,
  source: string,
  requestIds: readonly string[],
): Promise<Map<string, KnownQuery>> {
  if (requestIds.length === 0) return new Map();
  const rows = await selectRows<Omit<KnownQuery, 'personIds'> & { personIds: string[] | string }>(
    db,
    sql`select q.district_code as "districtCode", q.request_id::text as "requestId", q.source, q.state,
          r.state as "requestState", r.person_ids::text[] as "personIds"
        from verification_source_queries q
        join verification_requests r on r.district_code = q.district_code and r.id = q.request_id
        where q.request_id = any(${uuids(requestIds)}) and q.source = ${source}`,
  );
  return new Map(rows.map((r) => [r.requestId, { ...r, personIds: pgArray(r.personIds) }]));
}

/**
 * Requests being gathered whose every query has ended (answered, failed, timed out): among `of` (those whose
 * queries this batch changed: key lookups), or — a scan of the open requests, for what an earlier batch left
 * — up to `limit` of the district's, oldest first.
 */
export async function completedRequests(
  db: Db,
  district: string | null,
  limit: number,
  of?: readonly QueryKey[],
): Promise<QueryKey[]> {
  if (of !== undefined && of.length === 0) return [];
  const candidates =
    of === undefined
      ? sql`select r.district_code, r.id from verification_requests r
          where ${inDistrict('r.district_code', district)} and r.state = 'gathering'
          order by r.created_at, r.id`
      : sql`select distinct r.district_code, r.id from verification_requests r
          join ${keyTable(of)} on r.district_code = x.d and r.id = x.r
          where r.state = 'gathering'`;
  return selectRows<QueryKey>(
    db,
    sql`select c.district_code as "districtCode", c.id::text as "requestId" from (${candidates}) c
        where not exists (select 1 from verification_source_queries q
          where q.district_code = c.district_code and q.request_id = c.id and q.state in ('pending', 'sent'))
        limit ${limit}`,
  );
}

export interface OpenWork {
  /** Requests still to move to gathering. */
  received: number;
  /** Pending queries that may be sent now. */
  due: number;
  /** The earliest retry time of a pending query that must wait (ISO), if any. */
  nextRetryAt: string | null;
  /** Requests whose queries all ended but that have no report yet. */
  complete: number;
}

/** What is left for the gathering of a district (or of every district). */
export async function openWork(
  tx: WorkTx,
  district: string | null,
  sources: readonly string[],
): Promise<OpenWork> {
  const now = tx.now.toISOString();
  const [row] = await selectRows<{ received: number; due: number; next_retry_at: string | Date | null }>(
    tx.db,
    sql`select
          (select count(*)::int from verification_requests r
            where ${inDistrict('r.district_code', district)} and r.state = 'received') as received,
          (select count(*)::int from verification_source_queries q
            join verification_requests r on r.district_code = q.district_code and r.id = q.request_id
            where ${inDistrict('q.district_code', district)} and q.state = 'pending' and r.state = 'gathering'
              and q.source = any(${texts(sources)})
              and (q.expires_at is null or q.expires_at <= ${now}::timestamptz)) as due,
          (select min(q.expires_at) from verification_source_queries q
            join verification_requests r on r.district_code = q.district_code and r.id = q.request_id
            where ${inDistrict('q.district_code', district)} and q.state = 'pending' and r.state = 'gathering'
              and q.source = any(${texts(sources)}) and q.expires_at > ${now}::timestamptz) as next_retry_at`,
  );
  const complete = (await completedRequests(tx.db, district, 1)).length;
  const next = row?.next_retry_at ?? null;
  return {
    received: row?.received ?? 0,
    due: row?.due ?? 0,
    nextRetryAt: next === null ? null : new Date(next).toISOString(),
    complete,
  };
}

// ---- reads of the registry for the simulated sources and the batch sent to agencies ------------------------

export interface RequestSubject {
  districtCode: string;
  requestId: string;
  householdId: string;
}

/** The household of each request (the simulated sources answer household assets through it). */
export async function requestSubjects(
  db: Db,
  keys: readonly QueryKey[],
): Promise<Map<string, RequestSubject>> {
  if (keys.length === 0) return new Map();
  const rows = await selectRows<RequestSubject>(
    db,
    sql`select r.district_code as "districtCode", r.id::text as "requestId", r.household_id::text as "householdId"
        from verification_requests r
        where r.id = any(${uuids(keys.map((k) => k.requestId))})
          and r.district_code = any(${texts([...new Set(keys.map((k) => k.districtCode))])})`,
  );
  return new Map(rows.map((r) => [r.requestId, r]));
}
