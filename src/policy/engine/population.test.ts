import { describe, expect, it } from 'vitest';
import type { PolicyHousehold } from '../household.ts';
import { PopulationBuilder, populationOf } from './population.ts';

function household(i: number): PolicyHousehold {
  const n = 1 + (i % 4);
  return {
    monetaryAssetsFen: i * 7,
    vehicles: i % 2,
    homes: i % 3,
    perCapitaFloorAreaBelowAverage: i % 5 === 0,
    medicalExpenseAnnualFen: i * 3,
    educationExpenseAnnualFen: i * 11,
    temporaryAssistanceMonths: i % 6,
    renovationCostFen: i * 13,
    members: Array.from({ length: n }, (_, j) => ({
      id: `m${j}`,
      birthDate: `19${String(10 + ((i + j) % 90)).padStart(2, '0')}-0${1 + (j % 9)}-1${j % 10}`,
      hukou: (i + j) % 7 === 0 ? ('other' as const) : ('shanghai' as const),
      wageFen: i + j,
      pensionFen: 2 * i + j,
      otherIncomeFen: 3 * i + j,
      disabilityGrade: j % 2 === 0 ? null : ((((i + j) % 4) + 1) as 1 | 2 | 3 | 4),
      disabilityKind: null,
      seriousIllness: (i + j) % 3 === 0,
      employed: (i + j) % 4 === 0,
      hasSupporter: (i + j) % 5 !== 0,
      categories: (i + j) % 9 === 0 ? ['tekun' as const] : [],
    })),
  };
}

describe('PopulationBuilder', () => {
  it('keeps every value when its columns grow from the smallest capacity', () => {
    const households = Array.from({ length: 5000 }, (_, i) => household(i));
    const grown = new PopulationBuilder({ households: 1, persons: 1 });
    for (const hh of households) grown.add(hh);
    const a = grown.build();
    const b = populationOf(households);
    expect(a.householdCount).toBe(5000);
    for (const key of Object.keys(b) as (keyof typeof b)[]) {
      const x = a[key];
      const y = b[key];
      if (ArrayBuffer.isView(x) && ArrayBuffer.isView(y))
        expect(Array.from(x as Float64Array), key).toEqual(Array.from(y as Float64Array));
    }
    // spot-check against the source objects
    expect(a.assets[4999]).toBe(4999 * 7);
    expect(a.renovation[1234]).toBe(1234 * 13);
    expect(a.wage[a.memberStart[4999] as number]).toBe(4999);
  });
});
