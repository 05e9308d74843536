import type { AuditAction } from '../audit/actions.ts';
import { hasPermission, mayAct, type Acting, type ActorRole, type Permission } from '../auth/roles.ts';
import { appendEvent } from './workflow.repository.ts';
import type { WorkTx } from './unit-of-work.ts';
import { ConflictError, WorkflowError } from './workflow.errors.ts';

/**
 * State machines: one small, explicit way to write a workflow. A machine is data: its states (with
 * Chinese labels) and its named transitions, each with the states it leaves from, the state it reaches,
 * the permission it needs and the checks it runs. `applyTransition` is the only way to move an entity:
 * it refuses an action the state does not allow (409, naming the state and the allowed actions), checks
 * permission and the transition's checks, compare-and-sets state and version through the owner's
 * `save`, and records the step in the entity's timeline and the audit chain — all in the caller's unit.
 */

export interface TransitionDef<S extends string, C> {
  /** Stable identifier used by API and timeline: 'accept', 'approve'. */
  readonly action: string;
  /** What the user sees on the button and in the timeline: 受理, 审批通过. */
  readonly label: string;
  readonly from: readonly S[];
  readonly to: S;
  readonly permission: Permission;
  /** Problems that forbid the step now (Chinese sentences); empty when it may proceed. */
  readonly check?: (context: C) => string[] | Promise<string[]>;
}

export interface MachineDef<S extends string, C> {
  /** Machine name recorded in the timeline: 'registry.transfer'. */
  readonly name: string;
  readonly entityType: string;
  /** The audit action every transition of this machine is filed under. */
  readonly auditAction: AuditAction;
  readonly states: Readonly<Record<S, string>>;
  readonly transitions: readonly TransitionDef<S, C>[];
}

export interface MachineSnapshot<S extends string> {
  id: string;
  /** The entity's division (its district files the audit row and the event). */
  divisionCode: string;
  state: S;
  version: number;
}

/** How the owning module reads and compare-and-sets its entity's state: its own repository does the SQL. */
export interface MachineStore<S extends string> {
  load(tx: WorkTx, id: string): Promise<MachineSnapshot<S> | null>;
  /** Updates state and version only when both still hold their expected values; true when a row changed. */
  save(
    tx: WorkTx,
    id: string,
    expected: { state: S; version: number },
    next: { state: S; version: number },
  ): Promise<boolean>;
}

export function defineMachine<S extends string, C>(definition: MachineDef<S, C>): MachineDef<S, C> {
  const states = new Set(Object.keys(definition.states));
  const actions = new Set<string>();
  for (const t of definition.transitions) {
    if (actions.has(t.action)) throw new Error(`${definition.name}: duplicate action ${t.action}`);
    actions.add(t.action);
    for (const s of [...t.from, t.to]) {
      if (!states.has(s)) throw new Error(`${definition.name}: unknown state ${s} in ${t.action}`);
    }
  }
  return definition;
}

/** The transitions open from `state`, optionally only those `role` may take. */
export function allowedTransitions<S extends string, C>(
  machine: MachineDef<S, C>,
  state: S,
  role?: ActorRole,
): TransitionDef<S, C>[] {
  return machine.transitions.filter(
    (t) => t.from.includes(state) && (role === undefined || hasPermission(role, t.permission)),
  );
}

export interface TransitionRequest<C> {
  id: string;
  action: string;
  /** The version the user saw; omitted only by system steps that act on whatever is current. */
  expectedVersion?: number | undefined;
  role: Acting;
  context: C;
  attachments?: readonly string[] | undefined;
  /** Refuse unless the entity's division lies in the caller's reach (the owner's scope rule). */
  inReach?: (divisionCode: string) => boolean;
}

export interface TransitionResult<S extends string> {
  from: S;
  to: S;
  version: number;
}

function stateName<S extends string, C>(machine: MachineDef<S, C>, state: S): string {
  return machine.states[state] ?? state;
}

function wrongState<S extends string, C>(
  machine: MachineDef<S, C>,
  current: MachineSnapshot<S>,
  label: string,
): ConflictError {
  const open = allowedTransitions(machine, current.state);
  const names = open.map((t) => t.label).join('、') || '无';
  return new ConflictError(
    'wrong_state',
    `当前状态为「${stateName(machine, current.state)}」，不能${label}；可执行的操作：${names}`,
    { state: current.state, version: current.version, allowedActions: open.map((t) => t.action) },
  );
}

export async function applyTransition<S extends string, C>(
  tx: WorkTx,
  machine: MachineDef<S, C>,
  entities: MachineStore<S>,
  request: TransitionRequest<C>,
): Promise<TransitionResult<S>> {
  const transition = machine.transitions.find((t) => t.action === request.action);
  if (!transition) throw new WorkflowError('wrong_state', `没有名为「${request.action}」的操作`);
  const current = await entities.load(tx, request.id);
  if (!current || (request.inReach && !request.inReach(current.divisionCode))) {
    throw new WorkflowError('not_found', '记录不存在');
  }
  if (!mayAct(request.role, transition.permission)) {
    throw new WorkflowError('forbidden', `您没有权限执行「${transition.label}」`);
  }
  if (request.expectedVersion !== undefined && request.expectedVersion !== current.version) {
    throw new ConflictError(
      'stale_version',
      `记录已被他人修改（当前状态「${stateName(machine, current.state)}」，版本 ${current.version}），请刷新后重新操作`,
      {
        state: current.state,
        version: current.version,
        allowedActions: allowedTransitions(machine, current.state).map((t) => t.action),
      },
    );
  }
  if (!transition.from.includes(current.state)) throw wrongState(machine, current, transition.label);
  const problems = transition.check ? await transition.check(request.context) : [];
  if (problems.length > 0)
    throw new WorkflowError('check_failed', `不能${transition.label}：${problems.join('；')}`);
  const next = { state: transition.to, version: current.version + 1 };
  const saved = await entities.save(tx, request.id, { state: current.state, version: current.version }, next);
  if (!saved) {
    // Someone else moved it between our read and our write: report what is true now.
    const now = await entities.load(tx, request.id);
    throw now ? wrongState(machine, now, transition.label) : new WorkflowError('not_found', '记录不存在');
  }
  const district = current.divisionCode.slice(0, 6);
  await appendEvent(tx, {
    districtCode: district,
    entityType: machine.entityType,
    entityId: request.id,
    machine: machine.name,
    action: transition.action,
    fromState: current.state,
    toState: transition.to,
    version: next.version,
    actorId: tx.actor.userId,
    actorDivision: tx.actor.divisionCode,
    reason: tx.actor.reason,
    attachments: [...(request.attachments ?? [])],
    at: tx.now.toISOString(),
  });
  tx.record({
    action: machine.auditAction,
    entityType: machine.entityType,
    entityId: request.id,
    district: current.divisionCode,
    before: { state: current.state, version: current.version },
    after: {
      state: transition.to,
      version: next.version,
      action: transition.action,
      attachments: request.attachments ?? [],
    },
  });
  return { from: current.state, to: transition.to, version: next.version };
}

export interface StartRequest {
  id: string;
  /** The transition that creates the entity: one whose `from` is empty. */
  action: string;
  divisionCode: string;
  role: Acting;
  attachments?: readonly string[] | undefined;
}

/**
 * The first event of an entity the owner has just inserted in its initial state (version 1): checks the
 * creating transition's permission, and records the step in the timeline (from null) and the audit chain,
 * as `applyTransition` does for every later step. A machine lists its creating transition with
 * `from: []`, so that `allowedTransitions` never offers it on an existing entity.
 */
export async function recordStart<S extends string, C>(
  tx: WorkTx,
  machine: MachineDef<S, C>,
  request: StartRequest,
  after: Record<string, unknown> = {},
): Promise<{ state: S; version: number }> {
  const transition = machine.transitions.find((t) => t.action === request.action);
  if (!transition || transition.from.length > 0) {
    throw new Error(`${machine.name}: ${request.action} is not a creating transition`);
  }
  if (!mayAct(request.role, transition.permission)) {
    throw new WorkflowError('forbidden', `您没有权限执行「${transition.label}」`);
  }
  const version = 1;
  await appendEvent(tx, {
    districtCode: request.divisionCode.slice(0, 6),
    entityType: machine.entityType,
    entityId: request.id,
    machine: machine.name,
    action: transition.action,
    fromState: null,
    toState: transition.to,
    version,
    actorId: tx.actor.userId,
    actorDivision: tx.actor.divisionCode,
    reason: tx.actor.reason,
    attachments: [...(request.attachments ?? [])],
    at: tx.now.toISOString(),
  });
  tx.record({
    action: machine.auditAction,
    entityType: machine.entityType,
    entityId: request.id,
    district: request.divisionCode,
    before: null,
    after: { state: transition.to, version, action: transition.action, ...after },
  });
  return { state: transition.to, version };
}
