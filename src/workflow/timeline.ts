import { findUserById } from '../auth/user.repository.ts';
import { actorName } from '../auth/actor-name.ts';
import type { Db } from '../db/store.ts';
import type { MachineDef } from './state-machine.ts';
import { entityTimeline, type WorkflowEventRow } from './workflow.repository.ts';

/** One step of an entity's timeline as a reader sees it: labels in Chinese, the actor by name. */
export interface TimelineEventView {
  id: number;
  action: string;
  actionLabel: string;
  fromState: string | null;
  fromStateLabel: string | null;
  toState: string;
  toStateLabel: string;
  actorId: string | null;
  /** 张三（zhangsan）; 系统 for the system actor; 操作员 for a CLI operator (cli:<login>). */
  actorName: string;
  actorDivision: string | null;
  reason: string;
  attachments: string[];
  /** ISO instant (the console shows it in Shanghai time). */
  at: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function actorNames(db: Db, events: readonly WorkflowEventRow[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const id of new Set(events.map((e) => e.actorId))) {
    if (id === null || !UUID.test(id)) continue;
    const user = await findUserById(db, id);
    if (user) names.set(id, `${user.displayName}（${user.username}）`);
  }
  return names;
}

/**
 * An entity's timeline with the machine's Chinese labels and the actors' names. The caller has already
 * decided that the reader may see the entity.
 */
export async function presentTimeline<S extends string, C>(
  db: Db,
  machine: MachineDef<S, C>,
  entityId: string,
): Promise<TimelineEventView[]> {
  const events = await entityTimeline(db, machine.entityType, entityId);
  const names = await actorNames(db, events);
  const stateLabel = (state: string) => machine.states[state as S] ?? state;
  return events.map((e) => ({
    id: e.id,
    action: e.action,
    actionLabel: machine.transitions.find((t) => t.action === e.action)?.label ?? e.action,
    fromState: e.fromState,
    fromStateLabel: e.fromState === null ? null : stateLabel(e.fromState),
    toState: e.toState,
    toStateLabel: stateLabel(e.toState),
    actorId: e.actorId,
    actorName: actorName(e.actorId, (id) => names.get(id)),
    actorDivision: e.actorDivision,
    reason: e.reason,
    attachments: e.attachments,
    at: new Date(e.at).toISOString(),
  }));
}
