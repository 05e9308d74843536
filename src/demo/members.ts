import type { CalibrationFile } from './calibration.ts';
import { householdType, type AgeClass, type HouseholdTypeCode, type Role } from './household-types.ts';
import { drawGivenName, drawSurname, type NamePart } from './names.ts';
import { WeightedTable, type Random } from './prng.ts';

/**
 * The people of one household before identifiers and money: ages consistent with the relations
 * (parents at least `generationGapYears.min` older than their children, spouses close in age),
 * sexes, names and GB/T 4761 relation codes.
 */
export interface MemberSketch {
  role: Role;
  ageClass: AgeClass;
  age: number;
  sex: 1 | 2;
  surname: NamePart;
  given: NamePart;
  relationCode: string;
}

interface AgeBand {
  from: number;
  to: number;
}

const CLASS_RANGE: Record<AgeClass, readonly [number, number]> = {
  elder: [60, 104],
  adult: [18, 59],
  child: [0, 17],
};

/** A range of ages; empty when `from` > `to`. */
interface AgeRange {
  from: number;
  to: number;
}

export class MemberSketcher {
  private readonly elderBands: WeightedTable<AgeBand>;
  private readonly adultBands: WeightedTable<AgeBand>;
  private readonly gap: { min: number; max: number };
  private readonly spouseDiff: number;
  private readonly elderRange: readonly [number, number];

  constructor(
    private readonly random: Random,
    file: CalibrationFile,
  ) {
    this.elderBands = new WeightedTable(
      file.elderly.bands,
      file.elderly.bands.map((b) => b.share),
    );
    this.adultBands = new WeightedTable(
      file.adultAnchorBands.bands,
      file.adultAnchorBands.bands.map((b) => b.share),
    );
    this.gap = file.generationGapYears;
    this.spouseDiff = file.spouseAgeDifferenceYears.max;
    const last = file.elderly.bands.at(-1)?.to ?? CLASS_RANGE.elder[1];
    this.elderRange = [file.elderly.minAge.value, last];
    this.childRange = [file.minorAges.from, file.minorAges.to];
  }

  private readonly childRange: readonly [number, number];

  private range(cls: AgeClass): readonly [number, number] {
    if (cls === 'elder') return this.elderRange;
    return cls === 'child' ? this.childRange : CLASS_RANGE[cls];
  }

  /**
   * The ages generation `l` may take below a parent aged `parentAge`: within its class, a generation gap
   * younger, and old enough (or young enough) that every generation below it still fits its class.
   */
  private feasible(levels: readonly AgeClass[], l: number, parentAge: number, keepMaxGap = true): AgeRange {
    const [lo, hi] = this.range(levels[l]!);
    let from = keepMaxGap ? Math.max(lo, parentAge - this.gap.max) : lo;
    let to = Math.min(hi, parentAge - this.gap.min);
    for (let k = l + 1; k < levels.length; k++) {
      const [klo, khi] = this.range(levels[k]!);
      from = Math.max(from, klo + (k - l) * this.gap.min);
      to = Math.min(to, khi + (k - l) * this.gap.max);
    }
    return { from, to };
  }

  private fit(age: number, cls: AgeClass): number {
    const [lo, hi] = this.range(cls);
    // Elderly below the threshold are reflected rather than clamped, so no age piles up at 60.
    if (cls === 'elder' && age < lo) return Math.min(hi, 2 * lo - age);
    return Math.max(lo, Math.min(hi, age));
  }

  /** The band of the last elderly anchor: elderly spouses stay in it, so band shares are kept exactly. */
  private elderBand: AgeBand = { from: 60, to: 69 };

  private drawBand(table: WeightedTable<AgeBand>): number {
    const band = table.draw(this.random);
    if (table === this.elderBands) this.elderBand = band;
    return this.random.between(band.from, band.to);
  }

  /** Reflects an age back into [from, to] (no pile-up at the edges), then clamps. */
  private static reflect(age: number, band: AgeBand): number {
    const x = age < band.from ? 2 * band.from - age : age > band.to ? 2 * band.to - age : age;
    return Math.max(band.from, Math.min(band.to, x));
  }

  /**
   * A generation's age below a parent aged `parentAge`. When no age keeps both generation gaps (a
   * 95-year-old cannot have a minor grandchild 36 years a generation), the oldest six years the
   * generations below allow, spreading what a clamp would pile up on one age.
   */
  private youngerAge(levels: readonly AgeClass[], l: number, parentAge: number, gap: () => number): number {
    const range = this.feasible(levels, l, parentAge);
    if (range.from <= range.to) return this.random.between(range.from, range.to);
    const loose = this.feasible(levels, l, parentAge, false);
    if (loose.from <= loose.to) return this.random.between(Math.max(loose.from, loose.to - 5), loose.to);
    return this.fit(parentAge - gap(), levels[l]!);
  }

  /** One age per generation: anchored on the eldest generation when it is elderly, else on the youngest. */
  private levelAges(levels: readonly AgeClass[]): number[] {
    const ages = new Array<number>(levels.length).fill(0);
    const gap = () => this.random.between(this.gap.min, this.gap.max);
    if (levels[0] === 'elder') {
      ages[0] = this.drawBand(this.elderBands);
      // Each younger generation is drawn over every age its parent and its own children allow, so that
      // grandchildren spread over 0–17 instead of piling up where a clamp would put them (0 and 17).
      for (let l = 1; l < levels.length; l++) ages[l] = this.youngerAge(levels, l, ages[l - 1]!, gap);
      return ages;
    }
    const last = levels.length - 1;
    const [childFrom, childTo] = this.childRange;
    ages[last] =
      levels[last] === 'child' ? this.random.between(childFrom, childTo) : this.drawBand(this.adultBands);
    for (let l = last - 1; l >= 0; l--) ages[l] = this.fit(ages[l + 1]! + gap(), levels[l]!);
    return ages;
  }

  private sexFor(role: Role, code: HouseholdTypeCode, hasSpouse: boolean): 1 | 2 {
    const r = this.random.float();
    switch (role) {
      case 'head':
        if (hasSpouse) return r < 0.7 ? 1 : 2;
        return code === 'elder_single' || code === 'skip_gen' ? (r < 0.4 ? 1 : 2) : r < 0.5 ? 1 : 2;
      case 'parent':
        return r < 0.4 ? 1 : 2;
      case 'child':
      case 'grandchild':
        return r < 0.515 ? 1 : 2;
      case 'spouse':
      case 'childInLaw':
        return 1; // replaced by the opposite of the partner's sex below
    }
  }

  sketch(code: HouseholdTypeCode): MemberSketch[] {
    const type = householdType(code);
    const levelAges = this.levelAges(type.levels);
    const hasSpouse = type.slots.some((s) => s.role === 'spouse');
    const triplets = type.quotaOnly === true;
    const out: MemberSketch[] = [];
    let head: MemberSketch | undefined;
    let firstChild: MemberSketch | undefined;
    let inLaw: MemberSketch | undefined;
    // In 隔代 households the absent middle generation still decides 孙/外孙 and the surname.
    const absentParentIsSon = this.random.chance(0.5);
    for (const slot of type.slots) {
      const cls = type.levels[slot.level]!;
      const base = levelAges[slot.level]!;
      let age = base;
      if (slot.role === 'spouse' && cls === 'elder') {
        age = MemberSketcher.reflect(
          base + this.random.between(-this.spouseDiff, this.spouseDiff),
          this.elderBand,
        );
      } else if (slot.role === 'spouse' || slot.role === 'childInLaw') {
        age = this.fit(base + this.random.between(-this.spouseDiff, this.spouseDiff), cls);
      } else if (
        (slot.role === 'child' || slot.role === 'grandchild') &&
        out.some((m) => m.role === slot.role) &&
        !triplets
      ) {
        // Reflected, not clamped, into the class: a clamp would pile brothers and sisters up at 0 and 17.
        const [from, to] = this.range(cls);
        age = MemberSketcher.reflect(base + this.random.between(-6, 6), { from, to });
      }
      let sex = this.sexFor(slot.role, code, hasSpouse);
      if (slot.role === 'spouse' && head) sex = head.sex === 1 ? 2 : 1;
      if (slot.role === 'childInLaw' && firstChild) sex = firstChild.sex === 1 ? 2 : 1;
      const father = head && (head.sex === 1 ? head : out.find((m) => m.role === 'spouse' && m.sex === 1));
      let surname: NamePart;
      switch (slot.role) {
        case 'child':
          surname = father?.surname ?? drawSurname(this.random);
          break;
        case 'grandchild':
          if (firstChild)
            surname =
              firstChild.sex === 1 ? firstChild.surname : (inLaw?.surname ?? drawSurname(this.random));
          else surname = absentParentIsSon && head?.sex === 1 ? head.surname : drawSurname(this.random);
          break;
        case 'parent':
          surname = sex === 1 && head ? head.surname : drawSurname(this.random);
          break;
        case 'head':
        case 'spouse':
        case 'childInLaw':
          surname = drawSurname(this.random);
          break;
      }
      const member: MemberSketch = {
        role: slot.role,
        ageClass: cls,
        age,
        sex,
        surname,
        given: drawGivenName(this.random, sex),
        relationCode: relationCode(slot.role, sex, firstChild ? firstChild.sex === 1 : absentParentIsSon),
      };
      if (slot.role === 'head') head = member;
      if (slot.role === 'child' && !firstChild) firstChild = member;
      if (slot.role === 'childInLaw') inLaw = member;
      out.push(member);
    }
    return out;
  }
}

/** GB/T 4761: 02 户主, 11/12 夫/妻, 20/30 子/女, 28/38 女婿/儿媳, 41/42 孙子/孙女, 43/44 外孙子/外孙女, 51/52 父/母. */
export function relationCode(role: Role, sex: 1 | 2, throughSon: boolean): string {
  const male = sex === 1;
  switch (role) {
    case 'head':
      return '02';
    case 'spouse':
      return male ? '11' : '12';
    case 'child':
      return male ? '20' : '30';
    case 'childInLaw':
      return male ? '28' : '38';
    case 'grandchild':
      if (throughSon) return male ? '41' : '42';
      return male ? '43' : '44';
    case 'parent':
      return male ? '51' : '52';
  }
}
