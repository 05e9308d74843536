import type { Category } from '../policy/household.ts';
import { isCategory } from '../registry/codes.ts';
import type { FactKind, SourceKind } from '../registry/facts/facts.types.ts';
import type { CalibrationFile } from './calibration.ts';
import { dayOf, isoOf, type DayFormatter } from './dates.ts';
import type { IdNumberIssuer, UuidFactory } from './identity.ts';
import { drawGivenName, drawSurname } from './names.ts';
import type {
  GeneratedFact,
  GeneratedFormerMember,
  GeneratedHousehold,
  GeneratedPastMembership,
  GeneratedPerson,
} from './population.types.ts';
import { Random } from './prng.ts';

/**
 * The synthetic population's past: the generator makes the households as they are on the as-of date;
 * this adds how they came to be over the calibration's `history.years` before it — incomes that changed,
 * assets that moved, twelve-monthly spending, a spouse who died, a head who moved out of an earlier
 * household — as dated economic facts and ended memberships.
 *
 * It draws from a random stream of its own, so the as-of population (and the calibration it meets) is
 * exactly what it was without history. Every change takes effect on or before the first day of the
 * as-of month, so that month sees the as-of values; spending of the current year is dated in the eleven
 * months before that month, so that it counts for that month and the next.
 */

type History = CalibrationFile['history'];

/** The households a later one may have moved out of: the most recent ones, so memory stays flat. */
export const MOVE_WINDOW = 128;

interface PastHousehold {
  id: string;
  formationDay: number;
  headAge: number;
  size: number;
}

export interface HistoryContext {
  seed: string;
  district: string;
  asOf: string;
  uuids: UuidFactory;
  ids: IdNumberIssuer;
  /** The generator's date table (formatting a day is a look-up, not a Date). */
  days: DayFormatter;
  history: History;
  pensionFen: { min: number; max: number };
}

/** Months before the first day of the month of `day` (a day number), as a day number. */
function monthStart(iso: string, monthsBack: number): number {
  const [y, m] = iso.split('-').map(Number) as [number, number];
  return Math.round(Date.UTC(y, m - 1 - monthsBack, 1) / 86_400_000);
}

/** The same day `years` earlier (29 Feb → 28 Feb). */
function yearsEarlier(day: number, years: number): number {
  const d = new Date(day * 86_400_000);
  const target = new Date(Date.UTC(d.getUTCFullYear() - years, d.getUTCMonth(), d.getUTCDate()));
  if (target.getUTCMonth() !== d.getUTCMonth()) target.setUTCDate(0);
  return Math.round(target.getTime() / 86_400_000);
}

export class HistoryMaker {
  private readonly random: Random;
  private readonly asOfDay: number;
  /** The first day of the as-of month: the last day a change may take effect. */
  private readonly monthFirst: number;
  /** The first day of the window (the as-of month's first day, `years` earlier). */
  private readonly windowFirst: number;
  /** The current twelve months' spending: from 11 months before the as-of month to its eve. */
  private readonly spendingFirst: number;
  private readonly recent: PastHousehold[] = [];
  private factIndex = 0;
  private formerIndex = 0;

  constructor(private readonly ctx: HistoryContext) {
    this.random = new Random(`minzheng-demo-history|${ctx.seed}|${ctx.district}`);
    this.asOfDay = dayOf(ctx.asOf);
    this.monthFirst = monthStart(ctx.asOf, 0);
    this.windowFirst = monthStart(ctx.asOf, 12 * ctx.history.years);
    this.spendingFirst = monthStart(ctx.asOf, 11);
  }

  private iso(day: number): string {
    return this.ctx.days.format(day);
  }

  /** ISO date → day number, remembered (birth and join dates repeat). */
  private day(iso: string): number {
    return dayOf(iso);
  }

  /**
   * An amount scaled by a factor drawn in whole percent from [min, max], in whole yuan: integer fen all the
   * way (the percent times the fen is exact; the division is floored explicitly).
   */
  private scaledYuan(amountFen: number, factor: { min: number; max: number }): number {
    const percent = this.random.between(Math.round(factor.min * 100), Math.round(factor.max * 100));
    return Math.floor((amountFen * percent) / 10_000) * 100;
  }

  /** A day in [from, to] (both included), or `to` when the range is empty. */
  private dayIn(from: number, to: number): number {
    return from >= to ? to : this.random.between(from, to);
  }

  private fact(
    subject: { type: 'person' | 'household'; id: string },
    kind: FactKind,
    value: Partial<
      Pick<GeneratedFact, 'amountFen' | 'quantity' | 'flag' | 'disabilityCategory' | 'disabilityGrade'>
    > & {
      category?: Category;
    },
    from: number,
    to: number | null,
    sourceKind: SourceKind = 'declared',
    sourceRef = '演示数据',
  ): GeneratedFact {
    return {
      id: this.ctx.uuids.make(3, this.factIndex++),
      subjectType: subject.type,
      subjectId: subject.id,
      kind,
      category: value.category ?? null,
      amountFen: value.amountFen ?? null,
      quantity: value.quantity ?? null,
      flag: value.flag ?? null,
      disabilityCategory: value.disabilityCategory ?? null,
      disabilityGrade: value.disabilityGrade ?? null,
      validFrom: this.iso(from),
      validTo: to === null ? null : this.iso(to),
      sourceKind,
      sourceRef,
    };
  }

  /**
   * An amount held since `start`: either all along, or (with probability `share`, when the window allows)
   * an earlier amount until a change day in the window and the current one from it. Superseded facts end
   * the day the next one starts (valid_to exclusive), as the facts service does.
   */
  private changing(
    out: GeneratedFact[],
    subject: { type: 'person' | 'household'; id: string },
    kind: FactKind,
    amountFen: number,
    start: number,
    share: number,
    factor: { min: number; max: number },
  ): void {
    const earliest = Math.max(start + 1, this.windowFirst);
    if (earliest < this.monthFirst && this.random.chance(share)) {
      const change = this.dayIn(earliest, this.monthFirst);
      const earlier = Math.max(100, this.scaledYuan(amountFen, factor));
      out.push(this.fact(subject, kind, { amountFen: earlier }, start, change));
      out.push(this.fact(subject, kind, { amountFen }, change, null));
    } else {
      out.push(this.fact(subject, kind, { amountFen }, Math.min(start, this.monthFirst), null));
    }
  }

  private personFacts(
    out: GeneratedFact[],
    p: GeneratedPerson,
    joined: number,
    verifyDay: number | null,
  ): void {
    const h = this.ctx.history;
    const subject = { type: 'person' as const, id: p.id };
    // From the person's first membership here, or the first day of the as-of month if that is earlier
    // (someone who joined during the month), never before birth.
    const birth = this.day(p.birthDate);
    const start = Math.max(birth, joined);
    const from = Math.max(birth, Math.min(start, this.monthFirst));
    if (p.wageFen > 0)
      this.changing(out, subject, 'wage', p.wageFen, start, h.incomeChangeShare.wage, h.earlierIncomeFactor);
    if (p.pensionFen > 0) {
      this.changing(
        out,
        subject,
        'pension',
        p.pensionFen,
        start,
        h.incomeChangeShare.pension,
        h.earlierIncomeFactor,
      );
    }
    if (p.otherIncomeFen > 0) {
      this.changing(
        out,
        subject,
        'other_income',
        p.otherIncomeFen,
        start,
        h.incomeChangeShare.otherIncome,
        h.earlierIncomeFactor,
      );
    }
    if (p.disabilityCategory !== null && p.disabilityGrade !== null) {
      out.push(
        this.fact(
          subject,
          'disability',
          { disabilityCategory: p.disabilityCategory, disabilityGrade: p.disabilityGrade },
          from,
          null,
        ),
      );
    }
    if (p.employed) out.push(this.fact(subject, 'employment', { flag: true }, from, null));
    if (p.seriousIllness) out.push(this.fact(subject, 'serious_illness', { flag: true }, from, null));
    if (!p.hasSupporter) out.push(this.fact(subject, 'supporter', { flag: false }, from, null));
    for (const category of p.categories) {
      if (!isCategory(category)) continue;
      out.push(this.fact(subject, 'category', { category }, from, null, 'decision', '演示数据：认定'));
    }
    if (verifyDay !== null) {
      const ref = '演示数据：核对报告';
      if (p.wageFen > 0)
        out.push(this.fact(subject, 'wage', { amountFen: p.wageFen }, verifyDay, null, 'verified', ref));
      if (p.pensionFen > 0) {
        out.push(
          this.fact(subject, 'pension', { amountFen: p.pensionFen }, verifyDay, null, 'verified', ref),
        );
      }
      if (p.otherIncomeFen > 0) {
        out.push(
          this.fact(
            subject,
            'other_income',
            { amountFen: p.otherIncomeFen },
            verifyDay,
            null,
            'verified',
            ref,
          ),
        );
      }
    }
  }

  /** Spending of the current twelve months, and of each earlier year of the window for a share. */
  private spending(out: GeneratedFact[], id: string, kind: FactKind, amountFen: number): void {
    if (amountFen <= 0) return;
    const h = this.ctx.history;
    const subject = { type: 'household' as const, id };
    const day = this.dayIn(this.spendingFirst, this.monthFirst - 1);
    out.push(this.fact(subject, kind, { amountFen }, day, null));
    for (let year = 1; year < h.years; year++) {
      if (!this.random.chance(h.earlierSpendingYearShare)) continue;
      out.push(
        this.fact(
          subject,
          kind,
          { amountFen: this.scaledYuan(amountFen, h.earlierSpendingFactor) },
          yearsEarlier(day, year),
          null,
        ),
      );
    }
  }

  /**
   * The history of one household just generated, whose members joined on `formationDay` or later. Returns
   * its facts (the household's and its persons'), a deceased former member if any, and the ended
   * membership of a head who moved out of an earlier household.
   */
  household(
    h: Omit<GeneratedHousehold, 'former' | 'pastMemberships' | 'facts' | 'authorisation'>,
    formationDay: number,
  ): {
    facts: GeneratedFact[];
    former: GeneratedFormerMember[];
    pastMemberships: GeneratedPastMembership[];
  } {
    const hist = this.ctx.history;
    const facts: GeneratedFact[] = [];
    const former: GeneratedFormerMember[] = [];
    const pastMemberships: GeneratedPastMembership[] = [];
    const head = h.members[0]!.person;
    const start = new Map(h.members.map((m) => [m.person.id, this.day(m.validFrom)]));

    // A head who formed this household within the window may have moved out of an earlier one.
    const moveDraw = this.random.float();
    if (
      formationDay > this.windowFirst &&
      formationDay <= this.monthFirst &&
      head.age <= 45 &&
      moveDraw < hist.moveShareOfNewHouseholds
    ) {
      const birth = this.day(head.birthDate);
      const candidates = this.recent.filter(
        (r) =>
          r.headAge - head.age >= 20 &&
          r.formationDay < formationDay - 365 &&
          Math.max(r.formationDay, birth) < formationDay,
      );
      if (candidates.length > 0) {
        const from = candidates[this.random.below(candidates.length)]!;
        const validFrom = Math.max(from.formationDay, birth);
        pastMemberships.push({
          householdId: from.id,
          personId: head.id,
          relationCode: head.sex === 1 ? '20' : '30',
          validFrom: this.iso(validFrom),
          validTo: this.iso(formationDay),
          endReason: 'moved',
          seq: from.size + 1 + (this.formerIndex % 8),
        });
        start.set(head.id, validFrom);
      }
    }

    // An elder living alone (not 特困: they have no one) whose spouse died within the window.
    const deathDraw = this.random.float();
    if (
      h.type === 'elder_single' &&
      !head.categories.includes('tekun') &&
      formationDay < this.windowFirst &&
      deathDraw < hist.deathShareOfSingleElders
    ) {
      former.push(this.deceasedSpouse(h, head, formationDay));
    }

    const verify = h.dibao && this.random.chance(hist.verifiedShareOfDibaoHouseholds);
    const verifyDay = verify ? this.dayIn(monthStartDay(this.spendingFirst), this.monthFirst) : null;
    for (const m of h.members) this.personFacts(facts, m.person, start.get(m.person.id)!, verifyDay);
    for (const f of former) this.personFacts(facts, f.person, this.day(f.validFrom), null);
    // The dead's facts end with them (the facts service's endFactsOfPerson does the same); a change
    // drawn after the death did not happen.
    for (const dead of former) {
      for (let i = facts.length - 1; i >= 0; i--) {
        const fact = facts[i]!;
        if (fact.subjectId !== dead.person.id) continue;
        if (fact.validFrom >= dead.validTo) facts.splice(i, 1);
        else if (fact.validTo === null || fact.validTo > dead.validTo) fact.validTo = dead.validTo;
      }
    }

    const household = { type: 'household' as const, id: h.id };
    const opened = Math.min(formationDay, this.monthFirst);
    if (h.monetaryAssetsFen > 0) {
      this.changing(
        facts,
        household,
        'monetary_assets',
        h.monetaryAssetsFen,
        formationDay,
        hist.assetsChangeShare,
        hist.earlierAssetsFactor,
      );
      if (verifyDay !== null) {
        facts.push(
          this.fact(
            household,
            'monetary_assets',
            { amountFen: h.monetaryAssetsFen },
            verifyDay,
            null,
            'verified',
            '演示数据：核对报告',
          ),
        );
      }
    }
    if (h.vehicles > 0) facts.push(this.fact(household, 'vehicles', { quantity: h.vehicles }, opened, null));
    if (h.homes !== 1) facts.push(this.fact(household, 'homes', { quantity: h.homes }, opened, null));
    if (h.perCapitaFloorAreaBelowAverage) {
      facts.push(this.fact(household, 'floor_area_below_average', { flag: true }, opened, null));
    }
    this.spending(facts, h.id, 'medical_expense', h.medicalExpenseAnnualFen);
    this.spending(facts, h.id, 'education_expense', h.educationExpenseAnnualFen);

    this.recent.push({ id: h.id, formationDay, headAge: head.age, size: h.members.length });
    if (this.recent.length > MOVE_WINDOW) this.recent.shift();
    return { facts, former, pastMemberships };
  }

  private deceasedSpouse(
    h: Omit<GeneratedHousehold, 'former' | 'pastMemberships' | 'facts' | 'authorisation'>,
    head: GeneratedPerson,
    formationDay: number,
  ): GeneratedFormerMember {
    const sex: 1 | 2 = head.sex === 1 ? 2 : 1;
    const age = Math.min(104, Math.max(60, head.age + this.random.between(-3, 5)));
    const deathDay = this.dayIn(this.windowFirst, Math.min(this.asOfDay - 1, this.monthFirst - 1));
    const birthDay = yearsEarlier(this.asOfDay, age) - this.random.below(365);
    const birthDate = this.iso(birthDay);
    const surname = drawSurname(this.random);
    const given = drawGivenName(this.random, sex);
    const pension = this.random.between(this.ctx.pensionFen.min / 100, this.ctx.pensionFen.max / 100) * 100;
    const person: GeneratedPerson & { deathDate: string } = {
      id: this.ctx.uuids.make(2, this.formerIndex++),
      idNumber: this.ctx.ids.issue(head.idNumber.slice(0, 6), birthDay, birthDate, sex),
      name: surname.text + given.text,
      nameInitials: surname.initials + given.initials,
      sex,
      birthDate,
      age,
      ethnicity: head.ethnicity,
      maritalStatus: '20',
      phone: null,
      shanghaiHukou: head.shanghaiHukou,
      hukouDivisionCode: head.hukouDivisionCode,
      residenceDivisionCode: head.residenceDivisionCode,
      disabilityCategory: null,
      disabilityGrade: null,
      employed: false,
      seriousIllness: this.random.chance(0.5),
      hasSupporter: true,
      categories: [],
      wageFen: 0,
      pensionFen: pension,
      otherIncomeFen: 0,
      deathDate: this.iso(deathDay),
    };
    return {
      person,
      relationCode: head.sex === 1 ? '12' : '11',
      validFrom: this.iso(Math.max(formationDay, birthDay + 18 * 365 + 5)),
      validTo: this.iso(deathDay + 1),
      endReason: 'death',
      seq: h.members.length,
    };
  }
}

/** The first day of the month of a day number. */
function monthStartDay(day: number): number {
  return dayOf(`${isoOf(day).slice(0, 7)}-01`);
}
