/**
 * SQL of the roster import: set-based look-ups for a whole file (one query each, the keys passed as one
 * JSON array parameter) and the COPY loads. Nothing here runs a query per row.
 */
import { sql } from 'drizzle-orm';
import type { Db, Session } from '../../db/store.ts';
import { selectRows } from '../../db/sql.ts';

export interface RegisteredPerson {
  idNumber: string;
  districtCode: string;
  /** 户编号 of the person's current household, if any. */
  currentHouseholdNo: string | null;
}

/** Imports are serialized: two uploads of overlapping rosters must not both pass the duplicate checks. */
export async function lockImports(db: Db): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(hashtext('minzheng.registry.import'))`);
}

/**
 * Which of these 身份证号 are registered anywhere in the city (uniqueness is city-wide, across
 * districts), with each one's current household. Deliberately not scoped: a duplicate in another
 * district must still block the import; the caller reveals only that the number is taken.
 */
export async function findRegisteredPersons(
  db: Db,
  idNumbers: readonly string[],
): Promise<RegisteredPerson[]> {
  if (idNumbers.length === 0) return [];
  return selectRows<RegisteredPerson>(
    db,
    sql`with wanted as (select jsonb_array_elements_text(${JSON.stringify(idNumbers)}::jsonb) as id_number)
        select p.id_number as "idNumber", p.district_code as "districtCode", h.household_no as "currentHouseholdNo"
        from persons p
        join wanted w on w.id_number = p.id_number
        left join household_members m
          on m.district_code = p.district_code and m.person_id = p.id and m.valid_to is null
        left join households h on h.district_code = m.district_code and h.id = m.household_id`,
  );
}

/** Which of these (district, 户编号) pairs already exist. */
export async function findExistingHouseholdNos(
  db: Db,
  keys: readonly { districtCode: string; householdNo: string }[],
): Promise<{ districtCode: string; householdNo: string }[]> {
  if (keys.length === 0) return [];
  const json = JSON.stringify(keys.map((k) => [k.districtCode, k.householdNo]));
  return selectRows(
    db,
    sql`with wanted as (
          select x->>0 as district_code, x->>1 as household_no from jsonb_array_elements(${json}::jsonb) as x)
        select h.district_code as "districtCode", h.household_no as "householdNo"
        from households h
        join wanted w on w.district_code = h.district_code and w.household_no = h.household_no`,
  );
}

export interface HouseholdLoadRow {
  districtCode: string;
  id: string;
  householdNo: string;
  streetCode: string;
  committeeCode: string;
  address: string;
  headName: string | null;
  headInitials: string | null;
  monetaryAssetsFen: number;
  vehicles: number;
  homes: number;
  perCapitaFloorAreaBelowAverage: boolean;
}

export interface PersonLoadRow {
  districtCode: string;
  id: string;
  idNumber: string;
  name: string;
  nameInitials: string;
  sex: number;
  birthDate: string;
  phone: string | null;
  hukouDivisionCode: string;
  residenceDivisionCode: string;
  disabilityCategory: number | null;
  disabilityGrade: number | null;
  employed: boolean;
  categories: readonly string[];
  wageFen: number;
  pensionFen: number;
  otherIncomeFen: number;
}

export interface MemberLoadRow {
  districtCode: string;
  householdId: string;
  personId: string;
  relationCode: string;
  validFrom: string;
  seq: number;
}

type CsvValue = string | number | boolean | null;

/** One COPY csv field: null is an unquoted empty field (NULL); every string is quoted. */
function csvField(value: CsvValue): string {
  if (value === null) return '';
  if (typeof value === 'string') return `"${value.replaceAll('"', '""')}"`;
  return String(value);
}

/** PostgreSQL text[] literal; category codes are plain identifiers, quoted anyway. */
function textArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(',')}}`;
}

const CHUNK_ROWS = 2000;

function* csvChunks<T>(rows: readonly T[], fields: (row: T) => CsvValue[]): Generator<string> {
  for (let start = 0; start < rows.length; start += CHUNK_ROWS) {
    let chunk = '';
    for (const row of rows.slice(start, start + CHUNK_ROWS))
      chunk += `${fields(row).map(csvField).join(',')}\n`;
    yield chunk;
  }
}

export function copyHouseholds(tx: Session, rows: readonly HouseholdLoadRow[]): Promise<number> {
  return tx.copyFrom(
    'households',
    [
      'district_code',
      'id',
      'household_no',
      'street_code',
      'committee_code',
      'address',
      'head_name',
      'head_initials',
      'monetary_assets_fen',
      'vehicles',
      'homes',
      'per_capita_floor_area_below_average',
    ],
    csvChunks(rows, (r) => [
      r.districtCode,
      r.id,
      r.householdNo,
      r.streetCode,
      r.committeeCode,
      r.address,
      r.headName,
      r.headInitials,
      r.monetaryAssetsFen,
      r.vehicles,
      r.homes,
      r.perCapitaFloorAreaBelowAverage,
    ]),
  );
}

export function copyPersons(tx: Session, rows: readonly PersonLoadRow[]): Promise<number> {
  return tx.copyFrom(
    'persons',
    [
      'district_code',
      'id',
      'id_number',
      'name',
      'name_initials',
      'sex',
      'birth_date',
      'phone',
      'hukou_division_code',
      'residence_division_code',
      'disability_category',
      'disability_grade',
      'employed',
      'categories',
      'wage_fen',
      'pension_fen',
      'other_income_fen',
    ],
    csvChunks(rows, (r) => [
      r.districtCode,
      r.id,
      r.idNumber,
      r.name,
      r.nameInitials,
      r.sex,
      r.birthDate,
      r.phone,
      r.hukouDivisionCode,
      r.residenceDivisionCode,
      r.disabilityCategory,
      r.disabilityGrade,
      r.employed,
      textArray(r.categories),
      r.wageFen,
      r.pensionFen,
      r.otherIncomeFen,
    ]),
  );
}

export function copyMembers(tx: Session, rows: readonly MemberLoadRow[]): Promise<number> {
  return tx.copyFrom(
    'household_members',
    ['district_code', 'household_id', 'person_id', 'relation_code', 'valid_from', 'seq'],
    csvChunks(rows, (r) => [r.districtCode, r.householdId, r.personId, r.relationCode, r.validFrom, r.seq]),
  );
}
