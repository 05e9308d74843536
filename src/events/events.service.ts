import { hasPermission, type ActorRole } from '../auth/roles.ts';
import type { DataScope } from '../auth/scope.ts';
import type { Db } from '../db/store.ts';
import { pageBounds } from '../registry/person.repository.ts';
import { isIsoDay } from './dates.ts';
import {
  EVENT_KIND_NAMES,
  EVENT_STATE_NAMES,
  isEventKind,
  type EventKind,
  type EventState,
} from './event-kinds.ts';
import { EventError } from './events.errors.ts';
import { listEventRows, type EventRow } from './events.repository.ts';

/** 生命事件列表: the caller's scope (the person's residence when the event arrived), newest first, with filters. */

export interface EventCaller {
  scope: DataScope;
  role: ActorRole;
}

export interface EventView {
  id: number;
  districtCode: string;
  kind: EventKind;
  kindName: string;
  personId: string;
  occurredOn: string;
  divisionCode: string;
  householdId: string | null;
  source: string;
  sourceRef: string;
  state: EventState;
  stateName: string;
  reason: string | null;
  outcome: Record<string, unknown> | null;
  receivedAt: string;
  processedAt: string | null;
}

function present(r: EventRow): EventView {
  const kind = r.kind as EventKind;
  const state = r.state as EventState;
  return {
    id: r.id,
    districtCode: r.districtCode,
    kind,
    kindName: EVENT_KIND_NAMES[kind],
    personId: r.personId,
    occurredOn: r.occurredOn,
    divisionCode: r.divisionCode,
    householdId: r.householdId,
    source: r.source,
    sourceRef: r.sourceRef,
    state,
    stateName: EVENT_STATE_NAMES[state],
    reason: r.reason,
    outcome: (r.outcome as Record<string, unknown> | null) ?? null,
    receivedAt: r.receivedAt,
    processedAt: r.processedAt,
  };
}

export interface EventQuery {
  kind?: string | undefined;
  state?: string | undefined;
  personId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
}

const STATES = Object.keys(EVENT_STATE_NAMES) as EventState[];

export async function listEvents(
  db: Db,
  caller: EventCaller,
  query: EventQuery,
): Promise<{ items: EventView[]; total: number }> {
  if (!hasPermission(caller.role, 'events.view')) throw new EventError('forbidden', '您没有权限查看生命事件');
  const problems: string[] = [];
  if (query.kind !== undefined && !isEventKind(query.kind)) problems.push(`事件种类「${query.kind}」无效`);
  if (query.state !== undefined && !(STATES as string[]).includes(query.state))
    problems.push(`状态「${query.state}」无效，应为 ${STATES.join('、')}`);
  for (const [name, day] of [
    ['起始日期', query.from],
    ['截止日期', query.to],
  ] as const) {
    if (day !== undefined && !isIsoDay(day)) problems.push(`${name}「${day}」无效，应为 YYYY-MM-DD`);
  }
  if (problems.length > 0) throw new EventError('invalid', problems.join('；'), problems);
  const page = pageBounds(query.limit, query.offset);
  const { rows, total } = await listEventRows(db, caller.scope, {
    kind: query.kind as EventKind | undefined,
    state: query.state as EventState | undefined,
    personId: query.personId,
    from: query.from,
    to: query.to,
    ...page,
  });
  return { items: rows.map(present), total };
}
