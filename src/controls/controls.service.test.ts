import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { fixedClock, setClock } from '../core/clock.ts';
import { selectRows } from '../db/sql.ts';
import { inUnitOfWork } from '../workflow/unit-of-work.ts';
import { ConflictError } from '../workflow/workflow.errors.ts';
import { ControlError } from './controls.errors.ts';
import {
  actorOf,
  addLine,
  APPROVER,
  AUDITOR,
  check,
  FINANCE,
  FINANCE2,
  findingsOf,
  OTHER_DISTRICT,
  seedHousehold,
  seedRun,
} from './controls.fixtures.ts';
import {
  closeFindingAs,
  getFinding,
  listFindingViews,
  NO_LONGER_FOUND,
  openBlockingFindings,
  type FindingsCaller,
  type FindingView,
} from './controls.service.ts';

async function thrown(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a refusal');
}

describeStores('control findings', (ctx) => {
  let restore: () => void;
  beforeAll(() => (restore = setClock(fixedClock('2026-12-02T02:00:00Z'))));
  afterAll(() => restore());

  const close = (
    caller: FindingsCaller,
    action: 'resolve' | 'dismiss',
    f: FindingView,
    text = '已核实处理',
  ) =>
    inUnitOfWork(ctx.store, actorOf(caller), (tx) =>
      closeFindingAs(tx, caller, action, {
        districtCode: f.districtCode,
        id: f.id,
        version: f.version,
        text,
      }),
    );

  async function deadPayeeRun(month: string) {
    const run = await seedRun(ctx.store, { month });
    const dead = await seedHousehold(ctx.store, [{ name: '钱已故', deathDate: '2025-10-15' }]);
    const line = await addLine(ctx.store, run, {
      householdId: dead.householdId,
      payeePersonId: dead.persons[0]!.id,
      amountFen: 200_000,
      engineAmountFen: 190_000,
    });
    return { run, dead, line };
  }

  it('re-checking a run files nothing twice, and counts the open blocking findings', async () => {
    const { run } = await deadPayeeRun('2026-12');
    const first = await check(ctx.store, run);
    const second = await check(ctx.store, run);
    // payee_dead (blocking), amount_mismatch and no_basis (the line's payable has no entitlement).
    expect(first).toEqual({ findings: 3, blocking: 1 });
    expect(second).toEqual(first);
    expect(await findingsOf(ctx.store, run.runId, 'payee_dead')).toHaveLength(1);
    expect(await openBlockingFindings(ctx.store.db, run.district, run.runId)).toBe(1);
    const [audit] = await selectRows<{ n: number }>(
      ctx.store.db,
      sql`select count(*)::int as n from audit_log where action = 'controls.check' and entity_id = ${run.runId}`,
    );
    expect(audit!.n).toBe(2);
  });

  it('a recomputed run meets the open finding of the same subject; a fixed one is resolved by the system', async () => {
    const { run, dead } = await deadPayeeRun('2026-11');
    await check(ctx.store, run);
    const [before] = (await listFindingViews(ctx.store.db, FINANCE, { runId: run.runId, rule: 'payee_dead' }))
      .items;
    await ctx.store.db.execute(
      sql`update payroll_runs set state = 'cancelled' where id = ${run.runId}::uuid`,
    );
    const again = await seedRun(ctx.store, { month: '2026-11' });
    await ctx.store.db
      .execute(sql`insert into payroll_lines select district_code, ${again.runId}::uuid, line_no,
        payable_kind, payable_id, program, household_id, person_id, committee_code, period, kind, amount_fen,
        entitlement_amount_fen, engine_amount_fen, basis_kind, basis_ref, state, hold_reason, payee_person_id,
        account_kind, bank_code, bank_name, account_no
      from payroll_lines where run_id = ${run.runId}::uuid and program = 'dibao'`);
    // The amount is fixed in the new run: amount_mismatch is no longer found.
    await ctx.store.db.execute(
      sql`update payroll_lines set engine_amount_fen = amount_fen where run_id = ${again.runId}::uuid`,
    );
    expect(await check(ctx.store, again)).toEqual({ findings: 2, blocking: 1 });
    const moved = (await listFindingViews(ctx.store.db, FINANCE, { rule: 'payee_dead', month: '2026-11' }))
      .items;
    const mine = moved.filter((f) => f.description.includes(dead.persons[0]!.name) && f.month === '2026-11');
    expect(mine.map((f) => [f.id, f.runId, f.state])).toEqual([[before!.id, again.runId, 'open']]);
    const mismatch = await findingsOf(ctx.store, run.runId, 'amount_mismatch');
    expect(mismatch).toEqual([expect.objectContaining({ state: 'resolved' })]);
    const [row] = await selectRows<{ resolution: string }>(
      ctx.store.db,
      sql`select resolution from control_findings where run_id = ${run.runId}::uuid and rule = 'amount_mismatch'`,
    );
    expect(row!.resolution).toBe(NO_LONGER_FOUND);
  });

  it('a blocking finding is closed only by someone other than the run preparer; a warning by the preparer', async () => {
    const { run } = await deadPayeeRun('2026-10');
    await check(ctx.store, run);
    const list = await listFindingViews(ctx.store.db, FINANCE, { runId: run.runId, state: 'open' });
    const blocking = list.items.find((f) => f.rule === 'payee_dead')!;
    const warning = list.items.find((f) => f.rule === 'amount_mismatch')!;
    expect(blocking.actions).toEqual([]);
    expect(blocking.ownerId).toBe('u-finance');
    expect(blocking.dueOn).toBe('2026-12-04');
    expect(warning.dueOn).toBe('2026-12-16');
    expect(warning.actions).toEqual(['resolve', 'dismiss']);
    const refused = await thrown(close(FINANCE, 'dismiss', blocking));
    expect(refused).toBeInstanceOf(ControlError);
    expect((refused as ControlError).code).toBe('forbidden');
    expect((refused as Error).message).toContain('制单人以外');
    expect(await thrown(close(AUDITOR, 'dismiss', blocking))).toBeInstanceOf(ControlError);
    expect(await thrown(close(FINANCE2, 'dismiss', blocking, '  '))).toBeInstanceOf(ControlError);

    const dismissed = await close(FINANCE2, 'dismiss', blocking, '经核实死亡登记有误，已更正户籍信息');
    expect(dismissed.state).toBe('dismissed');
    expect(dismissed.version).toBe(blocking.version + 1);
    expect(await openBlockingFindings(ctx.store.db, run.district, run.runId)).toBe(0);
    // The version seen is stale now, and the finding is closed.
    expect(await thrown(close(APPROVER, 'resolve', blocking))).toBeInstanceOf(ConflictError);

    const resolved = await close(FINANCE, 'resolve', warning, '金额已按测算结果更正');
    expect(resolved.state).toBe('resolved');
    expect(resolved.resolution).toBe('金额已按测算结果更正');

    // A dismissed subject is not raised again by the next check.
    await check(ctx.store, run);
    expect((await findingsOf(ctx.store, run.runId, 'payee_dead')).map((f) => f.state)).toEqual(['dismissed']);
    const [audit] = await selectRows<{ n: number }>(
      ctx.store.db,
      sql`select count(*)::int as n from audit_log where action = 'finding.transition' and entity_id = ${blocking.id}`,
    );
    expect(audit!.n).toBe(1);
  });

  it('keeps findings in their district', async () => {
    const { run } = await deadPayeeRun('2026-09');
    await check(ctx.store, run);
    const [f] = (await listFindingViews(ctx.store.db, FINANCE, { runId: run.runId })).items;
    expect((await listFindingViews(ctx.store.db, OTHER_DISTRICT, { runId: run.runId })).total).toBe(0);
    expect(await thrown(getFinding(ctx.store.db, OTHER_DISTRICT, f!.districtCode, f!.id))).toBeInstanceOf(
      ControlError,
    );
    expect((await getFinding(ctx.store.db, AUDITOR, f!.districtCode, f!.id)).actions).toEqual([]);
  });
});
