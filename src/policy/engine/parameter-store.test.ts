import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMonth } from './month.ts';
import {
  baselineParameters,
  lastAtOrBefore,
  ParameterFileError,
  ParameterStore,
  parseParameterFile,
} from './parameter-store.ts';
import { allHandles } from './parameters.ts';
import { PROGRAM_CODES } from './program.ts';
import { fullReads } from './run.ts';

const good = `description: 测试
unit: fen
values:
  - effective: 2020-07-01
    value: 100
    status: given
    source: test
  - effective: 2021-07-15
    value: 200
    status: assumption
    source: test
`;

describe('parameter files', () => {
  it('has one typed handle per file and one file per handle', () => {
    const files = baselineParameters()
      .list()
      .map((s) => s.path)
      .sort();
    const handles = allHandles()
      .map((h) => h.path)
      .sort();
    expect(handles).toEqual(files);
  });

  it('stores money as whole fen and rates as basis points', () => {
    for (const s of baselineParameters().list())
      for (const e of s.entries) expect(Number.isSafeInteger(e.value), `${s.path} ${e.key}`).toBe(true);
    expect(baselineParameters().series('rigid_expense.medical_share')?.unit).toBe('bp');
  });

  it('keeps price_subsidy.amount_per_person without values', () => {
    expect(baselineParameters().series('price_subsidy.amount_per_person')?.entries).toEqual([]);
  });

  it('every program reads only existing parameters', () => {
    const store = baselineParameters();
    for (const code of PROGRAM_CODES)
      for (const h of fullReads(code)) expect(store.series(h.path), h.path).toBeDefined();
  });

  it('rejects a malformed file naming the file and the field', () => {
    const bad = good.replace('value: 200', 'value: 2.5');
    expect(() => parseParameterFile('x/y.yaml', 'x.y', bad)).toThrow(ParameterFileError);
    expect(() => parseParameterFile('x/y.yaml', 'x.y', bad)).toThrow(/x\/y\.yaml 字段 values\[1\]\.value/);
    expect(() =>
      parseParameterFile('x/y.yaml', 'x.y', good.replace('status: given', 'status: maybe')),
    ).toThrow(/values\[0\]\.status/);
    expect(() => parseParameterFile('x/y.yaml', 'x.y', good.replace('    source: test\n', ''))).toThrow(
      /values\[0\]\.source/,
    );
    expect(() => parseParameterFile('x/y.yaml', 'x.y', good.replace('2021-07-15', '2019-01-01'))).toThrow(
      /严格递增/,
    );
    expect(() => parseParameterFile('x/y.yaml', 'x.y', good.replace('2021-07-15', '2021-02-30'))).toThrow(
      /values\[1\]\.effective/,
    );
    expect(() => parseParameterFile('x/y.yaml', 'x.y', `${good}extra: 1\n`)).toThrow(/extra/);
  });

  it('fails loudly at load when a file in the directory is malformed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mz-params-'));
    mkdirSync(join(dir, 'a'));
    writeFileSync(join(dir, 'a', 'ok.yaml'), good);
    writeFileSync(join(dir, 'a', 'bad.yaml'), good.replace('unit: fen', 'unit: yuan'));
    expect(() => ParameterStore.loadDir(dir)).toThrow(/a\/bad\.yaml 字段 unit/);
  });
});

describe('resolution', () => {
  const store = new ParameterStore([parseParameterFile('t.yaml', 't', good)]);

  it('binary search finds the last key at or before', () => {
    const entries = ['2019-01-01', '2020-01-01', '2021-01-01'].map((key) => ({
      key,
      value: 0,
      status: 'given' as const,
      source: '',
    }));
    expect(lastAtOrBefore(entries, '2018-12-31')).toBe(-1);
    expect(lastAtOrBefore(entries, '2019-01-01')).toBe(0);
    expect(lastAtOrBefore(entries, '2020-06-01')).toBe(1);
    expect(lastAtOrBefore(entries, '2030-01-01')).toBe(2);
  });

  it('uses the value in force on the 1st; a mid-month value applies from the next month', () => {
    expect(store.resolve('t', parseMonth('2020-06')).entry).toBeNull();
    expect(store.resolve('t', parseMonth('2020-07')).entry?.value).toBe(100);
    expect(store.resolve('t', parseMonth('2021-07')).entry?.value).toBe(100);
    expect(store.resolve('t', parseMonth('2021-08')).entry?.value).toBe(200);
  });

  it('yearly statistics resolve to the previous calendar year, else the latest earlier year (SPEC v1.1)', () => {
    const s = baselineParameters();
    const city = (month: string) => s.resolve('city.per_capita_disposable_income', parseMonth(month));
    expect(city('2022-08')).toMatchObject({ at: '2021', entry: { key: '2021' } });
    expect(city('2019-12').entry).toBeNull();
    expect(city('2026-01')).toMatchObject({ at: '2025', entry: { key: '2024', value: 8836600 } });
    expect(city('2031-01')).toMatchObject({ at: '2030', entry: { key: '2024' } });
  });

  it('a reform replaces a value at the same date and adds new ones', () => {
    const r = baselineParameters().withReform(
      {
        description: 'x',
        parameters: {
          'dibao.standard': {
            values: [
              { effective: '2022-07-01', value: 151000, status: 'assumption', source: 'reform' },
              { effective: '2030-01-01', value: 200000, status: 'assumption', source: 'reform' },
            ],
          },
        },
      },
      'reform',
    );
    expect(r.resolve('dibao.standard', parseMonth('2022-08')).entry?.value).toBe(151000);
    expect(r.resolve('dibao.standard', parseMonth('2030-01')).entry?.value).toBe(200000);
    expect(r.resolve('dibao.standard', parseMonth('2021-08')).entry?.value).toBe(133000);
    expect(baselineParameters().resolve('dibao.standard', parseMonth('2022-08')).entry?.value).toBe(142000);
  });
});

describe('programs', () => {
  it('keep at most 8 reasons per household program and 16 per person-level one (reason bit columns)', async () => {
    const { PROGRAMS } = await import('../programs/index.ts');
    for (const p of Object.values(PROGRAMS))
      expect(p.reasons.length, p.code).toBeLessThanOrEqual(p.level === 'household' ? 8 : 16);
  });
});

describe('Reads lists (SPEC.md)', () => {
  const reads = (code: (typeof PROGRAM_CODES)[number]): string[] =>
    fullReads(code)
      .map((h) => h.path)
      .sort();
  const dibao = [
    'dibao.standard',
    'dibao.standard_minor',
    'dibao.minor_max_age',
    'dibao.employment_exemption',
    'dibao.asset_limit.monetary_per_capita',
    'dibao.asset_limit.monetary_per_capita_small_household',
    'dibao.asset_limit.small_household_max_size',
    'dibao.max_vehicles',
    'dibao.max_homes',
    'dibao.max_homes_small_area',
  ];
  const tekun = [
    'dibao.standard',
    'tekun.standard',
    'tekun.elderly_min_age',
    'tekun.child_age_limit',
    'tekun.max_disability_grade',
  ];

  it('match SPEC for the household programs', () => {
    expect(reads('dibao')).toEqual([...dibao].sort());
    expect(reads('dibao_edge')).toEqual([...dibao, 'dibao_edge.income_threshold'].sort());
    expect(reads('rigid_expense')).toEqual(
      [...dibao, 'rigid_expense.medical_share', 'city.per_capita_disposable_income'].sort(),
    );
    expect(reads('temporary')).toEqual(['dibao.standard', 'temporary.max_months']);
    expect(reads('renovation')).toEqual(
      [
        ...new Set([
          ...dibao,
          'dibao_edge.income_threshold',
          ...tekun,
          'renovation.min_age',
          'renovation.cap',
          'renovation.rate.dibao',
          'renovation.rate.edge',
          'renovation.rate.other',
        ]),
      ].sort(),
    );
  });

  it('match SPEC for the person-level programs', () => {
    expect(reads('tekun')).toEqual([...tekun].sort());
    expect(reads('severe_disability_unemployed')).toEqual(
      [
        ...tekun,
        'severe_disability_unemployed.min_age',
        'severe_disability_unemployed.max_age',
        'severe_disability_unemployed.max_disability_grade',
      ].sort(),
    );
    expect(reads('rural_youth')).toEqual(['rural_youth.amount']);
    expect(reads('kunjing_child')).toEqual(['kunjing_child.age_limit', 'kunjing_child.amount']);
    expect(reads('elderly_allowance')).toHaveLength(10);
    // price_subsidy.amount_per_person is only looked up: a month without it is "not activated", not an error
    expect(reads('price_subsidy')).not.toContain('price_subsidy.amount_per_person');
    expect(reads('price_subsidy')).toEqual(
      [
        ...new Set([...dibao, 'rigid_expense.medical_share', 'city.per_capita_disposable_income', ...tekun]),
      ].sort(),
    );
    expect(reads('grain_oil')).toEqual(
      expect.arrayContaining([
        'grain_oil.card',
        'grain_oil.voucher',
        'severe_disability_unemployed.max_age',
        ...dibao,
      ]),
    );
  });
});
