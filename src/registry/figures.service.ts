import type { DataScope } from '../auth/scope.ts';
import type { Db } from '../db/store.ts';
import {
  CATEGORY_LIST,
  CATEGORY_NAMES,
  DISABILITY_CATEGORIES,
  DISABILITY_GRADES,
  isCategory,
} from './codes.ts';
import { divisionIndex } from './divisions.ts';
import {
  countByCategory,
  householdsByArea,
  householdSizes,
  personCounts,
  type AreaLevel,
} from './figures.repository.ts';
import { isValidIsoDate } from './id-number.ts';
import { RegistryError } from './registry.errors.ts';
import type { PopulationFigures } from './registry.types.ts';

/** Share in per mille, rounded half up, in integers (no floating point in reported figures). */
export function perMille(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.floor((part * 1000 * 2 + whole) / (whole * 2));
}

const BAND_COUNT = 21;

function bandLabel(band: number): string {
  return band >= 20 ? '100+' : `${band * 5}-${band * 5 + 4}`;
}

const ELDERLY_BANDS = [
  { band: '60-69', from: 12, to: 13 },
  { band: '70-79', from: 14, to: 15 },
  { band: '80-89', from: 16, to: 17 },
  { band: '90-99', from: 18, to: 19 },
  { band: '100+', from: 20, to: 20 },
] as const;

/** One row per code that has persons or households, in code order, named from the division table. */
function areaRows(
  persons: ReadonlyMap<string, number>,
  households: ReadonlyMap<string, number>,
): { code: string; name: string | null; persons: number; households: number }[] {
  return [...new Set([...persons.keys(), ...households.keys()])].sort().map((code) => ({
    code,
    name: divisionIndex().get(code)?.name ?? null,
    persons: persons.get(code) ?? 0,
    households: households.get(code) ?? 0,
  }));
}

type AreaRow = ReturnType<typeof areaRows>[number];

/** The scope's streets: its areas when they are streets; below a district, its one street with its totals. */
function streetsOf(
  scope: DataScope,
  level: AreaLevel,
  areas: AreaRow[],
  totals: { persons: number; households: number },
): AreaRow[] {
  if (level === 'street') return areas;
  if (scope.kind !== 'division' || totals.persons + totals.households === 0) return [];
  const code = scope.code.slice(0, 9);
  return [{ code, name: divisionIndex().get(code)?.name ?? null, ...totals }];
}

const HOUSEHOLD_SIZES = 6;

function sizeRows(rows: readonly { size: number; n: number }[]): { size: number; households: number }[] {
  const bySize = new Map(rows.map((r) => [r.size, r.n]));
  return Array.from({ length: HOUSEHOLD_SIZES }, (_, i) => ({
    size: i + 1,
    households: bySize.get(i + 1) ?? 0,
  }));
}

/**
 * 人口概况 for a scope on a date: age pyramid, elderly bands (as seed 000 reports them), disability,
 * special categories, totals (everyone living here, and Shanghai 户籍) and the scope's parts one level
 * down — aggregate queries only (the person counts in one scan, by grouping sets), no row loading.
 */
export async function populationFigures(db: Db, scope: DataScope, asOf: string): Promise<PopulationFigures> {
  if (!isValidIsoDate(asOf))
    throw new RegistryError('validation', `日期「${asOf}」无效，应为 YYYY-MM-DD`, 'asOf');
  const committeeScope = scope.kind === 'division' && scope.code.length === 12;
  // One level down from the scope: a district's (or the city's) streets, a street's committees.
  const level: AreaLevel = scope.kind === 'division' && scope.code.length >= 9 ? 'committee' : 'street';
  const [counts, categories, householdAreas, sizes] = await Promise.all([
    personCounts(db, scope, asOf, level),
    countByCategory(db, scope, asOf),
    householdsByArea(db, scope, asOf, level),
    committeeScope ? householdSizes(db, scope, asOf) : null,
  ]);
  const { bands, disability } = counts;
  const pyramid = Array.from({ length: BAND_COUNT }, (_, band) => ({
    band: bandLabel(band),
    male: 0,
    female: 0,
    other: 0,
  }));
  const byBand = new Array<number>(BAND_COUNT).fill(0);
  for (const r of bands) {
    const slot = pyramid[r.band]!;
    if (r.sex === 1) slot.male += r.n;
    else if (r.sex === 2) slot.female += r.n;
    else slot.other += r.n;
    byBand[r.band]! += r.n;
  }
  const persons = byBand.reduce((a, b) => a + b, 0);
  const sumBands = (from: number, to: number) => byBand.slice(from, to + 1).reduce((a, b) => a + b, 0);
  const aged60plus = sumBands(12, 20);
  const byCategory = new Map<number, number>();
  const byGrade = new Map<number, number>();
  for (const r of disability) {
    byCategory.set(r.category, (byCategory.get(r.category) ?? 0) + r.n);
    if (r.grade !== null) byGrade.set(r.grade, (byGrade.get(r.grade) ?? 0) + r.n);
  }
  const categoryCounts = new Map(
    categories.filter((r) => isCategory(r.category)).map((r) => [r.category, r.n]),
  );
  const areas = areaRows(
    new Map(counts.areas.map((r) => [r.area, r.n])),
    new Map(householdAreas.map((r) => [r.area, r.n])),
  );
  const households = householdAreas.reduce((a, r) => a + r.n, 0);
  const streets = streetsOf(scope, level, areas, { persons, households });
  return {
    asOf,
    scope: scope.kind === 'all' ? 'all' : scope.code,
    persons,
    hukouPersons: counts.hukou,
    households,
    pyramid,
    elderly: {
      aged60plus,
      sharePerMille: perMille(aged60plus, persons),
      bands: ELDERLY_BANDS.map(({ band, from, to }) => {
        const count = sumBands(from, to);
        return { band, count, sharePerMille: perMille(count, aged60plus) };
      }),
      aged80plus: sumBands(16, 20),
      aged100plus: sumBands(20, 20),
    },
    disability: {
      byCategory: Object.entries(DISABILITY_CATEGORIES).map(([code, name]) => ({
        category: Number(code),
        name,
        count: byCategory.get(Number(code)) ?? 0,
      })),
      byGrade: Object.entries(DISABILITY_GRADES).map(([code, name]) => ({
        grade: Number(code),
        name,
        count: byGrade.get(Number(code)) ?? 0,
      })),
      total: [...byCategory.values()].reduce((a, b) => a + b, 0),
    },
    categories: CATEGORY_LIST.map((category) => ({
      category,
      name: CATEGORY_NAMES[category],
      count: categoryCounts.get(category) ?? 0,
    })),
    byStreet: streets.map((r) => ({
      streetCode: r.code,
      streetName: r.name,
      persons: r.persons,
      households: r.households,
    })),
    areas: { level, items: areas },
    householdSizes: sizes ? sizeRows(sizes) : null,
  };
}
