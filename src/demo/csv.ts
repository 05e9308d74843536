import { HEAD_RELATION } from '../registry/codes.ts';
import { FACT_COPY_COLUMNS } from '../registry/facts/facts.repository.ts';
import { demoAuthorisationFile } from './demo-authorisation.ts';
import type { GeneratedHousehold, GeneratedPerson } from './population.types.ts';

/**
 * CSV text of the population tables (the registry, its facts, the 低保 households' authorisations), as COPY ... WITH (FORMAT csv) reads it: empty unquoted
 * field = NULL, booleans t/f, arrays as PostgreSQL array literals. Column lists are the table
 * columns minus created_at/updated_at (their defaults apply), so the bytes depend only on the run's
 * options.
 */
export const HOUSEHOLD_COLUMNS = [
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
  'medical_expense_annual_fen',
  'education_expense_annual_fen',
] as const;

export const PERSON_COLUMNS = [
  'district_code',
  'id',
  'id_number',
  'name',
  'name_initials',
  'sex',
  'birth_date',
  'death_date',
  'ethnicity',
  'marital_status',
  'phone',
  'hukou_division_code',
  'residence_division_code',
  'disability_category',
  'disability_grade',
  'employed',
  'serious_illness',
  'has_supporter',
  'categories',
  'wage_fen',
  'pension_fen',
  'other_income_fen',
] as const;

export const MEMBER_COLUMNS = [
  'district_code',
  'household_id',
  'person_id',
  'relation_code',
  'valid_from',
  'valid_to',
  'end_reason',
  'seq',
] as const;

/** economic_facts: the COPY columns the facts module names (recorded_at and the rest default). */
export const FACT_COLUMNS = FACT_COPY_COLUMNS;

/** attachments: the signed 授权书 of each 低保 household (the one sample file, demo-authorisation.ts). */
export const ATTACHMENT_COLUMNS = [
  'district_code',
  'id',
  'entity_type',
  'entity_id',
  'kind',
  'name',
  'sha256',
  'uploaded_by',
  'uploaded_at',
] as const;

/** verification_authorisations: the standing authorisation of each 低保 household. */
export const AUTHORISATION_COLUMNS = [
  'district_code',
  'id',
  'household_id',
  'purpose',
  'person_ids',
  'signed_on',
  'valid_until',
  'standing',
  'attachment_id',
  'created_by',
  'created_at',
] as const;

export type PopulationTable =
  | 'households'
  | 'persons'
  | 'household_members'
  | 'economic_facts'
  | 'attachments'
  | 'verification_authorisations';

export const TABLE_COLUMNS: Record<PopulationTable, readonly string[]> = {
  households: HOUSEHOLD_COLUMNS,
  persons: PERSON_COLUMNS,
  household_members: MEMBER_COLUMNS,
  economic_facts: FACT_COLUMNS,
  attachments: ATTACHMENT_COLUMNS,
  verification_authorisations: AUTHORISATION_COLUMNS,
};

export const POPULATION_TABLES: readonly PopulationTable[] = [
  'households',
  'persons',
  'household_members',
  'economic_facts',
  'attachments',
  'verification_authorisations',
];

/**
 * The tables whose indexes a bulk load drops and rebuilds: the large ones. Attachments and authorisations
 * (about one household in a hundred) are shared with users' own records and keep their indexes.
 */
export const BULK_TABLES: readonly PopulationTable[] = [
  'households',
  'persons',
  'household_members',
  'economic_facts',
];

/** A text field: quoted only when it must be (never empty here, since empty unquoted is NULL). */
function text(value: string): string {
  return value === '' || /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

const nullable = (value: string | number | null): string => (value === null ? '' : String(value));
const bool = (value: boolean): string => (value ? 't' : 'f');

export function householdRow(h: GeneratedHousehold): string {
  const head = h.members.find((m) => m.relationCode === HEAD_RELATION)?.person;
  const headName = head ? `${text(head.name)},${text(head.nameInitials)}` : ',';
  return `${h.districtCode},${h.id},${text(h.householdNo)},${h.streetCode},${h.committeeCode},${text(h.address)},${headName},${h.monetaryAssetsFen},${h.vehicles},${h.homes},${bool(h.perCapitaFloorAreaBelowAverage)},${h.medicalExpenseAnnualFen},${h.educationExpenseAnnualFen}\n`;
}

function personRow(districtCode: string, p: GeneratedPerson, deathDate: string | null): string {
  const categories = p.categories.length === 0 ? '{}' : text(`{${p.categories.join(',')}}`);
  // The undated columns are the projection of the facts for the month after the as-of date: the dead have
  // none left.
  if (deathDate !== null) {
    return `${districtCode},${p.id},${p.idNumber},${text(p.name)},${text(p.nameInitials)},${p.sex},${p.birthDate},${deathDate},${nullable(p.ethnicity)},${nullable(p.maritalStatus)},${nullable(p.phone)},${p.hukouDivisionCode},${p.residenceDivisionCode},,,f,f,t,{},0,0,0\n`;
  }
  return `${districtCode},${p.id},${p.idNumber},${text(p.name)},${text(p.nameInitials)},${p.sex},${p.birthDate},,${nullable(p.ethnicity)},${nullable(p.maritalStatus)},${nullable(p.phone)},${p.hukouDivisionCode},${p.residenceDivisionCode},${nullable(p.disabilityCategory)},${nullable(p.disabilityGrade)},${bool(p.employed)},${bool(p.seriousIllness)},${bool(p.hasSupporter)},${categories},${p.wageFen},${p.pensionFen},${p.otherIncomeFen}\n`;
}

export function personRows(h: GeneratedHousehold): string {
  let out = '';
  for (const { person: p } of h.members) out += personRow(h.districtCode, p, null);
  for (const { person: p } of h.former) out += personRow(h.districtCode, p, p.deathDate);
  return out;
}

export function memberRows(h: GeneratedHousehold): string {
  let out = '';
  for (const m of h.members) {
    out += `${h.districtCode},${h.id},${m.person.id},${m.relationCode},${m.validFrom},,,${m.seq}\n`;
  }
  for (const m of h.former) {
    out += `${h.districtCode},${h.id},${m.person.id},${m.relationCode},${m.validFrom},${m.validTo},${m.endReason},${m.seq}\n`;
  }
  for (const m of h.pastMemberships) {
    out += `${h.districtCode},${m.householdId},${m.personId},${m.relationCode},${m.validFrom},${m.validTo},${m.endReason},${m.seq}\n`;
  }
  return out;
}

/** economic_facts rows (FACT_COPY_COLUMNS order); the source references are plain text without commas. */
export function factRows(h: GeneratedHousehold): string {
  let out = '';
  for (const f of h.facts) {
    out += `${h.districtCode},${f.subjectId},${f.id},${f.subjectType},${f.kind},${nullable(f.category)},${nullable(f.amountFen)},${nullable(f.quantity)},${f.flag === null ? '' : bool(f.flag)},${nullable(f.disabilityCategory)},${nullable(f.disabilityGrade)},${f.validFrom},${nullable(f.validTo)},${f.sourceKind},${text(f.sourceRef)},\n`;
  }
  return out;
}

/** The 低保 household's signed 授权书 as its attachment (uploaded on the signing day, by nobody signed in). */
export function attachmentRows(h: GeneratedHousehold): string {
  const a = h.authorisation;
  if (!a) return '';
  const file = demoAuthorisationFile();
  return `${h.districtCode},${a.attachmentId},household,${h.id},authorisation,${text(file.name)},${file.sha256},,${a.signedOn} 09:00:00+08\n`;
}

export function authorisationRows(h: GeneratedHousehold): string {
  const a = h.authorisation;
  if (!a || a.personIds.length === 0) return '';
  return `${h.districtCode},${a.id},${h.id},dibao,"{${a.personIds.join(',')}}",${a.signedOn},,t,${a.attachmentId},,${a.signedOn} 09:00:00+08\n`;
}

export const ROW_WRITERS: Record<PopulationTable, (h: GeneratedHousehold) => string> = {
  households: householdRow,
  persons: personRows,
  household_members: memberRows,
  economic_facts: factRows,
  attachments: attachmentRows,
  verification_authorisations: authorisationRows,
};

export function headerLine(table: PopulationTable): string {
  return `${TABLE_COLUMNS[table].join(',')}\n`;
}

/** Room past a chunk's size for the rows that complete it (one household is a few kilobytes). */
const CHUNK_SLACK_BYTES = 64 * 1024;

/**
 * Accumulates rows as UTF-8 bytes and hands out chunks of about `chunkBytes`, each ending on a row.
 * Encoding row by row into a buffer avoids joining many small strings (which made the garbage
 * collector the main cost of a large run). A chunk is handed out as the buffer it was written in
 * (no copy) and a new buffer is started; each buffer owns its ArrayBuffer (never a slice of Node's
 * shared pool), so a worker can transfer a chunk to another thread without copying it either.
 */
export class ChunkBuffer {
  private buffer: Buffer;
  private used = 0;

  constructor(private readonly chunkBytes = 1 << 20) {
    this.buffer = Buffer.allocUnsafeSlow(chunkBytes + CHUNK_SLACK_BYTES);
  }

  /** Adds rows; returns a full chunk when one is ready. */
  add(rows: string): Buffer | undefined {
    // A UTF-8 character takes at most 3 bytes per UTF-16 unit.
    const room = this.used + rows.length * 3;
    if (room > this.buffer.length) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(room, this.buffer.length * 2));
      this.buffer.copy(bigger, 0, 0, this.used);
      this.buffer = bigger;
    }
    this.used += this.buffer.write(rows, this.used, 'utf8');
    return this.used >= this.chunkBytes ? this.take() : undefined;
  }

  /** The rows held so far (undefined when empty); the next rows go to a new buffer. */
  take(): Buffer | undefined {
    if (this.used === 0) return undefined;
    const chunk = this.buffer.subarray(0, this.used);
    this.buffer = Buffer.allocUnsafeSlow(this.chunkBytes + CHUNK_SLACK_BYTES);
    this.used = 0;
    return chunk;
  }
}
