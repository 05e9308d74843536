import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../../test/support/stores.ts';
import { fixedClock, setClock } from '../../core/clock.ts';
import { selectRows } from '../../db/sql.ts';
import { inUnitOfWork } from '../../workflow/unit-of-work.ts';
import { WorkflowError } from '../../workflow/workflow.errors.ts';
import { fundAccount, payableAccount } from '../ledger/accounts.ts';
import { postEntries } from '../ledger/ledger.repository.ts';
import { PayrollError } from '../payroll.errors.ts';
import {
  actor,
  APPROVER,
  ELSEWHERE,
  FINANCE,
  seedPayables,
  type SeededPayables,
} from '../runs/runs.fixtures.ts';
import {
  actOnRecovery,
  openRecoveriesFor,
  raiseRecovery,
  raiseRecoveriesForDeaths,
} from './recovery.service.ts';

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

const SYSTEM = { userId: 'system:job-runner', divisionCode: null, reason: '发放计算' };

describeStores('recovery items', (ctx) => {
  let restore: () => void;
  let p: SeededPayables;

  async function accrue(payableId: string, program: string, periods: string[], fen: number) {
    await inUnitOfWork(ctx.store, SYSTEM, async (tx) => {
      await postEntries(
        tx,
        periods.map((period) => ({
          districtCode: '310110',
          payableKind: 'entitlement' as const,
          payableId,
          period,
          kind: 'accrual' as const,
          seq: 1,
          program,
          debitAccount: fundAccount(program, 'city'),
          creditAccount: payableAccount(program),
          amountFen: fen,
        })),
      );
      tx.record({
        action: 'payroll.transition',
        entityType: 'payroll_run',
        entityId: 'test',
        district: '310110',
      });
    });
  }
  const ledgerOf = (payableId: string, period: string) =>
    selectRows<{
      kind: string;
      seq: number;
      amount_fen: string;
      debit_account: string;
      credit_account: string;
    }>(
      ctx.store.db,
      sql`select kind, seq, amount_fen, debit_account, credit_account from ledger_entries
        where payable_id = ${payableId}::uuid and period = ${period} and kind <> 'accrual' order by kind, seq`,
    );

  beforeAll(async () => {
    restore = setClock(fixedClock('2026-12-01T10:00:00+08:00'));
    p = await seedPayables(ctx.store, 'V1');
    await accrue(p.householdPayable, 'dibao', ['2026-08', '2026-09'], 151_000);
  });
  afterAll(() => restore());

  it('raises at most what was accrued for the period, posts a recovery entry, collects and writes off', async () => {
    const raise = (amountFen: number, period = '2026-08', caller = FINANCE) =>
      inUnitOfWork(ctx.store, actor(caller, '核对发现不符合条件'), (tx) =>
        raiseRecovery(tx, caller, {
          districtCode: '310110',
          payableId: p.householdPayable,
          period,
          cause: 'ineligible',
          amountFen,
          note: '收入超标',
        }),
      );
    expect(code(await thrown(raise(151_001)))).toBe('invalid');
    expect(code(await thrown(raise(100, '2026-07')))).toBe('invalid');
    expect(code(await thrown(raise(100, '2026-08', APPROVER)))).toBe('forbidden');
    expect(code(await thrown(raise(100, '2026-08', { ...FINANCE, scope: ELSEWHERE.scope })))).toBe(
      'not_found',
    );
    const item = await raise(50_000);
    expect(item).toMatchObject({
      state: 'open',
      amountFen: 50_000,
      program: 'dibao',
      householdId: p.householdId,
    });
    const raised = (await ledgerOf(p.householdPayable, '2026-08')).map((e) => ({
      ...e,
      amount_fen: Number(e.amount_fen),
    }));
    expect(raised).toEqual([
      {
        kind: 'recovery',
        seq: 1,
        amount_fen: 50_000,
        debit_account: 'receivable:dibao',
        credit_account: 'fund:dibao:city',
      },
    ]);
    expect((await openRecoveriesFor(ctx.store.db, '310110', [p.householdPayable])).map((r) => r.id)).toEqual([
      item.id,
    ]);
    const collected = await inUnitOfWork(ctx.store, actor(FINANCE, '已收回'), (tx) =>
      actOnRecovery(tx, FINANCE, {
        districtCode: '310110',
        id: item.id,
        action: 'collect',
        version: item.version,
      }),
    );
    expect(collected).toMatchObject({ state: 'collected', recoveredFen: 50_000 });
    const kinds = (await ledgerOf(p.householdPayable, '2026-08')).map((e) => [e.kind, Number(e.amount_fen)]);
    expect(kinds).toEqual([
      ['collection', 50_000],
      ['recovery', 50_000],
    ]);
    // Write-off: not by whoever raised it; by the approver, reversing what is outstanding.
    const other = await inUnitOfWork(ctx.store, actor(FINANCE, '核对发现不符合条件'), (tx) =>
      raiseRecovery(tx, FINANCE, {
        districtCode: '310110',
        payableId: p.householdPayable,
        period: '2026-09',
        cause: 'other',
        amountFen: 20_000,
        note: '多发',
      }),
    );
    const self = { ...APPROVER, userId: 'u-finance' };
    expect(
      code(
        await thrown(
          inUnitOfWork(ctx.store, actor(self, '核销'), (tx) =>
            actOnRecovery(tx, self, {
              districtCode: '310110',
              id: other.id,
              action: 'write_off',
              version: other.version,
            }),
          ),
        ),
      ),
    ).toBe('same_person');
    expect(
      code(
        await thrown(
          inUnitOfWork(ctx.store, actor(APPROVER, '核销'), (tx) =>
            actOnRecovery(tx, APPROVER, {
              districtCode: '310110',
              id: other.id,
              action: 'write_off',
              version: other.version - 1,
            }),
          ),
        ),
      ),
    ).toBe('stale_version');
    const written = await inUnitOfWork(ctx.store, actor(APPROVER, '对象已无力偿还，核销'), (tx) =>
      actOnRecovery(tx, APPROVER, {
        districtCode: '310110',
        id: other.id,
        action: 'write_off',
        version: other.version,
      }),
    );
    expect(written.state).toBe('written_off');
    expect((await ledgerOf(p.householdPayable, '2026-09')).map((e) => Number(e.amount_fen))).toEqual([
      20_000, -20_000,
    ]);
  });

  it('raises one item per period paid after a death and stops the entitlement, once', async () => {
    const d = await seedPayables(ctx.store, 'V2');
    await accrue(d.personPayable, 'kunjing_child', ['2026-08', '2026-09', '2026-10'], 10_000);
    await ctx.store.db.execute(
      sql`update persons set death_date = '2026-08-15' where id = ${d.personId}::uuid`,
    );
    const first = await inUnitOfWork(ctx.store, SYSTEM, (tx) =>
      raiseRecoveriesForDeaths(tx, '310110', '2026-12'),
    );
    expect(first).toEqual({ raised: 2, fen: 20_000, stopped: 1 });
    const items = await selectRows<{ period: string; cause: string; amount_fen: string }>(
      ctx.store.db,
      sql`select period, cause, amount_fen from recovery_items where payable_id = ${d.personPayable}::uuid order by period`,
    );
    expect(items.map((i) => [i.period, i.cause, Number(i.amount_fen)])).toEqual([
      ['2026-09', 'death', 10_000],
      ['2026-10', 'death', 10_000],
    ]);
    const [ent] = await selectRows<{ state: string; to_month: string }>(
      ctx.store.db,
      sql`select state, to_month from entitlements where id = ${d.personPayable}::uuid`,
    );
    expect(ent).toEqual({ state: 'stopped', to_month: '2026-08' });
    const again = await inUnitOfWork(ctx.store, SYSTEM, (tx) =>
      raiseRecoveriesForDeaths(tx, '310110', '2026-12'),
    );
    expect(again).toEqual({ raised: 0, fen: 0, stopped: 0 });
  });
});
