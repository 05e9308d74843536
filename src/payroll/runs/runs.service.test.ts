import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../../test/support/stores.ts';
import { fixedClock, setClock } from '../../core/clock.ts';
import { selectRows } from '../../db/sql.ts';
import type { Store } from '../../db/store.ts';
import { inUnitOfWork } from '../../workflow/unit-of-work.ts';
import { ConflictError, WorkflowError } from '../../workflow/workflow.errors.ts';
import { accruedByPeriod, ledgerKey } from '../ledger/ledger.repository.ts';
import { PayrollError } from '../payroll.errors.ts';
import { reviewHeldLines } from './review.service.ts';
import {
  actor,
  APPROVER,
  AUDITOR,
  blockingFinding,
  ELSEWHERE,
  FINANCE,
  FINANCE2,
  seedPayables,
  writeLines,
  type SeededPayables,
} from './runs.fixtures.ts';
import { findRun } from './runs.repository.ts';
import {
  actOnRun,
  closeIfSettled,
  completeComputation,
  markExported,
  startRun,
  type PayrollCaller,
} from './runs.service.ts';
import type { RunUserAction } from './run.machine.ts';

async function thrown(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a refusal');
}

function code(e: unknown): string {
  if (e instanceof PayrollError || e instanceof WorkflowError) return e.code;
  throw e;
}

describeStores('payroll runs: start, check, approve, cancel, review, export, close', (ctx) => {
  let restore: () => void;
  let p: SeededPayables;
  const start = (store: Store, month: string, caller: PayrollCaller = FINANCE) =>
    inUnitOfWork(store, actor(caller, '发起本月发放'), (tx) =>
      startRun(tx, caller, { districtCode: '310110', month }),
    );
  const act = (caller: PayrollCaller, runId: string, action: RunUserAction, version: number) =>
    inUnitOfWork(ctx.store, actor(caller, `${action} 批次`), (tx) =>
      actOnRun(tx, caller, { districtCode: '310110', runId, action, version }),
    );
  const version = async (runId: string) =>
    (await findRun(ctx.store.db, { districtCode: '310110', runId }))!.version;
  /** A run of `month` computed with two pending lines and two held ones, in state prepared. */
  async function prepared(month: string): Promise<string> {
    const { run } = await start(ctx.store, month);
    await writeLines(ctx.store, run.id, [
      {
        lineNo: 1,
        payableId: p.personPayable,
        program: 'kunjing_child',
        householdId: p.householdId,
        personId: p.personId,
        payeeId: p.payeeId,
        period: month,
        amountFen: 10_000,
        state: 'pending',
      },
      {
        lineNo: 2,
        payableId: p.householdPayable,
        program: 'dibao',
        householdId: p.householdId,
        personId: null,
        payeeId: p.payeeId,
        period: month,
        amountFen: 151_000,
        state: 'pending',
      },
      {
        lineNo: 3,
        payableId: p.personPayable,
        program: 'kunjing_child',
        householdId: p.householdId,
        personId: p.personId,
        payeeId: p.payeeId,
        period: '2026-06',
        amountFen: 0,
        state: 'held',
        entitlementAmountFen: 10_000,
        engineAmountFen: 12_000,
      },
      {
        lineNo: 4,
        payableId: p.householdPayable,
        program: 'dibao',
        householdId: p.householdId,
        personId: null,
        payeeId: p.payeeId,
        period: '2026-06',
        amountFen: 0,
        state: 'held',
        entitlementAmountFen: 151_000,
        engineAmountFen: null,
      },
    ]);
    await inUnitOfWork(
      ctx.store,
      { userId: 'system:job-runner', divisionCode: null, reason: '发放计算' },
      (tx) =>
        completeComputation(
          tx,
          'system',
          { districtCode: '310110', runId: run.id },
          { lineCount: 2, totalFen: 161_000, heldCount: 2, heldFen: 0 },
        ),
    );
    return run.id;
  }

  beforeAll(async () => {
    restore = setClock(fixedClock('2026-12-01T10:00:00+08:00'));
    p = await seedPayables(ctx.store, 'R1');
  });
  afterAll(() => restore());

  it('starts a run (computing, prepared by the actor) with its payroll.run job, once per month', async () => {
    const { run, jobId } = await start(ctx.store, '2026-01');
    expect(run.state).toBe('computing');
    expect(run.preparedBy).toBe('u-finance');
    const [job] = await selectRows<{ kind: string; payload: unknown; idempotency_key: string }>(
      ctx.store.db,
      sql`select kind, payload, idempotency_key from jobs where id = ${jobId}::uuid`,
    );
    expect(job?.kind).toBe('payroll.run');
    expect(job?.payload).toEqual({ districtCode: '310110', runId: run.id });
    expect(job?.idempotency_key).toBe(`310110:2026-01:${run.id}`);
    const again = await thrown(start(ctx.store, '2026-01', FINANCE2));
    expect(code(again)).toBe('month_taken');
    expect((again as Error).message).toContain('已有发放批次');
    expect(code(await thrown(start(ctx.store, '2026-02', APPROVER)))).toBe('forbidden');
    expect(code(await thrown(start(ctx.store, '2026-13')))).toBe('invalid');
    const elsewhere = { ...FINANCE, scope: ELSEWHERE.scope };
    expect(code(await thrown(start(ctx.store, '2026-02', elsewhere)))).toBe('not_found');
  });

  it('refuses the preparer as checker, a stale version, and a check before computing ends', async () => {
    const { run } = await start(ctx.store, '2026-02');
    expect(code(await thrown(act(FINANCE2, run.id, 'check', run.version)))).toBe('wrong_state');
    const id = await prepared('2026-03');
    const v = await version(id);
    expect(code(await thrown(act(FINANCE, id, 'check', v)))).toBe('same_person');
    const stale = await thrown(act(FINANCE2, id, 'check', v - 1));
    expect(stale).toBeInstanceOf(ConflictError);
    expect(code(stale)).toBe('stale_version');
    expect((stale as Error).message).toContain('请刷新');
    expect(code(await thrown(act(AUDITOR, id, 'check', v)))).toBe('forbidden');
    expect(code(await thrown(act(ELSEWHERE, id, 'check', v)))).toBe('not_found');
    const checked = await act(FINANCE2, id, 'check', v);
    expect(checked.state).toBe('checked');
    expect(checked.checkedBy).toBe('u-finance2');
  });

  it('refuses approval by the preparer, by the checker, with held lines, with blocking findings', async () => {
    const id = await prepared('2026-04');
    await act(FINANCE2, id, 'check', await version(id));
    const asPreparer = { ...APPROVER, userId: 'u-finance' };
    const asChecker = { ...APPROVER, userId: 'u-finance2' };
    expect(code(await thrown(act(asPreparer, id, 'approve', await version(id))))).toBe('same_person');
    expect(code(await thrown(act(asChecker, id, 'approve', await version(id))))).toBe('same_person');
    expect(code(await thrown(act(FINANCE2, id, 'approve', await version(id))))).toBe('forbidden');
    const held = await thrown(act(APPROVER, id, 'approve', await version(id)));
    expect(code(held)).toBe('held_lines');
    expect((held as Error).message).toContain('2 条挂起');
    // Review: line 3 released at the engine's amount, line 4 (no engine amount) excluded.
    const noEngine = await thrown(
      inUnitOfWork(ctx.store, actor(FINANCE, '按测算放行'), (tx) =>
        reviewHeldLines(tx, FINANCE, {
          districtCode: '310110',
          runId: id,
          decision: 'release',
          amountFrom: 'engine',
          filter: {},
          reason: '按测算放行',
        }),
      ),
    );
    expect(code(noEngine)).toBe('invalid');
    const v = await version(id);
    const staleReview = await thrown(
      inUnitOfWork(ctx.store, actor(FINANCE, '放行'), (tx) =>
        reviewHeldLines(tx, FINANCE, {
          districtCode: '310110',
          runId: id,
          decision: 'release',
          amountFrom: 'engine',
          filter: { lineNos: [3] },
          version: v - 1,
          reason: '放行',
        }),
      ),
    );
    expect(code(staleReview)).toBe('stale_version');
    const released = await inUnitOfWork(ctx.store, actor(FINANCE, '测算金额经核实无误，放行'), (tx) =>
      reviewHeldLines(tx, FINANCE, {
        districtCode: '310110',
        runId: id,
        decision: 'release',
        amountFrom: 'engine',
        filter: { lineNos: [3] },
        version: v,
        reason: '测算金额经核实无误，放行',
      }),
    );
    expect(released).toMatchObject({ lines: 1, fen: 12_000, version: v + 1 });
    // The run's totals follow the review: the released line counts, one line still held.
    const before = await findRun(ctx.store.db, { districtCode: '310110', runId: id });
    expect(before).toMatchObject({ lineCount: 3, totalFen: 161_000 + 12_000, heldCount: 1 });
    const ledger = await accruedByPeriod(ctx.store.db, '310110', [p.personPayable], ['2026-06']);
    expect(ledger.get(ledgerKey(p.personPayable, '2026-06'))?.accruedFen).toBe(12_000);
    // The same period again (line 3 of another run would find it accrued): nothing more to release.
    await inUnitOfWork(ctx.store, actor(FINANCE, '无测算金额，本次不予发放'), (tx) =>
      reviewHeldLines(tx, FINANCE, {
        districtCode: '310110',
        runId: id,
        decision: 'exclude',
        filter: { program: 'dibao' },
        reason: '无测算金额，本次不予发放',
      }),
    );
    const reviewed = await findRun(ctx.store.db, { districtCode: '310110', runId: id });
    expect(reviewed).toMatchObject({ lineCount: 3, totalFen: 161_000 + 12_000, heldCount: 0, heldFen: 0 });
    const finding = await blockingFinding(ctx.store, id, 'A');
    const blocked = await thrown(act(APPROVER, id, 'approve', await version(id)));
    expect(code(blocked)).toBe('blocking_findings');
    await ctx.store.db.execute(
      sql`update control_findings set state = 'resolved', resolution = '已核实', resolved_by = 'u-finance', resolved_at = now() where id = ${finding}::uuid`,
    );
    const approved = await act(APPROVER, id, 'approve', await version(id));
    expect(approved.state).toBe('approved');
    expect(approved.approvedBy).toBe('u-approver');
    // The table refuses what the service would: the approver as checker.
    await expect(
      ctx.store.db.execute(sql`update payroll_runs set approved_by = checked_by where id = ${id}::uuid`),
    ).rejects.toThrow();
    expect(code(await thrown(act(FINANCE, id, 'cancel', await version(id))))).toBe('wrong_state');
    // Export, then close once no line is still pending.
    const key = { districtCode: '310110', runId: id };
    await inUnitOfWork(ctx.store, actor(FINANCE, '导出银行文件'), (tx) =>
      markExported(tx, FINANCE.role, key),
    );
    expect(
      await inUnitOfWork(ctx.store, actor(FINANCE, '导入回盘'), (tx) =>
        closeIfSettled(tx, FINANCE.role, key),
      ),
    ).toBe(false);
    await ctx.store.db.execute(
      sql`update payroll_lines set state = 'paid' where run_id = ${id}::uuid and state in ('pending', 'released')`,
    );
    expect(
      await inUnitOfWork(ctx.store, actor(FINANCE, '导入回盘'), (tx) =>
        closeIfSettled(tx, FINANCE.role, key),
      ),
    ).toBe(true);
    const closed = (await findRun(ctx.store.db, key))!;
    expect(closed.state).toBe('closed');
    expect(closed.exportedBy).toBe('u-finance');
  });

  it('cancels a run with reversals of its accruals, and the month may be started again', async () => {
    const id = await prepared('2026-05');
    await act(FINANCE2, id, 'check', await version(id));
    const before = await accruedByPeriod(
      ctx.store.db,
      '310110',
      [p.personPayable, p.householdPayable],
      ['2026-05'],
    );
    expect(before.get(ledgerKey(p.householdPayable, '2026-05'))?.accruedFen).toBe(151_000);
    const cancelled = await act(FINANCE, id, 'cancel', await version(id));
    expect(cancelled.state).toBe('cancelled');
    const after = await accruedByPeriod(
      ctx.store.db,
      '310110',
      [p.personPayable, p.householdPayable],
      ['2026-05'],
    );
    expect(after.get(ledgerKey(p.householdPayable, '2026-05'))).toMatchObject({
      accruedFen: 0,
      lastAccrualSeq: 2,
    });
    expect(after.get(ledgerKey(p.personPayable, '2026-05'))?.accruedFen).toBe(0);
    const audit = await selectRows<{ action: string; reason: string }>(
      ctx.store.db,
      sql`select action, reason from audit_log where entity_id = ${id}`,
    );
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['payroll.transition', 'payroll.reversed']),
    );
    const again = await start(ctx.store, '2026-05');
    expect(again.run.state).toBe('computing');
  });
});
