import type { PolicyHousehold, PolicyMember } from '../policy/household.ts';
import { DISABILITY_KIND_BY_CATEGORY, isDisabilityCategory, isDisabilityGrade } from './codes.ts';
import { categoryList, householdFiguresOf } from './facts/facts.repository.ts';
import { FIELD_SEPARATOR, MEMBER_SEPARATOR, type PolicyInputRow } from './policy-input.repository.ts';

/**
 * The bulk path's reading of policy-input.repository.ts's packed members text. A million households carry
 * over two million members of sixteen fields each: the text is read field by field with a cursor, numbers
 * parsed in place, so that a member costs its output object and a few strings rather than sixteen.
 */

const ZERO = 48;
const ONE = 49;

/** A cursor over one packed text; separators are found with indexOf (native), digits read in place. */
class Fields {
  position = 0;
  /** The end of the current member: its ';' or the end of the text. */
  private memberEnd = -1;
  constructor(readonly text: string) {}

  get done(): boolean {
    return this.position >= this.text.length;
  }

  /** Starts the member at the cursor. */
  member(): void {
    const end = this.text.indexOf(MEMBER_SEPARATOR, this.position);
    this.memberEnd = end < 0 ? this.text.length : end;
  }

  /** The end of the field at the cursor: the next '|' of the member, or the member's end. */
  private end(): number {
    const end = this.text.indexOf(FIELD_SEPARATOR, this.position);
    return end < 0 || end > this.memberEnd ? this.memberEnd : end;
  }

  string(): string {
    const end = this.end();
    const value = this.text.slice(this.position, end);
    this.position = end + 1;
    return value;
  }

  /** A whole number ≥ 0, or null for an empty field. */
  number(): number | null {
    const end = this.end();
    let value = 0;
    for (let i = this.position; i < end; i++) value = value * 10 + (this.text.charCodeAt(i) - ZERO);
    const empty = end === this.position;
    this.position = end + 1;
    return empty ? null : value;
  }

  /** '1' is true. */
  flag(): boolean {
    const value = this.text.charCodeAt(this.position) === ONE;
    this.position = this.end() + 1;
    return value;
  }

  /** Past the rest of the current member. */
  skipMember(): void {
    this.position = this.memberEnd + 1;
  }
}

/** The member at the cursor after its first five fields, as the engine's member. */
function readMember(fields: Fields, id: string, birthDate: string): PolicyMember {
  fields.number(); // seq, read by the caller before
  const hukou = fields.string();
  const wageFen = fields.number() ?? 0;
  const pensionFen = fields.number() ?? 0;
  const otherIncomeFen = fields.number() ?? 0;
  const category = fields.number();
  const grade = fields.number();
  const employed = fields.flag();
  const seriousIllness = fields.flag();
  const hasSupporter = fields.flag();
  const categories = categoryList(fields.string());
  return {
    id,
    birthDate,
    hukou: hukou === '31' ? 'shanghai' : 'other',
    wageFen,
    pensionFen,
    otherIncomeFen,
    disabilityGrade: grade !== null && isDisabilityGrade(grade) ? grade : null,
    disabilityKind:
      category !== null && isDisabilityCategory(category) ? DISABILITY_KIND_BY_CATEGORY[category] : null,
    seriousIllness,
    employed,
    hasSupporter,
    categories,
  };
}

/** The seq field of the member at the cursor (the sixth), leaving the cursor where it was. */
function peekSeq(fields: Fields): number {
  const at = fields.position;
  const seq = fields.number() ?? 0;
  fields.position = at;
  return seq;
}

/**
 * One packed row as the engine's household, in one pass: the membership rule (countsInMonth), the seq order
 * and the one-row-per-person rule of toPolicyHousehold applied while reading (policy-input.unpack.test.ts
 * holds the two to the same answers). Undefined when no member counts in the month.
 */
export function packedHousehold(
  row: PolicyInputRow,
  bounds: { first: string; last: string },
): PolicyHousehold | undefined {
  if (row.members === '') return undefined;
  const fields = new Fields(row.members);
  const members: PolicyMember[] = [];
  const seqs: number[] = [];
  let sorted = true;
  while (!fields.done) {
    fields.member();
    const id = fields.string();
    const birthDate = fields.string();
    const deathDate = fields.string();
    const validFrom = fields.string();
    const validTo = fields.string();
    const open = validTo === '' || validTo > bounds.first;
    const counts =
      (deathDate === '' || deathDate >= bounds.first) &&
      ((validFrom <= bounds.first && open) ||
        (birthDate >= bounds.first &&
          birthDate <= bounds.last &&
          validFrom > bounds.first &&
          validFrom <= bounds.last &&
          (validTo === '' || validTo > validFrom)));
    if (!counts) {
      fields.skipMember();
      continue;
    }
    const seq = peekSeq(fields);
    // A person counted twice in the month (two rows): the row with the lower seq stands.
    const twice = members.findIndex((m) => m.id === id);
    if (twice >= 0) {
      if (seqs[twice]! <= seq) {
        fields.skipMember();
        continue;
      }
      members.splice(twice, 1);
      seqs.splice(twice, 1);
      sorted = false;
    }
    const last = seqs.length - 1;
    if (last >= 0 && (seq < seqs[last]! || (seq === seqs[last]! && id < members[last]!.id))) sorted = false;
    seqs.push(seq);
    members.push(readMember(fields, id, birthDate));
  }
  if (members.length === 0) return undefined;
  if (!sorted) {
    const order = members.map((m, i) => ({ m, seq: seqs[i]! }));
    order.sort((a, b) => a.seq - b.seq || (a.m.id < b.m.id ? -1 : 1));
    members.splice(0, members.length, ...order.map((o) => o.m));
  }
  // Property by property: an object spread here cost a third of the whole unpacking.
  const figures = householdFiguresOf(row);
  return {
    monetaryAssetsFen: figures.monetaryAssetsFen,
    vehicles: figures.vehicles,
    homes: figures.homes,
    perCapitaFloorAreaBelowAverage: figures.perCapitaFloorAreaBelowAverage,
    medicalExpenseAnnualFen: figures.medicalExpenseAnnualFen,
    educationExpenseAnnualFen: figures.educationExpenseAnnualFen,
    temporaryAssistanceMonths: 0,
    renovationCostFen: 0,
    members,
  };
}
