import { asc, and, eq } from 'drizzle-orm';
import type { Db } from '../db/store.ts';
import type { WorkTx } from './unit-of-work.ts';
import { workflowEvents } from './schema.ts';

export type WorkflowEventRow = typeof workflowEvents.$inferSelect;
export type NewWorkflowEvent = typeof workflowEvents.$inferInsert;

export async function appendEvent(tx: WorkTx, event: NewWorkflowEvent): Promise<void> {
  await tx.db.insert(workflowEvents).values(event);
}

/** An entity's timeline, oldest first. The caller has already decided that the reader may see the entity. */
export function entityTimeline(db: Db, entityType: string, entityId: string): Promise<WorkflowEventRow[]> {
  return db
    .select()
    .from(workflowEvents)
    .where(and(eq(workflowEvents.entityType, entityType), eq(workflowEvents.entityId, entityId)))
    .orderBy(asc(workflowEvents.id));
}
