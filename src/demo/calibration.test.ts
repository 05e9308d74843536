import { describe, expect, it } from 'vitest';
import { loadCalibration } from './calibration.ts';
import { generatePopulation, type GeneratedHousehold } from './generator.ts';

/**
 * Generates 200,000 persons and compares the shares with calibration.yaml. The dibao test here is
 * written out independently of the generator's, from the same calibration values.
 */
const cal = loadCalibration();
const file = cal.file;
const PERSONS = 200_000;

interface Tally {
  households: number;
  persons: number;
  hukou: number;
  nonHukou: number;
  elderly: number;
  bands: number[];
  /** Persons under 18 by single year of age (all persons, hukou or not). */
  minorsByAge: number[];
  categories: Map<string, number>;
  disabled: number;
  severeUnemployed: number;
  dibaoPersons: number;
  dibaoWithEmployedPersons: number;
  dibaoFlagMismatches: number;
  tripletHouseholds: number;
  tripletsWithSharedBirthday: number;
  tekunProblems: number;
}

function dibaoEligible(h: GeneratedHousehold): boolean {
  const t = file.dibao.test;
  const n = h.members.length;
  if (!h.members.some((m) => m.person.shanghaiHukou)) return false;
  const income = h.members.reduce((sum, { person: p }) => {
    const exemption = p.wageFen > 0 ? Math.min(p.wageFen, t.employmentExemptionFen) : 0;
    return sum + p.wageFen + p.pensionFen + p.otherIncomeFen - exemption;
  }, 0);
  const perCapitaLimit =
    n <= t.smallHouseholdMaxSize ? t.assetLimitPerCapitaSmallHouseholdFen : t.assetLimitPerCapitaFen;
  return (
    income < t.standardFen * n &&
    h.monetaryAssetsFen <= perCapitaLimit * n &&
    h.vehicles <= t.maxVehicles &&
    h.homes <= (h.perCapitaFloorAreaBelowAverage ? t.maxHomesSmallArea : t.maxHomes)
  );
}

function tally(): Tally {
  const bands = file.elderly.bands;
  const s: Tally = {
    households: 0,
    persons: 0,
    hukou: 0,
    nonHukou: 0,
    elderly: 0,
    bands: bands.map(() => 0),
    minorsByAge: new Array<number>(18).fill(0),
    categories: new Map(),
    disabled: 0,
    severeUnemployed: 0,
    dibaoPersons: 0,
    dibaoWithEmployedPersons: 0,
    dibaoFlagMismatches: 0,
    tripletHouseholds: 0,
    tripletsWithSharedBirthday: 0,
    tekunProblems: 0,
  };
  const severe = file.disability.severeUnemployedAges;
  for (const h of generatePopulation({ persons: PERSONS, seed: 'calibration' })) {
    s.households++;
    const eligible = dibaoEligible(h);
    if (eligible !== h.dibao) s.dibaoFlagMismatches++;
    if (eligible) {
      s.dibaoPersons += h.members.length;
      if (h.members.some((m) => m.person.employed)) s.dibaoWithEmployedPersons += h.members.length;
    }
    if (h.type === 'triplets') {
      s.tripletHouseholds++;
      const children = h.members.filter((m) => m.relationCode === '20' || m.relationCode === '30');
      if (children.length === 3 && new Set(children.map((c) => c.person.birthDate)).size === 1)
        s.tripletsWithSharedBirthday++;
    }
    for (const { person: p } of h.members) {
      s.persons++;
      if (p.age < 18) s.minorsByAge[p.age]!++;
      for (const c of p.categories) s.categories.set(c, (s.categories.get(c) ?? 0) + 1);
      if (
        p.categories.includes('tekun') &&
        (p.hasSupporter ||
          p.age < 60 ||
          p.wageFen + p.pensionFen + p.otherIncomeFen >= file.dibao.test.standardFen)
      ) {
        s.tekunProblems++;
      }
      if (!p.shanghaiHukou) {
        s.nonHukou++;
        continue;
      }
      s.hukou++;
      if (p.disabilityGrade !== null) s.disabled++;
      if (
        p.age >= severe.from &&
        p.age <= severe.to &&
        p.disabilityGrade !== null &&
        p.disabilityGrade <= 2 &&
        !p.employed
      ) {
        s.severeUnemployed++;
      }
      if (p.age >= file.elderly.minAge.value) {
        s.elderly++;
        const band = bands.findIndex((b) => p.age >= b.from && p.age <= b.to);
        expect(band, `age ${p.age}`).toBeGreaterThanOrEqual(0);
        s.bands[band]!++;
      }
    }
  }
  return s;
}

/** Expected count of a district-wide target for this run's hukou persons. */
const scaled = (districtCount: number, hukou: number) => (districtCount * hukou) / file.hukouPopulation.value;

/** A count within 10% of its expectation, or ±3 for small ones. */
function expectCount(actual: number, expected: number, what: string): void {
  const tolerance = Math.max(3, expected * 0.1);
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected.toFixed(1)}`).toBeLessThanOrEqual(
    tolerance,
  );
}

describe(`calibration (${PERSONS} persons, targets from calibration.yaml)`, () => {
  const s = tally();

  it('hukou and non-hukou persons', () => {
    expect(s.persons).toBe(PERSONS);
    expect(s.nonHukou / s.persons).toBeCloseTo(file.nonHukouShare.value, 2);
    expect(Math.abs(s.persons / s.households - cal.expectedHouseholdSize)).toBeLessThan(0.05);
  });

  it('elderly share and age bands of the hukou population', () => {
    expect(Math.abs(s.elderly / s.hukou - file.elderly.share.value)).toBeLessThan(0.01);
    file.elderly.bands.forEach((band, i) => {
      const share = s.bands[i]! / s.elderly;
      expect(Math.abs(share - band.share), `${band.from}-${band.to}: ${share}`).toBeLessThan(
        band.share < 0.01 ? 0.002 : 0.01,
      );
    });
  });

  it('children of every age 0–17: the 0–4 band holds its share, no age piles up at 0 or 17', () => {
    const { from, to } = file.minorAges;
    const minors = s.minorsByAge.reduce((a, b) => a + b, 0);
    const band0to4 = s.minorsByAge.slice(0, 5).reduce((a, b) => a + b, 0);
    // Uniform ages would give 5/18; grandchildren of older grandparents lean to the teens, so a little less.
    const expected = 5 / (to - from + 1);
    expect(Math.abs(band0to4 / minors - expected), `0–4: ${band0to4} of ${minors}`).toBeLessThan(0.03);
    const mean = minors / (to - from + 1);
    s.minorsByAge.forEach((n, age) => {
      expect(n / mean, `age ${age}: ${n} vs ${mean.toFixed(0)}`).toBeGreaterThan(0.75);
      expect(n / mean, `age ${age}: ${n} vs ${mean.toFixed(0)}`).toBeLessThan(1.4);
    });
  });

  it('special categories', () => {
    const c = file.categories;
    expectCount(s.categories.get('tekun') ?? 0, scaled(c.tekun.value, s.hukou), 'tekun');
    expectCount(
      s.categories.get('kunjing_child') ?? 0,
      scaled(c.kunjingChild.value, s.hukou),
      'kunjing_child',
    );
    expectCount(s.categories.get('orphan') ?? 0, scaled(c.orphan.value, s.hukou), 'orphan');
    expectCount(s.categories.get('traditional') ?? 0, scaled(c.traditional.value, s.hukou), 'traditional');
    const anhui = (s.categories.get('anhui_resettled_1') ?? 0) + (s.categories.get('anhui_resettled_2') ?? 0);
    expectCount(anhui, scaled(c.anhuiResettled.value, s.hukou), 'anhui_resettled');
    expectCount(s.categories.get('rural_youth') ?? 0, scaled(c.ruralYouth.value, s.hukou), 'rural_youth');
    expect(s.tekunProblems).toBe(0);
  });

  it('triplet households', () => {
    expect(s.tripletHouseholds).toBeGreaterThanOrEqual(1);
    expectCount(s.tripletHouseholds, scaled(file.tripletHouseholds.value, s.hukou), 'triplets');
    expect(s.tripletsWithSharedBirthday).toBe(s.tripletHouseholds);
  });

  it('disability and 重残无业', () => {
    expect(Math.abs(s.disabled / s.hukou - file.disability.rate.value)).toBeLessThan(0.003);
    expectCount(s.severeUnemployed, scaled(file.disability.severeUnemployed.value, s.hukou), '重残无业');
  });

  it('dibao-eligible households: count, composition, and only the designated ones', () => {
    expect(s.dibaoFlagMismatches).toBe(0);
    expectCount(s.dibaoPersons, scaled(file.dibao.persons.value, s.hukou), 'dibao persons');
    expect(
      Math.abs(s.dibaoWithEmployedPersons / s.dibaoPersons - file.dibao.withEmployedShare.value),
    ).toBeLessThan(0.03);
  });
});
