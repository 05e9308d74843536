import { readFileSync } from 'node:fs';

/**
 * Shanghai's divisions (区划代码) from divisions/shanghai.json, the source of truth; the `divisions`
 * table is seeded from it for SQL joins and reports. Pure: no database.
 */
export type DivisionLevel = 'province' | 'city' | 'district' | 'street' | 'committee';

export interface Division {
  code: string;
  name: string;
  level: DivisionLevel;
  parentCode: string | null;
  /** The 6-digit district a street or committee lies in (null above district level). */
  districtCode: string | null;
}

export interface DivisionPath {
  code: string;
  level: DivisionLevel;
  district: Division | null;
  street: Division | null;
  committee: Division | null;
  /** "杨浦区 定海路街道 某某居委会" */
  fullName: string;
}

/** The level a code's length implies: 2 province, 4 city, 6 district, 9 street/town, 12 committee. */
export function divisionLevel(code: string): DivisionLevel | undefined {
  if (!/^\d+$/.test(code)) return undefined;
  switch (code.length) {
    case 2:
      return 'province';
    case 4:
      return 'city';
    case 6:
      return 'district';
    case 9:
      return 'street';
    case 12:
      return 'committee';
    default:
      return undefined;
  }
}

export const DIVISION_LEVEL_NAMES: Readonly<Record<DivisionLevel, string>> = {
  province: '省级',
  city: '地级',
  district: '区县',
  street: '街道/镇',
  committee: '居委会/村委会',
};

export interface DivisionIndex {
  readonly size: number;
  get(code: string): Division | undefined;
  /** Children in code order. */
  children(code: string): readonly Division[];
  path(code: string): DivisionPath | undefined;
  all(): readonly Division[];
}

const divisionsFile = new URL('./divisions/shanghai.json', import.meta.url);

type JsonRow = [string, string, string, string | null];

function isLevel(value: string): value is DivisionLevel {
  return ['province', 'city', 'district', 'street', 'committee'].includes(value);
}

export function buildDivisionIndex(rows: readonly JsonRow[]): DivisionIndex {
  const byCode = new Map<string, Division>();
  const children = new Map<string, Division[]>();
  for (const [code, name, level, parentCode] of rows) {
    if (!isLevel(level) || divisionLevel(code) !== level) {
      throw new Error(
        `shanghai.json: division ${code} has level ${level}, its length says ${divisionLevel(code)}`,
      );
    }
    const division: Division = {
      code,
      name,
      level,
      parentCode,
      districtCode: code.length >= 6 ? code.slice(0, 6) : null,
    };
    byCode.set(code, division);
    if (parentCode) children.set(parentCode, [...(children.get(parentCode) ?? []), division]);
  }
  for (const list of children.values()) list.sort((a, b) => (a.code < b.code ? -1 : 1));
  const all = [...byCode.values()].sort((a, b) => (a.code < b.code ? -1 : 1));
  return {
    size: byCode.size,
    get: (code) => byCode.get(code),
    children: (code) => children.get(code) ?? [],
    all: () => all,
    path: (code) => {
      const division = byCode.get(code);
      if (!division) return undefined;
      const district = code.length >= 6 ? (byCode.get(code.slice(0, 6)) ?? null) : null;
      const street = code.length >= 9 ? (byCode.get(code.slice(0, 9)) ?? null) : null;
      const committee = code.length === 12 ? division : null;
      const names = [district, street, committee].flatMap((d) => (d ? [d.name] : []));
      return {
        code,
        level: division.level,
        district,
        street,
        committee,
        fullName: names.length > 0 ? names.join(' ') : division.name,
      };
    },
  };
}

let cached: DivisionIndex | undefined;

/** The index over shanghai.json, loaded once per process. */
export function divisionIndex(): DivisionIndex {
  if (!cached) {
    const parsed = JSON.parse(readFileSync(divisionsFile, 'utf8')) as { rows: JsonRow[] };
    cached = buildDivisionIndex(parsed.rows);
  }
  return cached;
}
