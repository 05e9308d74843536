import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import {
  elderSlots,
  HOUSEHOLD_TYPE_CODES,
  householdType,
  type HouseholdTypeCode,
} from './household-types.ts';

/**
 * Loads src/demo/calibration.yaml (the only place calibration figures live) and derives what the
 * generator needs: rates per hukou person and household-type weights rescaled to the elderly share.
 */
const status = z.enum(['given', 'derived', 'secondary', 'assumption']);
const sourced = <T extends z.ZodType>(value: T) =>
  z.object({ value, status, quote: z.string().optional(), note: z.string().optional() });
const count = sourced(z.number().int().min(0));
const share = z.number().min(0).max(1);
const band = z.object({
  from: z.number().int().min(0),
  to: z.number().int().min(0),
  share,
  status: status.optional(),
  quote: z.string().optional(),
  note: z.string().optional(),
});
const range = z.object({ min: z.number().int().min(0), max: z.number().int().min(0) });
const typeCode = z.enum(HOUSEHOLD_TYPE_CODES as [HouseholdTypeCode, ...HouseholdTypeCode[]]);
const typeWeights = z.partialRecord(typeCode, z.number().min(0));
const numericShares = z.record(z.string().regex(/^\d+$/), share);

const calibrationSchema = z.object({
  referenceDate: sourced(z.string().regex(/^\d{4}-\d{2}-\d{2}$/)),
  hukouPopulation: sourced(z.number().int().positive()),
  elderly: z.object({
    minAge: sourced(z.number().int().positive()),
    share: sourced(share),
    bands: z.array(band).min(1),
  }),
  adultAnchorBands: z.object({ status, bands: z.array(band).min(1) }),
  minorAges: z.object({
    status,
    from: z.literal(0),
    to: z.number().int().min(0).max(17),
    distribution: z.literal('uniform'),
    note: z.string().optional(),
  }),
  generationGapYears: z.object({
    status,
    note: z.string().optional(),
    min: z.number().int(),
    max: z.number().int(),
  }),
  spouseAgeDifferenceYears: z.object({ status, max: z.number().int().min(0) }),
  nonHukouShare: sourced(share),
  hukouBirthplace: z.object({ status, otherShanghaiDistrict: share, outsideShanghai: share }),
  householdTypes: z.object({
    status,
    note: z.string().optional(),
    hukou: typeWeights,
    nonHukou: typeWeights,
  }),
  categories: z.object({
    tekun: count,
    kunjingChild: count,
    orphan: count,
    traditional: count,
    anhuiResettled: count,
    anhuiResettledClass1Share: sourced(share),
    ruralYouth: count,
  }),
  tripletHouseholds: count,
  disability: z.object({
    severeUnemployed: count,
    severeUnemployedAges: z.object({
      status,
      from: z.number().int(),
      to: z.number().int(),
      note: z.string(),
    }),
    rate: sourced(share),
    categoryShares: z.object({ status, note: z.string().optional(), shares: numericShares }),
    gradeShares: z.object({ status, shares: numericShares }),
  }),
  dibao: z.object({
    persons: count,
    withEmployedShare: sourced(share),
    typeGates: z.object({ status, gates: typeWeights }),
    test: z.object({
      status,
      source: z.string(),
      standardFen: z.number().int().positive(),
      employmentExemptionFen: z.number().int().min(0),
      assetLimitPerCapitaFen: z.number().int().positive(),
      assetLimitPerCapitaSmallHouseholdFen: z.number().int().positive(),
      smallHouseholdMaxSize: z.number().int().positive(),
      maxVehicles: z.number().int().min(0),
      maxHomes: z.number().int().min(0),
      maxHomesSmallArea: z.number().int().min(0),
    }),
  }),
  economics: z.object({
    status,
    employmentRate: z.object({ adult: share, elder: share }),
    wageFen: range,
    pensionFen: range,
    otherIncome: z.object({ share, minFen: z.number().int().min(0), maxFen: z.number().int().min(0) }),
    monetaryAssetsFen: range,
    vehicles: numericShares,
    homes: numericShares,
    floorAreaBelowAverageShare: share,
    medicalExpenseAnnualFen: range,
    educationExpenseAnnualFenPerChild: range,
    seriousIllness: z.object({ child: share, adult: share, elder: share }),
    poor: z.object({
      elderPensionMaxOfStandard: share,
      adultOtherIncomeMaxOfStandard: share,
      employedWageAboveExemptionMaxOfStandard: share,
      assetsMaxOfLimit: share,
      homeless: share,
      floorAreaBelowAverageShare: share,
    }),
  }),
  history: z.object({
    status,
    note: z.string().optional(),
    years: z.number().int().min(1).max(10),
    incomeChangeShare: z.object({ wage: share, pension: share, otherIncome: share }),
    earlierIncomeFactor: z.object({ min: z.number().positive(), max: z.number().positive() }),
    assetsChangeShare: share,
    earlierAssetsFactor: z.object({ min: z.number().positive(), max: z.number().positive() }),
    earlierSpendingYearShare: share,
    earlierSpendingFactor: z.object({ min: z.number().positive(), max: z.number().positive() }),
    deathShareOfSingleElders: share,
    moveShareOfNewHouseholds: share,
    verifiedShareOfDibaoHouseholds: share,
  }),
});

export type CalibrationFile = z.infer<typeof calibrationSchema>;
export type DibaoTest = CalibrationFile['dibao']['test'];

export interface Calibration {
  readonly file: CalibrationFile;
  /** Household-type weights after rescaling the elderly types (see rescaleElderlyTypes). */
  readonly hukouTypeWeights: ReadonlyMap<HouseholdTypeCode, number>;
  readonly nonHukouTypeWeights: ReadonlyMap<HouseholdTypeCode, number>;
  /** Probability that a household is a non-hukou one, giving `nonHukouShare` of persons. */
  readonly nonHukouHouseholdProbability: number;
  /** Expected persons per household over both kinds (for documentation and tests). */
  readonly expectedHouseholdSize: number;
  /** Count targets per hukou person (count / hukouPopulation). */
  readonly perHukouPerson: {
    readonly tekun: number;
    readonly kunjingChild: number;
    readonly orphan: number;
    readonly traditional: number;
    readonly anhuiResettled: number;
    readonly ruralYouth: number;
    readonly tripletHouseholds: number;
    readonly severeUnemployed: number;
    readonly dibaoPersons: number;
  };
}

export const calibrationPath = new URL('./calibration.yaml', import.meta.url);

function weightsOf(record: Partial<Record<HouseholdTypeCode, number>>): Map<HouseholdTypeCode, number> {
  const map = new Map<HouseholdTypeCode, number>();
  for (const code of HOUSEHOLD_TYPE_CODES) {
    const w = record[code];
    if (w !== undefined && w > 0) {
      if (householdType(code).quotaOnly) throw new Error(`calibration: ${code} is made by quota only`);
      map.set(code, w);
    }
  }
  if (map.size === 0) throw new Error('calibration: no household type has a weight');
  return map;
}

function meanSize(weights: ReadonlyMap<HouseholdTypeCode, number>): number {
  let w = 0;
  let s = 0;
  for (const [code, weight] of weights) {
    w += weight;
    s += weight * householdType(code).slots.length;
  }
  return s / w;
}

/**
 * Scales the weights of the types with elderly members by λ so that the expected elderly share of
 * hukou persons is p: λ·E1 / (λ·S1 + S0) = p, where E1/S1 are the weighted elderly/all members of
 * the elderly types and S0 the weighted members of the others.
 */
export function rescaleElderlyTypes(
  weights: ReadonlyMap<HouseholdTypeCode, number>,
  p: number,
): Map<HouseholdTypeCode, number> {
  let e1 = 0;
  let s1 = 0;
  let s0 = 0;
  for (const [code, w] of weights) {
    const size = householdType(code).slots.length;
    const elders = elderSlots(code);
    if (elders > 0) {
      e1 += w * elders;
      s1 += w * size;
    } else s0 += w * size;
  }
  const lambda = (p * s0) / (e1 - p * s1);
  if (!(lambda > 0) || !Number.isFinite(lambda)) {
    throw new Error(`calibration: household types cannot reach an elderly share of ${p}`);
  }
  return new Map([...weights].map(([code, w]) => [code, elderSlots(code) > 0 ? w * lambda : w]));
}

function checkShares(name: string, shares: readonly number[]): void {
  const sum = shares.reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 1) > 1e-6) throw new Error(`calibration: ${name} shares sum to ${sum}, not 1`);
}

export function buildCalibration(file: CalibrationFile): Calibration {
  checkShares(
    'elderly.bands',
    file.elderly.bands.map((b) => b.share),
  );
  checkShares(
    'adultAnchorBands',
    file.adultAnchorBands.bands.map((b) => b.share),
  );
  checkShares('disability.categoryShares', Object.values(file.disability.categoryShares.shares));
  checkShares('disability.gradeShares', Object.values(file.disability.gradeShares.shares));
  checkShares('economics.vehicles', Object.values(file.economics.vehicles));
  checkShares('economics.homes', Object.values(file.economics.homes));
  const hukouTypeWeights = rescaleElderlyTypes(
    weightsOf(file.householdTypes.hukou),
    file.elderly.share.value,
  );
  const nonHukouTypeWeights = weightsOf(file.householdTypes.nonHukou);
  for (const code of nonHukouTypeWeights.keys()) {
    if (elderSlots(code) > 0) throw new Error(`calibration: non-hukou type ${code} has elderly members`);
  }
  const sh = meanSize(hukouTypeWeights);
  const sn = meanSize(nonHukouTypeWeights);
  const r = file.nonHukouShare.value;
  // q·sn / (q·sn + (1−q)·sh) = r  ⇒  q = r·sh / (sn·(1−r) + r·sh)
  const q = (r * sh) / (sn * (1 - r) + r * sh);
  const n = file.hukouPopulation.value;
  const c = file.categories;
  return {
    file,
    hukouTypeWeights,
    nonHukouTypeWeights,
    nonHukouHouseholdProbability: q,
    expectedHouseholdSize: q * sn + (1 - q) * sh,
    perHukouPerson: {
      tekun: c.tekun.value / n,
      kunjingChild: c.kunjingChild.value / n,
      orphan: c.orphan.value / n,
      traditional: c.traditional.value / n,
      anhuiResettled: c.anhuiResettled.value / n,
      ruralYouth: c.ruralYouth.value / n,
      tripletHouseholds: file.tripletHouseholds.value / n,
      severeUnemployed: file.disability.severeUnemployed.value / n,
      dibaoPersons: file.dibao.persons.value / n,
    },
  };
}

let cached: Calibration | undefined;

export function loadCalibration(): Calibration {
  cached ??= buildCalibration(calibrationSchema.parse(parse(readFileSync(calibrationPath, 'utf8'))));
  return cached;
}
