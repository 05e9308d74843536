import type { Category, PolicyHousehold, PolicyHouseholdInput } from '../household.ts';
import { CATEGORIES, DISABILITY_KINDS } from '../household.ts';

/** Member flag bits. */
export const FLAG_SERIOUS_ILLNESS = 1;
export const FLAG_EMPLOYED = 2;
export const FLAG_HAS_SUPPORTER = 4;

/** Category bits, in CATEGORIES order. */
export const CAT: Readonly<Record<Category, number>> = Object.fromEntries(
  CATEGORIES.map((c, i) => [c, 1 << i]),
) as Record<Category, number>;

/**
 * A population as struct-of-arrays: household columns indexed by household, person columns indexed by
 * person, members of household h at persons [memberStart[h], memberStart[h+1]). Money columns are
 * Float64Array holding whole fen (exact up to 2^53 − 1, which validation enforces).
 */
export interface Population {
  readonly householdCount: number;
  readonly personCount: number;
  readonly memberStart: Int32Array;
  readonly assets: Float64Array;
  readonly vehicles: Float64Array;
  readonly homes: Float64Array;
  readonly smallArea: Uint8Array;
  readonly medical: Float64Array;
  readonly education: Float64Array;
  readonly tempMonths: Float64Array;
  readonly renovation: Float64Array;
  /** Birth date as yyyymmdd. */
  readonly birth: Int32Array;
  readonly shanghai: Uint8Array;
  readonly wage: Float64Array;
  readonly pension: Float64Array;
  readonly other: Float64Array;
  /** Disability grade 1–4, 0 = none. */
  readonly grade: Uint8Array;
  /** Index into DISABILITY_KINDS + 1, 0 = none. */
  readonly kind: Uint8Array;
  readonly flags: Uint8Array;
  readonly categories: Uint8Array;
  /** Member ids (kept for single households and byMember output; null in large batches). */
  readonly memberIds: string[] | null;
  /**
   * Optional area code per household (区划代码: a district, street or 居委会, as the source chooses), the
   * label totals are grouped by; null when the source has none.
   */
  readonly area: string[] | null;
}

/** Copies a column into a new one of exactly `capacity` elements. */
function grow<T extends Float64Array | Int32Array | Uint8Array>(a: T, capacity: number): T {
  const next = new (a.constructor as new (n: number) => T)(capacity);
  next.set(a);
  return next;
}

/** Grows by half, not double, to keep the 1,000,000-household batch's peak memory down. */
function nextCapacity(current: number, needed: number): number {
  return Math.max(needed, Math.ceil(current * 1.5));
}

function birthKey(date: string): number {
  // validated YYYY-MM-DD
  return (
    (date.charCodeAt(0) - 48) * 10000000 +
    (date.charCodeAt(1) - 48) * 1000000 +
    (date.charCodeAt(2) - 48) * 100000 +
    (date.charCodeAt(3) - 48) * 10000 +
    (date.charCodeAt(5) - 48) * 1000 +
    (date.charCodeAt(6) - 48) * 100 +
    (date.charCodeAt(8) - 48) * 10 +
    (date.charCodeAt(9) - 48)
  );
}

/** Builds a Population from validated households, growing its typed arrays as it goes. */
export class PopulationBuilder {
  private h = 0;
  private p = 0;
  private memberStart = new Int32Array(1025);
  private assets: Float64Array;
  private vehicles: Float64Array;
  private homes: Float64Array;
  private smallArea: Uint8Array;
  private medical: Float64Array;
  private education: Float64Array;
  private tempMonths: Float64Array;
  private renovation: Float64Array;
  private birth: Int32Array;
  private shanghai: Uint8Array;
  private wage: Float64Array;
  private pension: Float64Array;
  private other: Float64Array;
  private grade: Uint8Array;
  private kind: Uint8Array;
  private flags: Uint8Array;
  private categories: Uint8Array;
  private readonly memberIds: string[] | null;
  private area: string[] | null = null;

  constructor(options: { keepMemberIds?: boolean; households?: number; persons?: number } = {}) {
    const hc = Math.max(1, options.households ?? 1024);
    const pc = Math.max(1, options.persons ?? hc * 3);
    this.memberStart = new Int32Array(hc + 1);
    this.assets = new Float64Array(hc);
    this.vehicles = new Float64Array(hc);
    this.homes = new Float64Array(hc);
    this.smallArea = new Uint8Array(hc);
    this.medical = new Float64Array(hc);
    this.education = new Float64Array(hc);
    this.tempMonths = new Float64Array(hc);
    this.renovation = new Float64Array(hc);
    this.birth = new Int32Array(pc);
    this.shanghai = new Uint8Array(pc);
    this.wage = new Float64Array(pc);
    this.pension = new Float64Array(pc);
    this.other = new Float64Array(pc);
    this.grade = new Uint8Array(pc);
    this.kind = new Uint8Array(pc);
    this.flags = new Uint8Array(pc);
    this.categories = new Uint8Array(pc);
    this.memberIds = (options.keepMemberIds ?? true) ? [] : null;
  }

  get householdCount(): number {
    return this.h;
  }

  /** Adds one validated household (defaults applied here, so omitted fields cost nothing). */
  add(hh: PolicyHouseholdInput | PolicyHousehold, area?: string): void {
    const h = this.h;
    if (h >= this.assets.length) this.growHouseholds(nextCapacity(this.assets.length, h + 1));
    this.assets[h] = hh.monetaryAssetsFen ?? 0;
    this.vehicles[h] = hh.vehicles ?? 0;
    this.homes[h] = hh.homes ?? 1;
    this.smallArea[h] = hh.perCapitaFloorAreaBelowAverage === true ? 1 : 0;
    this.medical[h] = hh.medicalExpenseAnnualFen ?? 0;
    this.education[h] = hh.educationExpenseAnnualFen ?? 0;
    this.tempMonths[h] = hh.temporaryAssistanceMonths ?? 0;
    this.renovation[h] = hh.renovationCostFen ?? 0;
    if (area !== undefined) {
      this.area ??= new Array<string>(h).fill('');
      this.area.push(area);
    } else if (this.area) this.area.push('');
    const members = hh.members;
    let p = this.p;
    if (p + members.length > this.birth.length)
      this.growPersons(nextCapacity(this.birth.length, p + members.length));
    for (const m of members) {
      this.birth[p] = birthKey(m.birthDate);
      this.shanghai[p] = m.hukou === 'other' ? 0 : 1;
      this.wage[p] = m.wageFen ?? 0;
      this.pension[p] = m.pensionFen ?? 0;
      this.other[p] = m.otherIncomeFen ?? 0;
      this.grade[p] = m.disabilityGrade ?? 0;
      this.kind[p] = m.disabilityKind == null ? 0 : DISABILITY_KINDS.indexOf(m.disabilityKind) + 1;
      this.flags[p] =
        (m.seriousIllness === true ? FLAG_SERIOUS_ILLNESS : 0) |
        (m.employed === true ? FLAG_EMPLOYED : 0) |
        (m.hasSupporter === false ? 0 : FLAG_HAS_SUPPORTER);
      let cats = 0;
      if (m.categories) for (const c of m.categories) cats |= CAT[c];
      this.categories[p] = cats;
      if (this.memberIds) this.memberIds.push(m.id);
      p++;
    }
    this.p = p;
    this.h = h + 1;
    this.memberStart[h + 1] = p;
  }

  /**
   * Empties the builder and keeps its columns for the next block of a streamed batch (no allocation per
   * block). A Population built before shares those columns: it is overwritten by the next adds.
   */
  reset(): void {
    this.h = 0;
    this.p = 0;
    if (this.memberIds) this.memberIds.length = 0;
    this.area = null;
  }

  /** Every household column gets the same capacity (memberStart one more). */
  private growHouseholds(size: number): void {
    this.memberStart = grow(this.memberStart, size + 1);
    this.assets = grow(this.assets, size);
    this.vehicles = grow(this.vehicles, size);
    this.homes = grow(this.homes, size);
    this.smallArea = grow(this.smallArea, size);
    this.medical = grow(this.medical, size);
    this.education = grow(this.education, size);
    this.tempMonths = grow(this.tempMonths, size);
    this.renovation = grow(this.renovation, size);
  }

  private growPersons(size: number): void {
    this.birth = grow(this.birth, size);
    this.shanghai = grow(this.shanghai, size);
    this.wage = grow(this.wage, size);
    this.pension = grow(this.pension, size);
    this.other = grow(this.other, size);
    this.grade = grow(this.grade, size);
    this.kind = grow(this.kind, size);
    this.flags = grow(this.flags, size);
    this.categories = grow(this.categories, size);
  }

  build(): Population {
    const H = this.h;
    const N = this.p;
    const cut = <T extends Float64Array | Int32Array | Uint8Array>(a: T, n: number): T =>
      a.length === n ? a : (a.subarray(0, n) as T);
    return {
      householdCount: H,
      personCount: N,
      memberStart: cut(this.memberStart, H + 1),
      assets: cut(this.assets, H),
      vehicles: cut(this.vehicles, H),
      homes: cut(this.homes, H),
      smallArea: cut(this.smallArea, H),
      medical: cut(this.medical, H),
      education: cut(this.education, H),
      tempMonths: cut(this.tempMonths, H),
      renovation: cut(this.renovation, H),
      birth: cut(this.birth, N),
      shanghai: cut(this.shanghai, N),
      wage: cut(this.wage, N),
      pension: cut(this.pension, N),
      other: cut(this.other, N),
      grade: cut(this.grade, N),
      kind: cut(this.kind, N),
      flags: cut(this.flags, N),
      categories: cut(this.categories, N),
      memberIds: this.memberIds,
      area: this.area,
    };
  }
}

export function populationOf(households: readonly (PolicyHouseholdInput | PolicyHousehold)[]): Population {
  let persons = 0;
  for (const hh of households) persons += hh.members.length;
  const b = new PopulationBuilder({ households: households.length, persons });
  for (const hh of households) b.add(hh);
  return b.build();
}

const owners = new WeakMap<Population, Int32Array>();

/** Person → household index, built once per population (for flat, sparse per-household sums). */
export function householdOfPerson(pop: Population): Int32Array {
  let owner = owners.get(pop);
  if (!owner) {
    owner = new Int32Array(pop.personCount);
    const ms = pop.memberStart;
    for (let h = 0; h < pop.householdCount; h++) owner.fill(h, ms[h], ms[h + 1]);
    owners.set(pop, owner);
  }
  return owner;
}

/** The household columns of a Population (memberStart apart), and its person columns. */
export const HOUSEHOLD_COLUMNS = [
  'assets',
  'vehicles',
  'homes',
  'smallArea',
  'medical',
  'education',
  'tempMonths',
  'renovation',
] as const;
export const PERSON_COLUMNS = [
  'birth',
  'shanghai',
  'wage',
  'pension',
  'other',
  'grade',
  'kind',
  'flags',
  'categories',
] as const;
export type ColumnName = (typeof HOUSEHOLD_COLUMNS)[number] | (typeof PERSON_COLUMNS)[number] | 'memberStart';
type Column = Float64Array | Int32Array | Uint8Array;

/** A part of a population (a file range read by a worker); concatenation empties its columns as it goes. */
export interface PopulationPart {
  readonly householdCount: number;
  readonly personCount: number;
  readonly columns: Partial<Record<ColumnName, Column>>;
  readonly memberIds: string[] | null;
}

function joined<T extends Column>(parts: readonly PopulationPart[], name: ColumnName, size: number): T {
  let out: T | undefined;
  let at = 0;
  for (const part of parts) {
    const column = part.columns[name] as T | undefined;
    if (!column) throw new Error(`人口分段缺少列 ${name}`);
    out ??= new (column.constructor as new (n: number) => T)(size);
    out.set(column, at);
    at += column.length;
    // the part's copy goes as soon as it is copied: the parts and the whole are never all held at once
    delete part.columns[name];
  }
  return out ?? (new Float64Array(0) as T);
}

/** The parts one after another as one Population (households in order; no areas). */
export function concatPopulations(parts: readonly PopulationPart[]): Population {
  let H = 0;
  let N = 0;
  for (const part of parts) {
    H += part.householdCount;
    N += part.personCount;
  }
  const memberStart = new Int32Array(H + 1);
  let h = 0;
  let persons = 0;
  for (const part of parts) {
    const ms = part.columns.memberStart as Int32Array;
    for (let i = 1; i <= part.householdCount; i++) memberStart[h + i] = (ms[i] as number) + persons;
    h += part.householdCount;
    persons += part.personCount;
    delete part.columns.memberStart;
  }
  const household = Object.fromEntries(HOUSEHOLD_COLUMNS.map((c) => [c, joined(parts, c, H)]));
  const person = Object.fromEntries(PERSON_COLUMNS.map((c) => [c, joined(parts, c, N)]));
  const memberIds = parts.every((p) => p.memberIds) ? parts.flatMap((p) => p.memberIds ?? []) : null;
  return {
    householdCount: H,
    personCount: N,
    memberStart,
    ...(household as Pick<Population, (typeof HOUSEHOLD_COLUMNS)[number]>),
    ...(person as Pick<Population, (typeof PERSON_COLUMNS)[number]>),
    memberIds,
    area: null,
  };
}

/** A Population's columns as a part (for moving it between threads). */
export function populationPart(pop: Population): PopulationPart {
  const columns: Partial<Record<ColumnName, Column>> = { memberStart: pop.memberStart };
  for (const c of HOUSEHOLD_COLUMNS) columns[c] = pop[c];
  for (const c of PERSON_COLUMNS) columns[c] = pop[c];
  return {
    householdCount: pop.householdCount,
    personCount: pop.personCount,
    columns,
    memberIds: pop.memberIds,
  };
}
