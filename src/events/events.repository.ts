import { and, asc, count, desc, eq, gte, lte, sql, type SQL } from 'drizzle-orm';
import type { DataScope } from '../auth/scope.ts';
import { csvChunks } from '../db/csv.ts';
import { selectRows } from '../db/sql.ts';
import type { Db } from '../db/store.ts';
import { likeEscape } from '../registry/person.repository.ts';
import type { WorkTx } from '../workflow/unit-of-work.ts';
import type { EventKind, EventState } from './event-kinds.ts';
import { lifeEvents } from './schema.ts';

/** SQL access to `life_events`: set-based writes (one statement a batch), scoped reads. */

export type EventRow = typeof lifeEvents.$inferSelect;

export interface NewEvent {
  districtCode: string;
  kind: EventKind;
  personId: string;
  occurredOn: string;
  divisionCode: string;
  householdId: string | null;
  source: 'registry' | 'import';
  sourceRef: string;
  detail: Record<string, unknown>;
  state: 'received' | 'rejected';
  reason: string | null;
}

export interface InsertedEvent {
  id: number;
  districtCode: string;
  kind: EventKind;
  personId: string;
  occurredOn: string;
}

export const eventKey = (e: { districtCode: string; kind: string; personId: string; occurredOn: string }) =>
  `${e.districtCode}|${e.kind}|${e.personId}|${e.occurredOn}`;

/**
 * The events of a batch: COPY into a temporary table (emptied at commit), then one `insert … select … on conflict
 * do nothing`: one already held under the same key (district, kind, person, day) is left as it is. Returns the
 * rows inserted now and the CSV staged (for the batch's digest).
 */
export async function insertEvents(
  tx: WorkTx,
  events: readonly NewEvent[],
): Promise<{ inserted: InsertedEvent[]; csv: string[] }> {
  if (events.length === 0) return { inserted: [], csv: [] };
  await tx.db.execute(
    sql`create temp table if not exists life_events_in (d text, k text, p uuid, o date, v text, h uuid, s text,
      r text, x jsonb, st text, rs text) on commit delete rows`,
  );
  const csv = csvChunks(events, (e) => [
    e.districtCode,
    e.kind,
    e.personId,
    e.occurredOn,
    e.divisionCode,
    e.householdId,
    e.source,
    e.sourceRef,
    JSON.stringify(e.detail),
    e.state,
    e.reason,
  ]);
  await tx.copyFrom('life_events_in', ['d', 'k', 'p', 'o', 'v', 'h', 's', 'r', 'x', 'st', 'rs'], csv);
  const at = tx.now.toISOString();
  const inserted = await selectRows<InsertedEvent>(
    tx.db,
    sql`insert into life_events (district_code, kind, person_id, occurred_on, division_code, household_id, source,
        source_ref, detail, state, reason, received_at, processed_at)
      select d, k, p, o, v, h, s, r, x, st, rs, ${at}::timestamptz,
        case when st = 'received' then null else ${at}::timestamptz end
      from life_events_in
      on conflict (district_code, kind, person_id, occurred_on) do nothing
      returning id::int as id, district_code as "districtCode", kind, person_id::text as "personId",
        occurred_on::text as "occurredOn"`,
  );
  return { inserted, csv };
}

/**
 * Events derived from the registry: `select` gives (district_code, person_id, occurred_on, age, division_code,
 * household_id) — src/registry/subjects.repository.ts — and `kind` the event kind of a row (a SQL expression over
 * `s`). Events already held are left as they are. Returns the rows inserted now.
 */
export async function insertDerivedEvents(tx: WorkTx, select: SQL, kind: SQL): Promise<InsertedEvent[]> {
  return selectRows<InsertedEvent>(
    tx.db,
    sql`insert into life_events (district_code, kind, person_id, occurred_on, division_code, household_id, source,
        source_ref, state, received_at)
      select s.district_code, ${kind}, s.person_id, s.occurred_on, s.division_code, s.household_id, 'registry',
        'registry:persons/' || s.person_id::text, 'received', ${tx.now.toISOString()}::timestamptz
      from (${select}) s
      on conflict (district_code, kind, person_id, occurred_on) do nothing
      returning id::int as id, district_code as "districtCode", kind, person_id::text as "personId",
        occurred_on::text as "occurredOn"`,
  );
}

/** The events held for these persons whose kind is one of `kinds` and that are not rejected or ignored. */
export async function standingEventsOf(
  db: Db,
  districtCode: string,
  personIds: readonly string[],
  kinds: readonly EventKind[],
): Promise<{ id: number; kind: EventKind; personId: string; occurredOn: string; state: EventState }[]> {
  if (personIds.length === 0) return [];
  return selectRows(
    db,
    sql`select id::int as id, kind, person_id::text as "personId", occurred_on::text as "occurredOn", state
      from life_events
      where district_code = ${districtCode} and person_id = any(${`{${[...new Set(personIds)].join(',')}}`}::uuid[])
        and kind = any(${`{${kinds.join(',')}}`}::text[]) and state in ('received','processed')`,
  );
}

/** The next received events of the district after `afterId`, in arrival order, locked for this batch. */
export async function receivedEvents(
  tx: WorkTx,
  districtCode: string,
  afterId: number,
  limit: number,
): Promise<EventRow[]> {
  return tx.db
    .select()
    .from(lifeEvents)
    .where(
      and(
        eq(lifeEvents.districtCode, districtCode),
        eq(lifeEvents.state, 'received'),
        sql`${lifeEvents.id} > ${afterId}`,
      ),
    )
    .orderBy(asc(lifeEvents.id))
    .limit(limit)
    .for('update', { skipLocked: true });
}

/** The districts with received events (for a processing run over every district). */
export async function districtsWithReceived(db: Db): Promise<string[]> {
  const rows = await selectRows<{ d: string }>(
    db,
    sql`select distinct district_code as d from life_events where state = 'received' order by 1`,
  );
  return rows.map((r) => r.d);
}

export interface EventFinish {
  id: number;
  state: 'processed' | 'rejected' | 'ignored';
  reason: string | null;
  outcome: Record<string, unknown>;
}

/**
 * Each event's end (compare-and-set: only a received event changes). Events with the same end (most: 已记录)
 * change in one statement by id list; the rest by one statement over their JSON. Returns the ids changed.
 */
export async function finishEvents(
  tx: WorkTx,
  districtCode: string,
  finishes: readonly EventFinish[],
): Promise<number[]> {
  if (finishes.length === 0) return [];
  const at = tx.now.toISOString();
  const groups = new Map<string, { f: EventFinish; ids: number[] }>();
  for (const f of finishes) {
    const key = JSON.stringify([f.state, f.reason, f.outcome]);
    const g = groups.get(key) ?? { f, ids: [] };
    g.ids.push(f.id);
    groups.set(key, g);
  }
  const changed: number[] = [];
  const single: EventFinish[] = [];
  for (const g of groups.values()) {
    if (g.ids.length === 1) {
      single.push(g.f);
      continue;
    }
    const rows = await selectRows<{ id: number }>(
      tx.db,
      sql`update life_events set state = ${g.f.state}, reason = ${g.f.reason},
          outcome = ${JSON.stringify(g.f.outcome)}::jsonb, processed_at = ${at}::timestamptz
        where district_code = ${districtCode} and id = any(${`{${g.ids.join(',')}}`}::bigint[])
          and state = 'received'
        returning id::int as id`,
    );
    changed.push(...rows.map((r) => r.id));
  }
  if (single.length > 0) {
    const json = JSON.stringify(single.map((f) => ({ i: f.id, s: f.state, r: f.reason, o: f.outcome })));
    const rows = await selectRows<{ id: number }>(
      tx.db,
      sql`update life_events e set state = f.s, reason = f.r, outcome = f.o, processed_at = ${at}::timestamptz
        from jsonb_to_recordset(${json}::jsonb) as f(i bigint, s text, r text, o jsonb)
        where e.district_code = ${districtCode} and e.id = f.i and e.state = 'received'
        returning e.id::int as id`,
    );
    changed.push(...rows.map((r) => r.id));
  }
  return changed;
}

export function eventScopeWhere(scope: DataScope): SQL {
  if (scope.kind === 'all') return sql`true`;
  return and(
    eq(lifeEvents.districtCode, scope.code.slice(0, 6)),
    sql`${lifeEvents.divisionCode} like ${`${likeEscape(scope.code)}%`}`,
  ) as SQL;
}

export interface EventFilter {
  kind?: EventKind | undefined;
  state?: EventState | undefined;
  personId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  limit: number;
  offset: number;
}

export async function listEventRows(
  db: Db,
  scope: DataScope,
  filter: EventFilter,
): Promise<{ rows: EventRow[]; total: number }> {
  const where = and(
    eventScopeWhere(scope),
    filter.kind ? eq(lifeEvents.kind, filter.kind) : undefined,
    filter.state ? eq(lifeEvents.state, filter.state) : undefined,
    filter.personId ? eq(lifeEvents.personId, filter.personId) : undefined,
    filter.from ? gte(lifeEvents.occurredOn, filter.from) : undefined,
    filter.to ? lte(lifeEvents.occurredOn, filter.to) : undefined,
  );
  const rows = await db
    .select()
    .from(lifeEvents)
    .where(where)
    .orderBy(desc(lifeEvents.occurredOn), desc(lifeEvents.id))
    .limit(filter.limit)
    .offset(filter.offset);
  const [total] = await db.select({ n: count() }).from(lifeEvents).where(where);
  return { rows, total: total?.n ?? 0 };
}
