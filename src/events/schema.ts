import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  date,
  index,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const stamp = (name: string) => timestamp(name, { withTimezone: true, mode: 'string', precision: 3 });

/**
 * 生命事件 (docs/events.md): a birth, a death, a milestone birthday, a change of a person's situation, from the
 * registry (derived) or an import. Distributed by `district_code` (Citus), co-located with the person. One
 * event per district, kind, person and day (the idempotency key): the same event arriving again, in any batch,
 * is a duplicate and is not stored twice. `received` events are processed once (`processed`); contradictory
 * ones are `rejected` with a Chinese reason; `ignored` ones were superseded.
 */
export const lifeEvents = pgTable(
  'life_events',
  {
    districtCode: text('district_code').notNull(),
    id: bigint('id', { mode: 'number' }).generatedByDefaultAsIdentity().notNull(),
    kind: text('kind').notNull(),
    personId: uuid('person_id').notNull(),
    occurredOn: date('occurred_on', { mode: 'string' }).notNull(),
    /** The person's residence division when received (the data scope reads it). */
    divisionCode: text('division_code').notNull(),
    householdId: uuid('household_id'),
    /** registry | import. */
    source: text('source').notNull(),
    /** The source's own reference (the file and line, the registry record). */
    sourceRef: text('source_ref').notNull(),
    detail: jsonb('detail')
      .notNull()
      .default(sql`'{}'::jsonb`),
    state: text('state').notNull(),
    reason: text('reason'),
    /** What processing did, in a few counts and ids (never personal data). */
    outcome: jsonb('outcome'),
    receivedAt: stamp('received_at').notNull(),
    processedAt: stamp('processed_at'),
  },
  (t) => [
    primaryKey({ columns: [t.districtCode, t.id] }),
    // Also the lookup of a person's events of a kind (their deaths): no separate person index to maintain.
    uniqueIndex('life_events_key_uq').on(t.districtCode, t.kind, t.personId, t.occurredOn),
    index('life_events_received_idx')
      .on(t.districtCode, t.id)
      .where(sql`${t.state} = 'received'`),
    index('life_events_list_idx').on(t.districtCode, t.occurredOn, t.id),
    check(
      'life_events_kind_chk',
      sql`${t.kind} in ('birth','death','age_60','age_65','age_70','age_80','age_90','age_100','disability_change','hukou_move','household_change','medical_expense','job_loss')`,
    ),
    check('life_events_source_chk', sql`${t.source} in ('registry','import')`),
    check('life_events_state_chk', sql`${t.state} in ('received','processed','rejected','ignored')`),
    check('life_events_reason_chk', sql`(${t.state} in ('rejected','ignored')) = (${t.reason} is not null)`),
  ],
);
