import { describe, expect, it } from 'vitest';
import { parseMonth } from '../engine/month.ts';
import { baselineParameters } from '../engine/parameter-store.ts';
import { evaluateHousehold, validateHousehold } from '../index.ts';

/**
 * The parameter files follow the re-check of 2026-12 (shanghai-parameters.yaml, `recheck_2026_12`):
 * statuses where a source was read, and an `unverified` entry, with the old amount, from the date of
 * each change whose amount was not found. SPEC.md's table still decides values and first dates.
 */
const entry = (path: string, key: string) => {
  const series = baselineParameters().series(path);
  return series?.entries.find((e) => e.key === key);
};

describe('statuses after the re-check of 2026-12', () => {
  it.each([
    ['dibao.standard', '2019-04-01', 'found', 116000],
    ['dibao.standard', '2020-07-01', 'given', 124000],
    ['dibao.standard', '2021-07-01', 'given', 133000],
    ['dibao.standard', '2022-07-01', 'given', 142000],
    ['dibao.standard', '2023-07-01', 'unverified', 151000],
    ['dibao.standard_minor', '2019-04-01', 'given', 151000],
    ['dibao.standard_minor', '2022-07-01', 'secondary', 185000],
    ['tekun.standard', '2022-07-01', 'inferred', 185000],
    ['dibao_edge.income_threshold', '2020-07-01', 'given', 248000],
    ['dibao_edge.income_threshold', '2021-07-01', 'unverified', 266000],
    ['dibao_edge.income_threshold', '2025-07-01', 'unverified', 330000],
    ['city.per_capita_disposable_income', '2019', 'secondary', 6944200],
    ['city.per_capita_disposable_income', '2020', 'found', 7223200],
    ['city.per_capita_disposable_income', '2021', 'found', 7802700],
    ['city.per_capita_disposable_income', '2022', 'found', 7961000],
    ['city.per_capita_disposable_income', '2023', 'secondary', 8483400],
    ['city.per_capita_disposable_income', '2024', 'secondary', 8836600],
    ['traditional.standard', '2022-07-01', 'unverified', 206500],
    ['kunjing_child.amount', '2024-01-01', 'unverified', 190000],
    ['orphan.amount', '2024-01-01', 'unverified', 180000],
    ['grain_oil.card', '2020-01-01', 'given', 7200],
    ['grain_oil.card_min_age', '2020-01-01', 'given', 70],
    ['grain_oil.voucher_min_age', '2020-01-01', 'given', 60],
  ] as const)('%s %s: %s, %d fen', (path, key, status, value) => {
    expect(entry(path, key)).toMatchObject({ status, value });
  });

  it('adds no value before a first date SPEC.md lists (1070 of 2018, the city figure of 2018)', () => {
    expect(baselineParameters().series('dibao.standard')?.entries[0]?.key).toBe('2019-04-01');
    expect(baselineParameters().series('city.per_capita_disposable_income')?.entries[0]?.key).toBe('2019');
    expect(
      baselineParameters()
        .series('orphan.amount')
        ?.entries.map((e) => e.value),
    ).toEqual([180000, 180000]);
  });

  it('cites a source for every value and writes sources and notes in Chinese', () => {
    for (const s of baselineParameters().list())
      for (const e of s.entries) {
        expect(e.source, `${s.path} ${e.key}`).toMatch(/\p{Script=Han}/u);
        expect(e.source, `${s.path} ${e.key}`).not.toMatch(
          /\bmemory\b|\binferred\b|\bSPEC\.md v1\b|\bseed \d/i,
        );
        if (e.note !== undefined) expect(e.note, `${s.path} ${e.key}`).toMatch(/\p{Script=Han}/u);
      }
  });
});

describe('year-keyed statistics (SPEC.md v1.1)', () => {
  it('a 2026 month uses 2024 and warns, naming the year looked for and the year used', () => {
    const { household, month } = validateHousehold({
      month: '2026-03',
      household: {
        medicalExpenseAnnualFen: 1200000,
        members: [{ id: 'm1', birthDate: '1960-01-01', pensionFen: 200000 }],
      },
    });
    const [r] = evaluateHousehold(household, month, { programs: ['rigid_expense'], explain: true }).results;
    expect(r?.error).toBeUndefined();
    const city = r?.warnings.filter((w) => w.parameter === 'city.per_capita_disposable_income');
    expect(city?.map((w) => w.message)).toEqual([
      'city.per_capita_disposable_income：2025 年数值未录入，使用 2024 年数值（88366.00元/年，二手来源）',
    ]);
    expect(r?.trace?.parameters).toContainEqual(
      expect.objectContaining({ parameter: 'city.per_capita_disposable_income', effective: '2024' }),
    );
  });

  it('a month whose previous year has a value warns only about its status', () => {
    const resolution = baselineParameters().resolve(
      'city.per_capita_disposable_income',
      parseMonth('2022-08'),
    );
    expect(resolution).toMatchObject({ at: '2021', entry: { key: '2021' } });
  });
});
