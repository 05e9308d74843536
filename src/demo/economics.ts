import type { CalibrationFile, DibaoTest } from './calibration.ts';
import { WeightedTable, type Random } from './prng.ts';

/**
 * Incomes and assets of synthetic households. Amounts are whole fen; the log-uniform draws use a
 * float exponent only to pick a synthetic amount, which is then rounded to whole yuan.
 */
export interface Earnings {
  wageFen: number;
  pensionFen: number;
  otherIncomeFen: number;
}

export interface Holdings {
  monetaryAssetsFen: number;
  vehicles: number;
  homes: number;
  perCapitaFloorAreaBelowAverage: boolean;
}

type Economics = CalibrationFile['economics'];

export function logUniformFen(random: Random, min: number, max: number): number {
  const yuan = Math.exp(Math.log(min / 100) + random.float() * (Math.log(max / 100) - Math.log(min / 100)));
  return Math.round(yuan) * 100;
}

/** A table drawing the numeric keys of a `{ key: share }` map (vehicles, homes, grades …). */
export function shareTable(shares: Record<string, number>): WeightedTable<number> {
  const entries = Object.entries(shares);
  return new WeightedTable(
    entries.map(([k]) => Number(k)),
    entries.map(([, v]) => v),
  );
}

/** The dibao test of SPEC.md with the calibration's 2020-07 values: is this household eligible? */
export function dibaoEligible(
  test: DibaoTest,
  holdings: Holdings,
  members: readonly { earnings: Earnings; shanghaiHukou: boolean }[],
): boolean {
  const n = members.length;
  let income = 0;
  let hukou = false;
  for (const { earnings: m, shanghaiHukou } of members) {
    hukou ||= shanghaiHukou;
    income += m.wageFen + m.pensionFen + m.otherIncomeFen;
    if (m.wageFen > 0) income -= Math.min(m.wageFen, test.employmentExemptionFen);
  }
  if (!hukou) return false;
  const limit =
    n <= test.smallHouseholdMaxSize ? test.assetLimitPerCapitaSmallHouseholdFen : test.assetLimitPerCapitaFen;
  const maxHomes = holdings.perCapitaFloorAreaBelowAverage ? test.maxHomesSmallArea : test.maxHomes;
  return (
    income < test.standardFen * n &&
    holdings.monetaryAssetsFen <= limit * n &&
    holdings.vehicles <= test.maxVehicles &&
    holdings.homes <= maxHomes
  );
}

export function assetLimitFen(test: DibaoTest, n: number): number {
  return (
    (n <= test.smallHouseholdMaxSize
      ? test.assetLimitPerCapitaSmallHouseholdFen
      : test.assetLimitPerCapitaFen) * n
  );
}

export interface HoldingTables {
  vehicles: WeightedTable<number>;
  homes: WeightedTable<number>;
}

export function holdingTables(e: Economics): HoldingTables {
  return { vehicles: shareTable(e.vehicles), homes: shareTable(e.homes) };
}

export function ordinaryHoldings(random: Random, e: Economics, tables: HoldingTables): Holdings {
  return {
    monetaryAssetsFen: logUniformFen(random, e.monetaryAssetsFen.min, e.monetaryAssetsFen.max),
    vehicles: tables.vehicles.draw(random),
    homes: tables.homes.draw(random),
    perCapitaFloorAreaBelowAverage: random.chance(e.floorAreaBelowAverageShare),
  };
}

export function poorHoldings(random: Random, e: Economics, test: DibaoTest, n: number): Holdings {
  return {
    monetaryAssetsFen:
      random.between(0, Math.floor((assetLimitFen(test, n) * e.poor.assetsMaxOfLimit) / 100)) * 100,
    vehicles: 0,
    homes: random.chance(e.poor.homeless) ? 0 : 1,
    perCapitaFloorAreaBelowAverage: random.chance(e.poor.floorAreaBelowAverageShare),
  };
}

/** Fraction of a fen amount, rounded down to whole yuan (fractions here are calibration shares). */
export function shareOfFen(amountFen: number, share: number): number {
  return Math.floor((amountFen * share) / 100) * 100;
}
