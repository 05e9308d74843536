import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { ALL, divisionScope } from '../auth/scope.ts';
import { calendarOf } from '../calendar/calendar.service.ts';
import { fixedClock, setClock, shanghaiToday } from '../core/clock.ts';
import { selectRows } from '../db/sql.ts';
import type { Store } from '../db/store.ts';
import { fundAccount, payableAccount } from '../payroll/ledger/accounts.ts';
import { postEntries } from '../payroll/ledger/ledger.repository.ts';
import { raiseRecoveriesForPersonDeaths } from '../payroll/recovery/recovery.service.ts';
import { seedPayables, type SeededPayables } from '../payroll/runs/runs.fixtures.ts';
import { makeIdNumber } from '../registry/id-number.ts';
import { createHousehold } from '../registry/registry.service.ts';
import { completeTask, listTasks } from '../tasks/tasks.service.ts';
import { TaskError } from '../tasks/tasks.errors.ts';
import { streetActor } from '../verification/verification.fixtures.ts';
import { inUnitOfWork } from '../workflow/unit-of-work.ts';
import { anniversary, isIsoDay } from './dates.ts';
import { deriveEvents } from './derive.service.ts';
import { listEvents } from './events.service.ts';
import { ingestEvents, type EventLine } from './ingest.service.ts';
import { processEventBatch } from './process.service.ts';

const OPERATOR = { userId: 'cli:test', divisionCode: null, reason: '生命事件回放（测试）' };
const SYSTEM = { userId: 'system:job-runner', divisionCode: null, reason: '生命事件处理' };

describe('anniversary (SPEC.md age rule)', () => {
  it('is the same day, or 1 March for a 29 February birth in a year without one', () => {
    expect(anniversary('1961-06-10', 65)).toBe('2026-06-10');
    expect(anniversary('1960-02-29', 65)).toBe('2025-03-01');
    expect(anniversary('1960-02-29', 64)).toBe('2024-02-29');
  });
});

describeStores('life events', (ctx) => {
  let restore: () => void;
  let pay: SeededPayables;
  let elder: string;
  let elderOther: string;
  let elderIdNumber: string;
  let batch = 0;

  async function household(tag: string, birthDate: string, hukou: string, serial: number) {
    const idNumber = makeIdNumber('310110', birthDate, serial);
    const created = await inUnitOfWork(ctx.store, streetActor, (tx) =>
      createHousehold(tx, ALL, {
        householdNo: `HD-E-${tag}`,
        committeeCode: '310110012001',
        validFrom: '2017-01-01',
        members: [
          {
            person: { idNumber, name: `孙${tag}`, sex: 1, birthDate, hukouDivisionCode: hukou },
            relationCode: '02',
          },
        ],
      }),
    );
    return { id: created.changes.find((c) => c.entityType === 'person')!.entityId, idNumber };
  }

  const ingest = (lines: Omit<EventLine, 'line'>[]) =>
    inUnitOfWork(ctx.store, OPERATOR, (tx) =>
      ingestEvents(
        tx,
        lines.map((l, i) => ({ line: i + 1, ...l })),
        { batchKey: `test/${++batch}`, sourceRef: 'test.jsonl' },
      ),
    );

  async function processAll(store: Store) {
    const calendar = await calendarOf(store);
    const total = { processed: 0, rejected: 0, ignored: 0, enrolled: 0, stopped: 0, recoveries: 0, tasks: 0 };
    let afterId = 0;
    for (;;) {
      const r = await inUnitOfWork(store, SYSTEM, (tx) =>
        processEventBatch(tx, {
          districtCode: '310110',
          afterId,
          limit: 3,
          batchKey: `p/${++batch}`,
          calendar,
        }),
      );
      for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += r[k];
      afterId = r.lastId;
      if (r.events < 3) return total;
    }
  }

  const count = async (query: ReturnType<typeof sql>) =>
    Number((await selectRows<{ n: string }>(ctx.store.db, query))[0]!.n);

  beforeAll(async () => {
    restore = setClock(fixedClock('2026-06-15T04:00:00Z'));
    pay = await seedPayables(ctx.store, 'ev');
    const a = await household('65', '1961-06-10', '310110012', 901);
    elder = a.id;
    elderIdNumber = a.idNumber;
    elderOther = (await household('65w', '1961-06-12', '320102', 903)).id;
  });
  afterAll(() => restore());

  it('reports each bad line with its number and reason, and stores only what names a known person', async () => {
    const r = await ingest([
      { kind: 'age_65', idNumber: elderIdNumber, occurredOn: '2026-06-10' },
      { kind: 'age_65', idNumber: elderIdNumber, occurredOn: '2026-06-10' },
      { kind: 'death', idNumber: makeIdNumber('310110', '1950-01-01', 999), occurredOn: '2026-05-01' },
      { kind: 'birth', personId: pay.personId, occurredOn: '2027-01-01' },
      { kind: 'death', personId: pay.payeeId, occurredOn: '1979-01-01' },
      { kind: 'wedding', personId: pay.payeeId, occurredOn: '2026-01-01' },
      { kind: 'age_70', personId: elder, occurredOn: '2026-06-10' },
    ]);
    expect(r.accepted).toBe(1);
    expect(r.duplicates).toEqual([{ line: 2, reason: '与第 1 行重复（同一人、同一事件、同一日期）' }]);
    expect(r.unknown.map((u) => u.line)).toEqual([3]);
    expect(r.unknown[0]!.reason).toContain('人口库中没有身份证号为');
    expect(r.contradictory.map((c) => c.line)).toEqual([4, 5, 7]);
    expect(r.contradictory[0]!.reason).toContain('晚于今天（2026-06-15）');
    expect(r.contradictory[1]!.reason).toContain('早于其出生日期（1980-03-03）');
    expect(r.contradictory[2]!.reason).toContain('不是其 70 周岁生日');
    expect(r.invalid).toEqual([
      { line: 6, reason: expect.stringContaining('事件种类「wedding」无效') as string },
    ]);
    expect(
      await count(
        sql`select count(*) as n from life_events where district_code = '310110' and state = 'rejected'`,
      ),
    ).toBe(3);
  });

  it('replaying the same lines again changes nothing', async () => {
    const before = await count(sql`select count(*) as n from life_events`);
    const r = await ingest([
      { kind: 'age_65', idNumber: elderIdNumber, occurredOn: '2026-06-10' },
      { kind: 'birth', personId: pay.personId, occurredOn: '2027-01-01' },
    ]);
    expect(r.accepted).toBe(0);
    expect(r.duplicates.map((d) => d.line)).toEqual([1, 2]);
    expect(await count(sql`select count(*) as n from life_events`)).toBe(before);
  });

  it('turning 65 with Shanghai hukou enrols once, without application, from the birthday month', async () => {
    const first = await processAll(ctx.store);
    expect(first).toMatchObject({ processed: 1, enrolled: 1, tasks: 1 });
    // The registry's derivation finds the same birthday (a duplicate) and the other person's (not Shanghai).
    const derived = await inUnitOfWork(ctx.store, SYSTEM, (tx) =>
      deriveEvents(tx, { districtCode: '310110', month: '2026-06', batchKey: 'd/1' }),
    );
    expect(derived).toMatchObject({ from: '2026-06-01', to: '2026-06-15' });
    const second = await processAll(ctx.store);
    expect(second.enrolled).toBe(0);
    const ents = await selectRows<{
      person_id: string;
      from_month: string;
      amount_fen: number;
      rule: string;
      case_id: string | null;
      account_no: string | null;
    }>(
      ctx.store.db,
      sql`select person_id, from_month, amount_fen::int as amount_fen, rule, case_id, account_no from entitlements
        where program = 'elderly_allowance'`,
    );
    expect(ents).toEqual([
      {
        person_id: elder,
        from_month: '2026-06',
        amount_fen: 7500,
        rule: 'no_application',
        case_id: null,
        account_no: null,
      },
    ]);
    const other = await selectRows<{ outcome: { result: string } }>(
      ctx.store.db,
      sql`select outcome from life_events where person_id = ${elderOther}::uuid and kind = 'age_65'`,
    );
    expect(other[0]!.outcome.result).toBe('非本市户籍，不纳入老年综合津贴');
    // No account on file: a task to collect it, due in working days.
    const { items } = await listTasks(ctx.store.db, { scope: ALL, role: 'admin', userId: null }, {});
    const task = items.find((t) => t.kind === 'payee_account')!;
    expect(task.personId).toBe(elder);
    const calendar = await calendarOf(ctx.store);
    expect(calendar.workingDaysBetween(shanghaiToday(), task.dueOn)).toBe(10);
    expect(calendar.isWorkingDay(task.dueOn)).toBe(true);
  });

  it('a death stops entitlements and raises recovery once, with one funeral-subsidy task, whatever the batches', async () => {
    // Paid for April and May, after a death on 10 March.
    await inUnitOfWork(ctx.store, SYSTEM, async (tx) => {
      await postEntries(
        tx,
        ['2026-03', '2026-04', '2026-05'].map((period) => ({
          districtCode: '310110',
          payableKind: 'entitlement' as const,
          payableId: pay.personPayable,
          period,
          kind: 'accrual' as const,
          seq: 1,
          program: 'kunjing_child',
          debitAccount: fundAccount('kunjing_child', 'city'),
          creditAccount: payableAccount('kunjing_child'),
          amountFen: 10_000,
        })),
      );
      tx.record({
        action: 'payroll.transition',
        entityType: 'payroll_run',
        entityId: 'test',
        district: '310110',
      });
    });
    const death = { kind: 'death', personId: pay.personId, occurredOn: '2026-03-10' };
    expect((await ingest([death])).accepted).toBe(1);
    // Out of order: the same child's birthday after the death is refused; arriving in a second batch, the death is a duplicate.
    const later = await ingest([
      death,
      { kind: 'household_change', personId: pay.personId, occurredOn: '2026-04-01' },
    ]);
    expect(later.accepted).toBe(0);
    expect(later.duplicates.map((d) => d.line)).toEqual([1]);
    expect(later.contradictory[0]!.reason).toContain('晚于其死亡日期（2026-03-10）');
    const r = await processAll(ctx.store);
    expect(r).toMatchObject({ processed: 1, stopped: 1, recoveries: 2, tasks: 1 });
    expect(await processAll(ctx.store)).toMatchObject({ processed: 0, stopped: 0, recoveries: 0 });
    const again = await inUnitOfWork(ctx.store, SYSTEM, (tx) =>
      raiseRecoveriesForPersonDeaths(tx, '310110', new Map([[pay.personId, '2026-03-10']])),
    );
    expect(again.get(pay.personId)).toEqual({ raised: 0, fen: 0, stopped: 0 });
    const ent = await selectRows<{ state: string; to_month: string }>(
      ctx.store.db,
      sql`select state, to_month from entitlements where id = ${pay.personPayable}::uuid`,
    );
    expect(ent).toEqual([{ state: 'stopped', to_month: '2026-03' }]);
    expect(
      await count(
        sql`select count(*) as n from recovery_items where payable_id = ${pay.personPayable}::uuid`,
      ),
    ).toBe(2);
    const tasks = await selectRows<{ title: string; household_id: string; division_code: string }>(
      ctx.store.db,
      sql`select title, household_id, division_code from follow_up_tasks where kind = 'funeral_notice'`,
    );
    expect(tasks).toEqual([
      { title: '告知家属基本殡葬服务补贴', household_id: pay.householdId, division_code: '310110012001' },
    ]);
  });

  it('lists events and tasks in the caller scope only, and completes a task once', async () => {
    const own = await listEvents(
      ctx.store.db,
      { scope: divisionScope('310110012'), role: 'street_caseworker' },
      {},
    );
    expect(own.total).toBeGreaterThan(0);
    const elsewhere = await listEvents(
      ctx.store.db,
      { scope: divisionScope('310105'), role: 'district_approver' },
      {},
    );
    expect(elsewhere.total).toBe(0);
    const rejected = await listEvents(ctx.store.db, { scope: ALL, role: 'auditor' }, { state: 'rejected' });
    expect(rejected.items.every((e) => e.reason !== null)).toBe(true);
    const street = {
      scope: divisionScope('310110012'),
      role: 'street_caseworker' as const,
      userId: 'u-street',
    };
    const stranger = { scope: divisionScope('310105'), role: 'street_caseworker' as const, userId: 'u-x' };
    expect((await listTasks(ctx.store.db, stranger, {})).total).toBe(0);
    const task = (await listTasks(ctx.store.db, street, { kind: 'funeral_notice' })).items[0]!;
    const act = (caller: typeof street, version: number) =>
      inUnitOfWork(
        ctx.store,
        { userId: caller.userId, divisionCode: '310110012', reason: '已电话告知家属' },
        (tx) =>
          completeTask(tx, caller, {
            districtCode: task.districtCode,
            id: task.id,
            version,
            outcome: 'done',
          }),
      );
    await expect(act(stranger, task.version)).rejects.toBeInstanceOf(TaskError);
    const done = await act(street, task.version);
    expect(done).toMatchObject({ state: 'done', outcome: 'done', outcomeName: '已办结' });
    await expect(act(street, task.version)).rejects.toMatchObject({ code: 'conflict' });
  });
});

describe('isIsoDay', () => {
  it('accepts real days only', () => {
    expect(['2024-02-29', '2026-12-31', '2026-04-30'].map(isIsoDay)).toEqual([true, true, true]);
    expect(
      ['2026-02-29', '2026-04-31', '2026-13-01', '2026-00-10', '2026-1-01', '20260101'].map(isIsoDay),
    ).toEqual([false, false, false, false, false, false]);
  });
});
