/**
 * SQL of the roster import: set-based look-ups for a whole file (one query each, the keys passed as one
 * JSON array parameter) and the COPY loads. Nothing here runs a query per row.
 */
import { sql } from 'drizzle-orm';
import type { Db, Session } from '../../db/store.ts';
import { selectRows } from '../../db/sql.ts';

export interface RegisteredPerson {
  idNumber: string;
  /** Committee of the person's current household, else of their residence: decides who may see more. */
  divisionCode: string;
  /** 户编号 of the person's current household, if any. */
  currentHouseholdNo: string | null;
}

/** Imports are serialized: two uploads of overlapping rosters must not both pass the duplicate checks. */
export async function lockImports(db: Db): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(hashtext('minzheng.registry.import'))`);
}

/**
 * Which of these 身份证号 are registered anywhere in the city (uniqueness is city-wide, across
 * districts), with each one's current household. Deliberately not scoped: a duplicate anywhere must
 * still block the import; the caller reveals only that the number is taken, unless the person lives
 * inside the caller's own scope.
 */
export async function findRegisteredPersons(
  db: Db,
  idNumbers: readonly string[],
): Promise<RegisteredPerson[]> {
  if (idNumbers.length === 0) return [];
  return selectRows<RegisteredPerson>(
    db,
    sql`with wanted as (select jsonb_array_elements_text(${JSON.stringify(idNumbers)}::jsonb) as id_number)
        select p.id_number as "idNumber", coalesce(h.committee_code, p.residence_division_code) as "divisionCode",
               h.household_no as "currentHouseholdNo"
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

/** A table's COPY columns, each with how a row gives its value: names and values cannot drift apart. */
type CopyColumns<T> = readonly (readonly [column: string, value: (row: T) => CsvValue])[];

function copyRows<T>(
  tx: Session,
  table: string,
  columns: CopyColumns<T>,
  rows: readonly T[],
): Promise<number> {
  function* chunks(): Generator<string> {
    for (let start = 0; start < rows.length; start += CHUNK_ROWS) {
      let chunk = '';
      for (const row of rows.slice(start, start + CHUNK_ROWS))
        chunk += `${columns.map(([, value]) => csvField(value(row))).join(',')}\n`;
      yield chunk;
    }
  }
  return tx.copyFrom(
    table,
    columns.map(([column]) => column),
    chunks(),
  );
}

const HOUSEHOLD_COPY: CopyColumns<HouseholdLoadRow> = [
  ['district_code', (r) => r.districtCode],
  ['id', (r) => r.id],
  ['household_no', (r) => r.householdNo],
  ['street_code', (r) => r.streetCode],
  ['committee_code', (r) => r.committeeCode],
  ['address', (r) => r.address],
  ['head_name', (r) => r.headName],
  ['head_initials', (r) => r.headInitials],
  ['monetary_assets_fen', (r) => r.monetaryAssetsFen],
  ['vehicles', (r) => r.vehicles],
  ['homes', (r) => r.homes],
  ['per_capita_floor_area_below_average', (r) => r.perCapitaFloorAreaBelowAverage],
];

const PERSON_COPY: CopyColumns<PersonLoadRow> = [
  ['district_code', (r) => r.districtCode],
  ['id', (r) => r.id],
  ['id_number', (r) => r.idNumber],
  ['name', (r) => r.name],
  ['name_initials', (r) => r.nameInitials],
  ['sex', (r) => r.sex],
  ['birth_date', (r) => r.birthDate],
  ['phone', (r) => r.phone],
  ['hukou_division_code', (r) => r.hukouDivisionCode],
  ['residence_division_code', (r) => r.residenceDivisionCode],
  ['disability_category', (r) => r.disabilityCategory],
  ['disability_grade', (r) => r.disabilityGrade],
  ['employed', (r) => r.employed],
  ['categories', (r) => textArray(r.categories)],
  ['wage_fen', (r) => r.wageFen],
  ['pension_fen', (r) => r.pensionFen],
  ['other_income_fen', (r) => r.otherIncomeFen],
];

const MEMBER_COPY: CopyColumns<MemberLoadRow> = [
  ['district_code', (r) => r.districtCode],
  ['household_id', (r) => r.householdId],
  ['person_id', (r) => r.personId],
  ['relation_code', (r) => r.relationCode],
  ['valid_from', (r) => r.validFrom],
  ['seq', (r) => r.seq],
];

/** A dated economic fact of the roster (economic_facts; src/registry/facts). */
export interface FactLoadRow {
  districtCode: string;
  subjectId: string;
  id: string;
  subjectType: 'person' | 'household';
  kind: string;
  category: string | null;
  amountFen: number | null;
  quantity: number | null;
  flag: boolean | null;
  disabilityCategory: number | null;
  disabilityGrade: number | null;
  validFrom: string;
  sourceKind: 'declared' | 'decision';
  sourceRef: string;
  recordedBy: string | null;
}

const FACT_COPY: CopyColumns<FactLoadRow> = [
  ['district_code', (r) => r.districtCode],
  ['subject_id', (r) => r.subjectId],
  ['id', (r) => r.id],
  ['subject_type', (r) => r.subjectType],
  ['kind', (r) => r.kind],
  ['category', (r) => r.category],
  ['amount_fen', (r) => r.amountFen],
  ['quantity', (r) => r.quantity],
  ['flag', (r) => r.flag],
  ['disability_category', (r) => r.disabilityCategory],
  ['disability_grade', (r) => r.disabilityGrade],
  ['valid_from', (r) => r.validFrom],
  ['source_kind', (r) => r.sourceKind],
  ['source_ref', (r) => r.sourceRef],
  ['recorded_by', (r) => r.recordedBy],
];

export const copyHouseholds = (tx: Session, rows: readonly HouseholdLoadRow[]) =>
  copyRows(tx, 'households', HOUSEHOLD_COPY, rows);
export const copyPersons = (tx: Session, rows: readonly PersonLoadRow[]) =>
  copyRows(tx, 'persons', PERSON_COPY, rows);
export const copyMembers = (tx: Session, rows: readonly MemberLoadRow[]) =>
  copyRows(tx, 'household_members', MEMBER_COPY, rows);
export const copyFacts = (tx: Session, rows: readonly FactLoadRow[]) =>
  copyRows(tx, 'economic_facts', FACT_COPY, rows);
