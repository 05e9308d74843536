import { describe, expect, it } from 'vitest';
import type { PolicyHousehold } from '../../policy/household.ts';
import { baselineParameters } from '../../policy/index.ts';
import type { FigureRow, ReportBody } from '../report/report.types.ts';
import { changesOfReports, figureChanges, reckon } from './changes.ts';

/**
 * Hand-worked: one adult of Shanghai hukou, December 2026, 低保标准 1,650 元 a month (dibao/standard.yaml,
 * from 2025-07-01). A pension counts whole, other income too (programs/dibao.ts); the benefit is the
 * standard less the household's countable income.
 */

const member = {
  id: 'p1',
  birthDate: '1960-01-01',
  hukou: 'shanghai' as const,
  wageFen: 0,
  pensionFen: 100_000,
  otherIncomeFen: 0,
  disabilityGrade: null,
  disabilityKind: null,
  seriousIllness: false,
  employed: false,
  hasSupporter: true,
  categories: [],
};

const before: PolicyHousehold = {
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

function row(
  personId: string | null,
  kind: FigureRow['kind'],
  declared: number,
  verified: number | null,
  complete = true,
): FigureRow {
  return {
    personId,
    kind,
    declared,
    verified,
    difference: verified === null ? null : verified - declared,
    complete,
    sources: kind === 'monetary_assets' ? ['deposits', 'securities'] : ['social_insurance'],
    flags: [],
  };
}

function report(figures: FigureRow[]): { requestId: string; householdId: string; body: ReportBody } {
  return {
    requestId: 'r1',
    householdId: 'h1',
    body: { asOf: '2026-12-01', figures, declaredInput: before } as unknown as ReportBody,
  };
}

const parameters = baselineParameters().forDistrict('310110');

describe('the change list of a re-verification', () => {
  it('the engine agrees by hand: 1,650 − 1,000 = 650 元 before', () => {
    const [r] = reckon([before], '2026-12', 'dibao', parameters);
    expect(r).toEqual({ eligible: true, amountFen: 65_000 });
    // The population API and one household at a time give the same answer.
    expect(reckon([before], '2026-12', 'dibao', parameters, 'each')).toEqual([r]);
  });

  it('lists only complete figures that differ from those in force', () => {
    const changes = figureChanges({
      figures: [
        row('p1', 'pension', 100_000, 100_000),
        row('p1', 'wage', 0, 50_000, false), // a lower bound (some agency missing): not a fact, not a change
        row('p1', 'other_income', 0, null),
        row(null, 'monetary_assets', 0, 100_000),
      ],
    });
    expect(changes).toEqual([
      {
        personId: null,
        kind: 'monetary_assets',
        oldValue: 0,
        newValue: 100_000,
        source: 'deposits,securities',
      },
    ]);
  });

  it('flags each change by what it does: the amount, eligibility, or nothing', () => {
    // pension 1,000 → 1,200: alone, 1,650 − 1,200 = 450 元 (amount moves, still eligible);
    // other income 0 → 800: alone 1,800 > 1,650 (not eligible); together likewise (not eligible, 0 元);
    // 1,000 元 of deposits: far under the asset limit, alone nothing moves.
    const [h] = changesOfReports(
      [
        report([
          row('p1', 'pension', 100_000, 120_000),
          row('p1', 'other_income', 0, 80_000),
          row(null, 'monetary_assets', 0, 100_000),
        ]),
      ],
      'dibao',
      parameters,
    );
    expect(
      h?.changes.map((c) => [c.kind, c.oldValue, c.newValue, c.affectsEligibility, c.affectsAmount]),
    ).toEqual([
      ['pension', 100_000, 120_000, false, true],
      ['other_income', 0, 80_000, true, true],
      ['monetary_assets', 0, 100_000, false, false],
    ]);
  });

  it('changes that move eligibility only together are each flagged', () => {
    // pension 1,000 → 1,500 (alone 150 元, eligible); other income 0 → 300 (alone 350 元, eligible);
    // together 1,800 > 1,650: not eligible.
    const [h] = changesOfReports(
      [report([row('p1', 'pension', 100_000, 150_000), row('p1', 'other_income', 0, 30_000)])],
      'dibao',
      parameters,
    );
    expect(h?.changes.map((c) => [c.kind, c.affectsEligibility, c.affectsAmount])).toEqual([
      ['pension', true, true],
      ['other_income', true, true],
    ]);
  });

  it('one fen more pension is one fen less benefit (the amount moves); an unchanged figure is no row', () => {
    const out = changesOfReports(
      [
        report([row('p1', 'pension', 100_000, 100_001)]),
        { ...report([row('p1', 'pension', 100_000, 100_000)]), requestId: 'r2' },
      ],
      'dibao',
      parameters,
    );
    expect(out).toHaveLength(1);
    expect(out[0]?.changes).toEqual([
      {
        personId: 'p1',
        kind: 'pension',
        oldValue: 100_000,
        newValue: 100_001,
        source: 'social_insurance',
        affectsEligibility: false,
        affectsAmount: true,
      },
    ]);
  });
});
