import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * 办理过程: every state-machine transition of every entity, one row each (who, when, from, to, reason,
 * attachments). The owning module reads an entity's timeline through workflow.repository.ts after it has
 * checked that the reader may see the entity; rows are never updated or deleted.
 */
export const workflowEvents = pgTable(
  'workflow_event',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    districtCode: text('district_code').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id').notNull(),
    machine: text('machine').notNull(),
    action: text('action').notNull(),
    fromState: text('from_state'),
    toState: text('to_state').notNull(),
    /** The entity's version after the transition. */
    version: integer('version').notNull(),
    actorId: text('actor_id'),
    actorDivision: text('actor_division'),
    reason: text('reason').notNull(),
    /** File ids (files module) attached to this step. */
    attachments: jsonb('attachments')
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    at: timestamp('at', { withTimezone: true, mode: 'string', precision: 3 }).notNull(),
  },
  (t) => [
    index('workflow_event_entity_idx').on(t.entityType, t.entityId, t.id),
    check('workflow_event_district_chk', sql`${t.districtCode} ~ '^[0-9]{6}$'`),
  ],
);
