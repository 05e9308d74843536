import { describe, expect, it } from 'vitest';
import { concludeOn, verifiedInput } from './conclusion.ts';
import { compareFigures, gapsOf, withinTolerance, type ComparedFigure } from './findings.ts';
import { buildProfile } from './profile.ts';
import type { FigureKind, FlagCode, QueryOutcome, RawAnswer, Tolerance } from './report.types.ts';

// The tolerances of src/parameters/verification/tolerance in force since 2009: 200 元 or 5 % of the declared
// income, 5,000 元 or 5 % of the declared money.
const T: Tolerance = { incomeFen: 20_000, incomeBp: 500, assetsFen: 500_000, assetsBp: 500 };

const member = { personId: 'p1', name: '张三' };

function one(kind: FigureKind, declared: number, verified: number | null, personId: string | null = 'p1') {
  const figure: ComparedFigure = {
    personId,
    kind,
    declared,
    verified: { value: verified, complete: true, sources: [] },
  };
  return compareFigures({
    members: [member],
    figures: [figure],
    civil: [],
    queries: [],
    tolerance: T,
    assetTestFails: false,
  });
}

describe('tolerance (integer arithmetic)', () => {
  // [difference, declared, fen, bp, within]
  const cases: [number, number, number, number, boolean][] = [
    [20_000, 0, 20_000, 500, true], // exactly the fixed amount
    [20_001, 0, 20_000, 500, false],
    [50_000, 1_000_000, 20_000, 500, true], // exactly 5 % of 10,000 元
    [50_001, 1_000_000, 20_000, 500, false],
    [50_000, 1_000_019, 20_000, 500, true], // 5 % is 50,000.95 fen: 50,000 is within
    [50_001, 1_000_019, 20_000, 500, false], // and 50,001 is not (no rounding of the share)
    [15_001, 300_000, 20_000, 500, true], // 5 % (15,000) is below the fixed 20,000: the larger counts
  ];
  it.each(cases)(
    'difference %i on declared %i (fen %i, bp %i) → within %s',
    (d, declared, fen, bp, within) => {
      expect(withinTolerance(d, declared, fen, bp)).toBe(within);
    },
  );
});

describe('findings per figure (hand-worked)', () => {
  // [kind, declared, verified, flags]
  const cases: [FigureKind, number, number | null, FlagCode[]][] = [
    ['wage', 0, 20_000, []], // 200 元 undeclared: within the tolerance
    ['wage', 0, 20_001, ['unreported_income']],
    ['other_income', 0, 350_000, ['unreported_income']],
    ['wage', 300_000, 320_000, []], // 3,000 declared, 3,200 found: 200 元 is the tolerance
    ['wage', 300_000, 320_001, ['underreported']],
    ['pension', 1_000_000, 1_050_000, []], // 5 % of 10,000 元
    ['pension', 1_000_000, 1_050_001, ['underreported']],
    ['wage', 1_000_000, 600_000, []], // less than declared: shown, never flagged
    ['wage', 300_000, null, []], // nothing verified
    ['employment', 0, 1, []], // shown, not a flag
    ['monetary_assets', 0, 500_000, []], // 5,000 元 of money
    ['monetary_assets', 0, 500_001, ['underreported']],
    ['monetary_assets', 20_000_000, 21_000_000, []], // 5 % of 200,000 元
    ['monetary_assets', 20_000_000, 21_000_001, ['underreported']],
    ['homes', 1, 1, []],
    ['homes', 1, 2, ['homes']],
    ['homes', 1, 0, []],
    ['vehicles', 0, 1, ['vehicles']],
    ['vehicles', 1, 1, []],
  ];
  it.each(cases)('%s declared %i, verified %s → %j', (kind, declared, verified, flags) => {
    const personId = kind === 'monetary_assets' || kind === 'homes' || kind === 'vehicles' ? null : 'p1';
    const out = one(kind, declared, verified, personId);
    expect(out.figures[0]!.flags).toEqual(flags);
    expect(out.flags.map((f) => f.code)).toEqual(flags);
    expect(out.figures[0]!.difference).toBe(verified === null ? null : verified - declared);
  });

  it('says what was found in words, in 元', () => {
    const out = one('wage', 300_000, 420_000);
    expect(out.flags[0]!.text).toBe('张三工资性收入（月）申报 3000.00 元，核对 4200.00 元，相差 1200.00 元');
    expect(out.flags[0]!.label).toBe('少报');
  });

  it('flags the asset test, a business registration and a death; states the gaps', () => {
    const queries: QueryOutcome[] = [
      { source: 'tax', state: 'failed', error: '证书过期' },
      { source: 'housing_fund', state: 'timed_out', error: null },
      { source: 'deposits', state: 'answered', error: null },
    ];
    const out = compareFigures({
      members: [member],
      figures: [],
      civil: [
        { personId: 'p1', business: true, deathDate: '2026-10-03' },
        { personId: 'p2', business: false, deathDate: null },
      ],
      queries,
      tolerance: T,
      assetTestFails: true,
    });
    expect(out.flags.map((f) => [f.code, f.personId])).toEqual([
      ['assets_over_limit', null],
      ['business', 'p1'],
      ['deceased', 'p1'],
    ]);
    expect(out.flags[2]!.text).toBe('张三有死亡登记（2026-10-03）');
    expect(out.gaps.map((g) => [g.source, g.state, g.kinds])).toEqual([
      ['tax', 'failed', ['wage', 'other_income']],
      ['housing_fund', 'timed_out', ['wage']],
    ]);
    expect(out.gaps[0]!.text).toBe(
      '税务部门查询失败（证书过期），以下内容未能核对：工资性收入（月）、经营性及其他收入（月）',
    );
    expect(gapsOf([{ source: 'civil', state: 'answered', error: null }])).toEqual([]);
  });
});

describe('profile of the raw answers', () => {
  const answered = (source: QueryOutcome['source']): QueryOutcome => ({
    source,
    state: 'answered',
    error: null,
  });
  const fen = (source: RawAnswer['source'], personId: string, kind: RawAnswer['kind'], amountFen: number) =>
    ({ source, personId, kind, amountFen, quantity: null, flag: null, textValue: null }) as RawAnswer;
  const qty = (source: RawAnswer['source'], personId: string, kind: RawAnswer['kind'], quantity: number) =>
    ({ source, personId, kind, amountFen: null, quantity, flag: null, textValue: null }) as RawAnswer;
  const all: QueryOutcome[] = [
    'tax',
    'social_insurance',
    'housing_fund',
    'real_estate',
    'vehicles',
    'deposits',
    'securities',
    'business',
    'civil',
  ].map((s) => answered(s as QueryOutcome['source']));

  it('takes the larger wage of tax and housing fund, sums money, homes and vehicles over members', () => {
    const p = buildProfile(['a', 'b'], all, [
      fen('tax', 'a', 'wage', 400_000),
      fen('housing_fund', 'a', 'wage', 450_000),
      fen('tax', 'b', 'wage', 200_000),
      fen('deposits', 'a', 'deposits', 1_000_000),
      fen('deposits', 'b', 'deposits', 250_000),
      fen('securities', 'b', 'securities', 300_000),
      qty('real_estate', 'a', 'homes', 1),
      qty('real_estate', 'b', 'homes', 1),
      qty('vehicles', 'b', 'vehicles', 1),
      { ...fen('civil', 'b', 'death', 0), amountFen: null, textValue: '2026-09-01' },
      { ...fen('business', 'a', 'business', 0), amountFen: null, flag: true },
    ]);
    expect(p.members.map((m) => m.figures.wage.value)).toEqual([450_000, 200_000]);
    expect(p.members[0]!.figures.wage).toEqual({
      value: 450_000,
      complete: true,
      sources: ['tax', 'housing_fund'],
    });
    expect(p.members.map((m) => m.figures.pension.value)).toEqual([0, 0]); // answered, nothing on record
    expect(p.household.monetary_assets.value).toBe(1_550_000);
    expect(p.household.homes.value).toBe(2);
    expect(p.household.vehicles.value).toBe(1);
    expect(p.members.map((m) => [m.business, m.deathDate])).toEqual([
      [true, null],
      [false, '2026-09-01'],
    ]);
  });

  it('builds an incomplete figure from the agencies that answered, none from none, and ignores others', () => {
    const queries = all.map((q) =>
      q.source === 'housing_fund' || q.source === 'securities' || q.source === 'social_insurance'
        ? { ...q, state: 'timed_out' as const }
        : q,
    );
    const p = buildProfile(['a'], queries, [
      fen('tax', 'a', 'wage', 400_000),
      fen('housing_fund', 'a', 'wage', 900_000), // its query timed out: a late row never counts
      fen('deposits', 'a', 'deposits', 100_000),
      fen('deposits', 'x', 'deposits', 9_999_999), // not a member of the request
    ]);
    expect(p.members[0]!.figures.wage).toEqual({ value: 400_000, complete: false, sources: ['tax'] });
    expect(p.members[0]!.figures.pension).toEqual({ value: null, complete: false, sources: [] });
    expect(p.household.monetary_assets).toEqual({ value: 100_000, complete: false, sources: ['deposits'] });
  });

  it('adds the other region’s answers when a package asked it (异地协查)', () => {
    const p = buildProfile(
      ['a'],
      [...all, answered('remote')],
      [
        fen('deposits', 'a', 'deposits', 100_000),
        fen('remote', 'a', 'deposits', 700_000),
        fen('remote', 'a', 'securities', 50_000),
        qty('remote', 'a', 'homes', 1),
        { ...fen('remote', 'a', 'business', 0), amountFen: null, flag: true },
      ],
    );
    expect(p.household.monetary_assets).toEqual({
      value: 850_000,
      complete: true,
      sources: ['deposits', 'securities', 'remote'],
    });
    expect(p.household.homes.value).toBe(1);
    expect(p.members[0]!.business).toBe(true);
  });
});

describe('conclusion on the verified figures', () => {
  const member = {
    id: 'm1',
    birthDate: '1970-01-01',
    hukou: 'shanghai' as const,
    wageFen: 100_000,
    pensionFen: 0,
    otherIncomeFen: 0,
    disabilityGrade: null,
    disabilityKind: null,
    seriousIllness: false,
    employed: true,
    hasSupporter: true,
    categories: [],
  };
  const declared = {
    monetaryAssetsFen: 0,
    vehicles: 0,
    homes: 1,
    perCapitaFloorAreaBelowAverage: false,
    medicalExpenseAnnualFen: 0,
    educationExpenseAnnualFen: 0,
    temporaryAssistanceMonths: 0,
    renovationCostFen: 0,
    members: [member],
  };
  const row = (kind: FigureKind, personId: string | null, verified: number | null) => ({
    personId,
    kind,
    declared: 0,
    verified,
    difference: null,
    complete: true,
    sources: [],
    flags: [],
  });

  it('puts every verified figure in place of the declared one, and keeps the rest', () => {
    const input = verifiedInput(declared, [
      row('wage', 'm1', 420_000),
      row('employment', 'm1', 0),
      row('monetary_assets', null, 9_000_000),
      row('vehicles', null, null),
    ]);
    expect(input.members[0]).toMatchObject({ wageFen: 420_000, employed: false, pensionFen: 0 });
    expect(input).toMatchObject({ monetaryAssetsFen: 9_000_000, vehicles: 0, homes: 1 });
  });

  it('concludes for the purpose first, then 低保, 低收入 and 支出型; the asset test by the engine', () => {
    const rich = concludeOn({ ...declared, monetaryAssetsFen: 90_000_000 }, 'tekun', '2026-12-01', {
      district: '310110',
    });
    expect(rich.conclusion.programs.map((p) => [p.program, p.forPurpose])).toEqual([
      ['tekun', true],
      ['dibao', false],
      ['dibao_edge', false],
      ['rigid_expense', false],
    ]);
    expect(rich.assetTestFails).toBe(true);
    expect(concludeOn(declared, 'housing_lianzu', '2026-12-01', { district: '310110' }).assetTestFails).toBe(
      false,
    );
  });

  it('concludes nothing for a household without a counted member (no spurious asset flag)', () => {
    const none = concludeOn({ ...declared, members: [] }, 'dibao', '2026-12-01', { district: '310110' });
    expect(none.assetTestFails).toBe(false);
    expect(none.conclusion.programs.every((p) => p.error !== undefined && !p.eligible)).toBe(true);
  });
});
