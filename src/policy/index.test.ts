import { describe, expect, it } from 'vitest';
import { evaluateHousehold, listParameters, validateHousehold } from './index.ts';

const request = (month: string, members: unknown[], extra: Record<string, unknown> = {}) =>
  validateHousehold({ month, household: { ...extra, members } });

describe('evaluateHousehold with explain', () => {
  it('traces every parameter read with value, effective date, status, source and decided date', () => {
    const { household, month } = request('2019-06', [
      { id: 'c', birthDate: '2010-01-01', categories: ['kunjing_child'] },
    ]);
    const [r] = evaluateHousehold(household, month, { programs: ['kunjing_child'], explain: true }).results;
    expect(r?.amountFen).toBe(190000);
    expect(r?.trace?.parameters).toContainEqual(
      expect.objectContaining({
        parameter: 'kunjing_child.amount',
        value: 190000,
        effective: '2019-01-01',
        status: 'given',
        decided: '2020-01-01',
      }),
    );
    expect(r?.trace?.narrative).toContain('困境儿童基本生活费：符合条件，金额1900.00元');
  });

  it('includes the figures of the programs a program depends on', () => {
    const { household, month } = request('2022-08', [
      { id: 'm1', birthDate: '1960-01-01', pensionFen: 200000 },
    ]);
    const [r] = evaluateHousehold(household, month, { programs: ['dibao_edge'], explain: true }).results;
    expect(r?.eligible).toBe(true);
    expect(r?.trace?.figures).toContainEqual({ name: 'dibao.countableIncomeFen', value: 200000 });
    expect(r?.trace?.figures).toContainEqual({ name: 'edgeThresholdFen', value: 284000 });
  });

  it('tells an ineligible dibao household why, in Chinese', () => {
    const { household, month } = request('2022-08', [{ id: 'm1', birthDate: '1960-01-01' }], { vehicles: 1 });
    const [r] = evaluateHousehold(household, month, { programs: ['dibao'], explain: true }).results;
    expect(r?.trace?.narrative).toBe(
      '最低生活保障：家庭1人，可计算收入0.00元，低于低保标准合计1420.00元（1420.00元×1），家庭拥有机动车，超过规定，不符合低保条件。（注意：使用了7项未经正式来源核实的参数）',
    );
  });

  it('returns results only for the programs asked, in the order asked', () => {
    const { household, month } = request('2022-08', [{ id: 'm1', birthDate: '1950-01-01' }]);
    const { results } = evaluateHousehold(household, month, { programs: ['grain_oil', 'dibao'] });
    expect(results.map((r) => r.program)).toEqual(['grain_oil', 'dibao']);
    expect(results[0]?.trace).toBeUndefined();
  });
});

describe('listParameters', () => {
  it('lists every parameter with dated values, sources and statuses', () => {
    const list = listParameters('2026-03');
    // 50 of the programs, 9 of verification (time limits, tolerances), 2 of notices, 15 report ages of
    // entitlements, 38 of cases (steps incl. 特困人员认定, approval, pay-first limits, time limits, publicity) and
    // 20 of reviews and changes (intervals by household type, the 2020 suspension, their steps and deciders),
    // 17 of internal control (a payment ceiling per program, the findings' deadlines by severity)
    expect(list.length).toBe(154);
    const std = list.find((p) => p.path === 'dibao.standard');
    expect(std?.values.map((v) => v.key)).toEqual([
      '2019-04-01',
      '2020-07-01',
      '2021-07-01',
      '2022-07-01',
      '2023-07-01',
      '2025-07-01',
    ]);
    expect(list.find((p) => p.path === 'city.per_capita_disposable_income')?.keyedBy).toBe('year');
    expect(list.find((p) => p.path === 'price_subsidy.amount_per_person')?.values).toEqual([]);
  });
});
