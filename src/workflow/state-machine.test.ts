import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { selectRows } from '../db/sql.ts';
import { allowedTransitions, applyTransition, defineMachine, type MachineStore } from './state-machine.ts';
import { inUnitOfWork, type ActingContext, type WorkTx } from './unit-of-work.ts';
import { entityTimeline } from './workflow.repository.ts';

type S = 'draft' | 'submitted' | 'approved' | 'returned';

const machine = defineMachine<S, { complete: boolean }>({
  name: 'test.application',
  entityType: 'person',
  auditAction: 'person.updated',
  states: { draft: '草稿', submitted: '已提交', approved: '已批准', returned: '已退回' },
  transitions: [
    {
      action: 'submit',
      label: '提交',
      from: ['draft', 'returned'],
      to: 'submitted',
      permission: 'registry.write',
      check: (c) => (c.complete ? [] : ['材料不全']),
    },
    { action: 'approve', label: '批准', from: ['submitted'], to: 'approved', permission: 'users.manage' },
    {
      action: 'return',
      label: '退回',
      from: ['submitted'],
      to: 'returned',
      permission: 'users.manage',
    },
  ],
});

const probe: MachineStore<S> = {
  async load(tx: WorkTx, id: string) {
    const [row] = await selectRows<{ state: S; version: number }>(
      tx.db,
      sql`select state, version from sm_probe where id = ${id}`,
    );
    return row ? { id, divisionCode: '310110012', ...row } : null;
  },
  async save(tx, id, expected, next) {
    const rows = await selectRows(
      tx.db,
      sql`update sm_probe set state = ${next.state}, version = ${next.version}
          where id = ${id} and state = ${expected.state} and version = ${expected.version} returning id`,
    );
    return rows.length === 1;
  },
};

const actor: ActingContext = { userId: 'u-1', divisionCode: '310110', reason: '测试流转' };

describe('defineMachine', () => {
  it('refuses unknown states and duplicate actions', () => {
    expect(() =>
      defineMachine({
        ...machine,
        transitions: [...machine.transitions, { ...machine.transitions[0]!, action: 'x', to: 'gone' as S }],
      }),
    ).toThrow(/unknown state/);
    expect(() =>
      defineMachine({ ...machine, transitions: [...machine.transitions, machine.transitions[0]!] }),
    ).toThrow(/duplicate/);
  });

  it('lists the actions open from a state, by role', () => {
    expect(allowedTransitions(machine, 'submitted').map((t) => t.action)).toEqual(['approve', 'return']);
    expect(allowedTransitions(machine, 'submitted', 'street_caseworker')).toEqual([]);
    expect(allowedTransitions(machine, 'approved')).toEqual([]);
  });
});

describeStores('state machine transitions', (ctx) => {
  beforeAll(async () => {
    await ctx.store.db.execute(
      sql`create table sm_probe (id text primary key, state text not null, version int not null)`,
    );
    await ctx.store.db.execute(sql`insert into sm_probe values ('a', 'draft', 1)`);
  });
  const move = (
    action: string,
    extra: { expectedVersion?: number; role?: 'admin' | 'street_caseworker'; complete?: boolean } = {},
  ) =>
    inUnitOfWork(ctx.store, actor, (tx) =>
      applyTransition(tx, machine, probe, {
        id: 'a',
        action,
        expectedVersion: extra.expectedVersion,
        role: extra.role ?? 'admin',
        context: { complete: extra.complete ?? true },
        attachments: ['f-1'],
      }),
    );

  it('walks every transition, each an event in the timeline', async () => {
    await expect(move('submit', { complete: false })).rejects.toMatchObject({ code: 'check_failed' });
    expect(await move('submit', { expectedVersion: 1 })).toEqual({
      from: 'draft',
      to: 'submitted',
      version: 2,
    });
    expect(await move('return')).toMatchObject({ from: 'submitted', to: 'returned', version: 3 });
    expect(await move('submit')).toMatchObject({ from: 'returned', to: 'submitted', version: 4 });
    expect(await move('approve', { expectedVersion: 4 })).toMatchObject({ to: 'approved', version: 5 });
    const events = await entityTimeline(ctx.store.db, 'person', 'a');
    expect(events.map((e) => `${e.fromState}>${e.toState}`)).toEqual([
      'draft>submitted',
      'submitted>returned',
      'returned>submitted',
      'submitted>approved',
    ]);
    expect(events[0]).toMatchObject({
      actorId: 'u-1',
      reason: '测试流转',
      attachments: ['f-1'],
      districtCode: '310110',
    });
  });

  it('refuses a step from the wrong state naming the state and what is allowed, writing nothing', async () => {
    const error = await move('return').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'wrong_state', currentState: 'approved', allowedActions: [] });
    expect((error as Error).message).toContain('已批准');
    expect((await entityTimeline(ctx.store.db, 'person', 'a')).length).toBe(4);
  });

  it('refuses a stale version and a role without the permission', async () => {
    await ctx.store.db.execute(sql`update sm_probe set state = 'submitted', version = 9 where id = 'a'`);
    await expect(move('approve', { expectedVersion: 8 })).rejects.toMatchObject({
      code: 'stale_version',
      currentVersion: 9,
    });
    await expect(move('approve', { role: 'street_caseworker' })).rejects.toMatchObject({ code: 'forbidden' });
    const [row] = await selectRows<{ state: string }>(
      ctx.store.db,
      sql`select state from sm_probe where id = 'a'`,
    );
    expect(row?.state).toBe('submitted');
  });
});
