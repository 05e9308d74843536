/**
 * Checks across rows: 身份证号 unique in the file, every household with exactly one head (02), and the
 * household columns agreeing between the rows of one household.
 */
import { COLUMN_BY_KEY, type ColumnKey } from './columns.ts';
import { HEAD_RELATION } from './code-names.ts';
import { formatFen } from './fields.ts';
import type { ImportIssue } from './report.ts';
import type { HouseholdFields, RosterPerson } from './roster-rows.ts';

export interface RosterHousehold {
  householdNo: string;
  districtCode: string;
  streetCode: string;
  committeeCode: string;
  address: string;
  monetaryAssetsFen: number;
  vehicles: number;
  homes: number;
  floorAreaBelowAverage: boolean;
  /** In file order; the order becomes household_members.seq. */
  members: RosterPerson[];
}

const HOUSEHOLD_COLUMNS: Record<keyof HouseholdFields, ColumnKey> = {
  committeeCode: 'committee',
  address: 'address',
  monetaryAssetsFen: 'monetaryAssets',
  vehicles: 'vehicles',
  homes: 'homes',
  floorAreaBelowAverage: 'floorAreaBelowAverage',
};

/**
 * Groups valid rows into households. `incomplete` holds the 户编号 of rows that failed row validation:
 * their household is not checked for a head (the head's row may be the one that failed), to avoid
 * reporting a consequence as a second error.
 */
export function groupHouseholds(
  persons: readonly RosterPerson[],
  incomplete: ReadonlySet<string>,
  addIssue: (issue: ImportIssue) => void,
): RosterHousehold[] {
  const firstRowById = new Map<string, number>();
  const groups = new Map<string, RosterPerson[]>();
  for (const person of persons) {
    const seen = firstRowById.get(person.idNumber);
    if (seen !== undefined) {
      addIssue({
        row: person.row,
        column: COLUMN_BY_KEY.idNumber.header,
        value: person.idNumber,
        reason: `身份证号在文件中重复（第 ${seen} 行已有）`,
      });
      continue;
    }
    firstRowById.set(person.idNumber, person.row);
    const group = groups.get(person.householdNo);
    if (group) group.push(person);
    else groups.set(person.householdNo, [person]);
  }

  const households: RosterHousehold[] = [];
  for (const [householdNo, members] of groups) {
    const household = mergeHousehold(householdNo, members, incomplete.has(householdNo), addIssue);
    if (household) households.push(household);
  }
  return households;
}

/** A household value as the user wrote it (yuan, 是/否). */
function show(field: keyof HouseholdFields, value: string | number | boolean): string {
  if (typeof value === 'boolean') return value ? '是' : '否';
  return field === 'monetaryAssetsFen' && typeof value === 'number' ? formatFen(value) : String(value);
}

function mergeHousehold(
  householdNo: string,
  members: RosterPerson[],
  incomplete: boolean,
  addIssue: (issue: ImportIssue) => void,
): RosterHousehold | undefined {
  let ok = true;
  const merged: Partial<Record<keyof HouseholdFields, { value: string | number | boolean; row: number }>> =
    {};
  for (const member of members) {
    for (const field of Object.keys(HOUSEHOLD_COLUMNS) as (keyof HouseholdFields)[]) {
      const value = member.household[field];
      if (value === null) continue;
      const first = merged[field];
      if (first === undefined) merged[field] = { value, row: member.row };
      else if (first.value !== value) {
        ok = false;
        addIssue({
          row: member.row,
          column: COLUMN_BY_KEY[HOUSEHOLD_COLUMNS[field]].header,
          value: show(field, value),
          reason: `同一户（${householdNo}）各行须一致：第 ${first.row} 行为“${show(field, first.value)}”`,
        });
      }
    }
  }
  const heads = members.filter((m) => m.relationCode === HEAD_RELATION);
  const relationHeader = COLUMN_BY_KEY.relation.header;
  if (heads.length > 1) {
    ok = false;
    for (const extra of heads.slice(1)) {
      addIssue({
        row: extra.row,
        column: relationHeader,
        value: extra.relationCode,
        reason: `户 ${householdNo} 有多名户主（第 ${heads[0]!.row} 行已是户主）：每户有且只有一名户主`,
      });
    }
  }
  if (incomplete) return undefined;
  if (heads.length === 0) {
    ok = false;
    addIssue({
      row: members[0]!.row,
      column: relationHeader,
      value: householdNo,
      reason: `户 ${householdNo} 没有户主（与户主关系 02）：每户有且只有一名户主`,
    });
  }
  const committee = merged.committeeCode?.value;
  if (typeof committee !== 'string') {
    ok = false;
    addIssue({
      row: members[0]!.row,
      column: COLUMN_BY_KEY.committee.header,
      value: '',
      reason: `户 ${householdNo} 未填写居住地居委会代码`,
    });
  }
  if (!ok || typeof committee !== 'string') return undefined;
  const pick = <T>(field: keyof HouseholdFields, fallback: T): T =>
    (merged[field]?.value as T | undefined) ?? fallback;
  return {
    householdNo,
    districtCode: committee.slice(0, 6),
    streetCode: committee.slice(0, 9),
    committeeCode: committee,
    address: pick('address', ''),
    monetaryAssetsFen: pick('monetaryAssetsFen', 0),
    vehicles: pick('vehicles', 0),
    homes: pick('homes', 1),
    floorAreaBelowAverage: pick('floorAreaBelowAverage', false),
    members,
  };
}
