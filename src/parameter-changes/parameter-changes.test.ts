import { sql } from 'drizzle-orm';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { describeStores, serverUrl } from '../../test/support/stores.ts';
import { ALL } from '../auth/scope.ts';
import { selectRows } from '../db/sql.ts';
import { openPostgres } from '../db/store.ts';
import { evaluateHousehold } from '../policy/index.ts';
import { baselineParameters } from '../policy/engine/parameter-store.ts';
import { parseMonth } from '../policy/engine/month.ts';
import { inUnitOfWork, type ActingContext } from '../workflow/unit-of-work.ts';
import {
  actOnChange,
  proposeChange,
  withRefusalAudit,
  type ChangeCaller,
  type ProposeInput,
} from './change.service.ts';
import { ParameterChangeError } from './parameter-changes.errors.ts';
import {
  approvedChangesSince,
  attachParametersInForce,
  ensureCurrentParameters,
  parametersApprovedAsOf,
  parametersInForce,
  parametersSettled,
  parametersVersion,
  refreshParametersInForce,
  resetParametersInForce,
} from './parameters-in-force.ts';

const CITY_A: ChangeCaller = {
  scope: ALL,
  role: 'policy_officer',
  userId: '00000000-0000-4000-8000-0000000000a1',
  divisionCode: '310000',
};
const CITY_B: ChangeCaller = { ...CITY_A, userId: '00000000-0000-4000-8000-0000000000b2' };
const DISTRICT = (userId: string, code = '310110'): ChangeCaller => ({
  scope: { kind: 'division', code },
  role: 'policy_officer',
  userId,
  divisionCode: code,
});
const YANGPU_A = DISTRICT('00000000-0000-4000-8000-0000000000c3');
const YANGPU_B = DISTRICT('00000000-0000-4000-8000-0000000000d4');
const PUTUO = DISTRICT('00000000-0000-4000-8000-0000000000e5', '310107');

const actor = (c: ChangeCaller): ActingContext => ({
  userId: c.userId,
  divisionCode: c.divisionCode,
  reason: '测试',
});

const dibao = (over: Partial<ProposeInput> = {}): ProposeInput => ({
  path: 'dibao.standard',
  districtCode: null,
  value: 170_000,
  effective: '2026-07-01',
  decidedOn: '2026-09-20',
  documentNo: '沪民规〔2026〕9号',
  source: '关于调整本市最低生活保障标准的通知',
  status: 'given',
  reason: '本市调整低保标准',
  ...over,
});

async function refused(p: Promise<unknown>): Promise<ParameterChangeError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ParameterChangeError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

const standardIn = (month: string, district?: string) => {
  const store = district ? parametersInForce().forDistrict(district) : parametersInForce();
  return store.resolve('dibao.standard', parseMonth(month)).entry?.value ?? null;
};

/** A household of one adult without income: its 低保 is the standard. */
const dibaoOf = (month: string): number => {
  const result = evaluateHousehold(
    { members: [{ id: 'p1', birthDate: '1970-01-01', isHead: true, registration: 'shanghai' }] } as never,
    month,
    { programs: ['dibao'], parameters: parametersInForce() },
  ).results[0];
  return result?.amountFen ?? -1;
};

afterEach(() => resetParametersInForce());

describeStores('parameter changes', (ctx) => {
  const propose = (c: ChangeCaller, input: ProposeInput) =>
    inUnitOfWork(ctx.store, actor(c), (tx) => proposeChange(tx, c, input));
  const act = (c: ChangeCaller, id: string, action: 'approve' | 'reject' | 'withdraw') =>
    inUnitOfWork(ctx.store, actor(c), (tx) => actOnChange(tx, c, { id, action, reason: '审核' }));
  const count = async () =>
    (await selectRows<{ n: number }>(ctx.store.db, sql`select count(*)::int as n from parameter_changes`))[0]
      ?.n;

  it('an approved city-wide change overrides the file from its date; the engine computes with it', async () => {
    await refreshParametersInForce(ctx.store.db);
    expect(standardIn('2026-08')).toBe(165_000);
    const id = await propose(CITY_A, dibao());
    await refreshParametersInForce(ctx.store.db);
    expect(standardIn('2026-08')).toBe(165_000); // proposed only
    await act(CITY_B, id, 'approve');
    await refreshParametersInForce(ctx.store.db);
    expect(standardIn('2026-06')).toBe(165_000);
    expect(standardIn('2026-07')).toBe(170_000);
    expect(dibaoOf('2026-08')).toBe(170_000);
    // merge precedence: a change at the same date as a file value replaces it
    const same = await propose(
      CITY_A,
      dibao({ effective: '2025-07-01', value: 166_000, decidedOn: '2025-06-20' }),
    );
    await act(CITY_B, same, 'approve');
    await refreshParametersInForce(ctx.store.db);
    expect(standardIn('2025-08')).toBe(166_000);
    expect(baselineParameters().resolve('dibao.standard', parseMonth('2025-08')).entry?.value).toBe(165_000);
    // a later approval at the same date wins
    const again = await propose(CITY_B, dibao({ value: 171_000 }));
    await act(CITY_A, again, 'approve');
    await ensureCurrentParameters(ctx.store.db);
    expect(standardIn('2026-08')).toBe(171_000);
  });

  it('a district changes its own value only; other districts keep the city value', async () => {
    const id = await propose(
      YANGPU_A,
      dibao({ districtCode: '310110', value: 180_000, effective: '2026-10-01' }),
    );
    const other = await refused(act(PUTUO, id, 'approve'));
    expect(other.code).toBe('not_found'); // out of Putuo's scope
    const city = await refused(act(CITY_B, id, 'approve'));
    expect(city.code).toBe('forbidden');
    await act(YANGPU_B, id, 'approve');
    await refreshParametersInForce(ctx.store.db);
    expect(standardIn('2026-11', '310110')).toBe(180_000);
    expect(standardIn('2026-09', '310110')).toBe(171_000); // the city's before its own first value
    expect(standardIn('2026-11', '310107')).toBe(171_000);
    expect(standardIn('2026-11')).toBe(171_000);
  });

  it('refuses the proposer as approver, bad input and the wrong level, writing nothing but the refusal', async () => {
    const before = await count();
    const id = await propose(CITY_A, dibao({ value: 175_000, effective: '2027-01-01' }));
    const self = await refused(act(CITY_A, id, 'approve'));
    expect(self.code).toBe('same_officer');
    expect(self.message).toContain('不能审批本人提出的');
    const cases: [ChangeCaller, Partial<ProposeInput>, string, string][] = [
      [CITY_A, { effective: '2018-01-01' }, 'before_first_value', '早于'],
      [CITY_A, { path: 'dibao.no_such' }, 'unknown_parameter', '未定义的参数'],
      [CITY_A, { value: 1650.5 }, 'invalid', '整数'],
      [CITY_A, { value: '1650' }, 'invalid', '数字'],
      [CITY_A, { unit: 'yuan' }, 'invalid', '单位不符'],
      [CITY_A, { path: 'dibao.minor_max_age', value: 216 }, 'invalid', '合理范围'],
      [CITY_A, { effective: '2026-02-30' }, 'invalid', '日期'],
      [CITY_A, { path: 'city.per_capita_disposable_income', effective: '2026-01-01' }, 'invalid', '年份'],
      [YANGPU_A, {}, 'forbidden', '市级政策管理员'],
      [YANGPU_A, { districtCode: '310107' }, 'forbidden', '其他区'],
      [CITY_A, { districtCode: '310110' }, 'forbidden', '该区的政策管理员'],
    ];
    for (const [caller, over, code, text] of cases) {
      const e = await refused(
        withRefusalAudit(ctx.store, actor(caller), { action: 'propose', path: over.path }, () =>
          propose(caller, dibao(over)),
        ),
      );
      expect([e.code, e.message]).toEqual([code, expect.stringContaining(text)]);
    }
    expect(await count()).toBe((before ?? 0) + 1);
    const audited = await selectRows<{ n: number }>(
      ctx.store.db,
      sql`select count(*)::int as n from audit_log where action = 'parameter_change.refused'`,
    );
    expect(audited[0]?.n).toBe(cases.length);
    // the CHECK holds even if the service were bypassed
    await expect(
      ctx.store.db.execute(
        sql`update parameter_changes set state = 'approved', decided_by = proposed_by, decided_at = now(), version = version + 1 where id = ${id}`,
      ),
    ).rejects.toThrow();
    await act(CITY_A, id, 'withdraw');
    expect(
      (
        await refused(
          act(CITY_B, id, 'approve').catch((e: unknown) => {
            throw e instanceof Error && !(e instanceof ParameterChangeError)
              ? new ParameterChangeError('invalid', e.message)
              : e;
          }),
        )
      ).message,
    ).toContain('已撤回');
  });

  it('tells payroll what was approved since, and what was in force before', async () => {
    const all = await approvedChangesSince(ctx.store.db, '310110', '2000-01-01T00:00:00Z');
    expect(all.map((c) => c.districtCode)).toEqual([null, null, null, '310110']);
    expect(await approvedChangesSince(ctx.store.db, '310107', '2000-01-01T00:00:00Z')).toHaveLength(3);
    const first = all[0];
    if (!first) throw new Error('no change');
    const before = await parametersApprovedAsOf(
      ctx.store.db,
      new Date(Date.parse(first.approvedAt) - 1).toISOString(),
    );
    expect(before.resolve('dibao.standard', parseMonth('2026-08')).entry?.value).toBe(165_000);
  });

  it('reloads in this process after the approving commit, and in another process on NOTIFY', async () => {
    const stop = await attachParametersInForce(ctx.store);
    try {
      const id = await propose(CITY_A, dibao({ effective: '2027-03-01', value: 190_000 }));
      await act(CITY_B, id, 'approve');
      await parametersSettled();
      expect(standardIn('2027-04')).toBe(190_000);
    } finally {
      await stop();
    }
  });
});

describe.skipIf(!serverUrl())('parameters in force across processes [postgres]', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
  });
  it('a second store on the same database sees an approval after NOTIFY', async () => {
    const { openTestStore } = await import('../../test/support/stores.ts');
    const a = await openTestStore('postgres');
    cleanup.push(a.dispose);
    const [row] = await selectRows<{ s: string }>(a.store.db, sql`select current_schema() as s`);
    const b = openPostgres(serverUrl() ?? '', { searchPath: row?.s ?? '', max: 2 });
    cleanup.push(() => b.close());
    const stop = await attachParametersInForce(b); // only the second store listens
    cleanup.push(stop);
    const loaded = parametersVersion();
    const id = await inUnitOfWork(a.store, actor(CITY_A), (tx) =>
      proposeChange(tx, CITY_A, dibao({ value: 199_000 })),
    );
    await inUnitOfWork(a.store, actor(CITY_B), (tx) =>
      actOnChange(tx, CITY_B, { id, action: 'approve', reason: '审核' }),
    );
    await vi.waitFor(() => expect(parametersVersion()).not.toBe(loaded), { timeout: 10_000, interval: 20 });
    await parametersSettled();
    expect(standardIn('2026-08')).toBe(199_000);
  });
});
