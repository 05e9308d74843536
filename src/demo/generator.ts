import { addDays, ageOn } from '../calendar/days.ts';
import { shanghaiToday } from '../core/clock.ts';
import { verificationParameter, VP } from '../verification/verification.parameters.ts';
import { loadCalibration, type Calibration } from './calibration.ts';
import { dayOf, DayFormatter, yearsBefore } from './dates.ts';
import {
  dibaoEligible,
  logUniformFen,
  holdingTables,
  ordinaryHoldings,
  poorHoldings,
  shareOfFen,
  shareTable,
  type HoldingTables,
  type Earnings,
  type Holdings,
} from './economics.ts';
import { HistoryMaker } from './history.ts';
import { householdType, type HouseholdTypeCode } from './household-types.ts';
import { householdRecordId, IdNumberIssuer, UuidFactory } from './identity.ts';
import { MemberSketcher, type MemberSketch } from './members.ts';
import {
  outsideShanghaiCodes,
  outsideShanghaiTable,
  shanghaiDistrict,
  shanghaiDistrictCodes,
  type Committee,
  type District,
} from './places.ts';
import type {
  GeneratedAuthorisation,
  GeneratedHousehold,
  GeneratedMember,
  GeneratedPerson,
} from './population.types.ts';
import { Random, WeightedTable } from './prng.ts';
import { Quota } from './quota.ts';

export type { GeneratedHousehold, GeneratedMember, GeneratedPerson } from './population.types.ts';

export const DEFAULT_DISTRICT = '310110';

export interface GenerateOptions {
  /** 6-digit Shanghai district code (default 310110 杨浦区). */
  district?: string;
  /** Exact number of persons to generate (> 0). */
  persons: number;
  seed: string;
  /**
   * Date the ages refer to (default: today in Shanghai, so that a demo loaded today has today's age
   * structure — the calibration's shares, which describe 2020-12-31, applied on this date).
   */
  asOf?: string;
}

export class PopulationOptionsError extends Error {}

/** Checks the options and fills the defaults; throws PopulationOptionsError with a Chinese message. */
export function resolveOptions(
  options: GenerateOptions,
): Required<GenerateOptions> & { districtInfo: District } {
  const district = options.district ?? DEFAULT_DISTRICT;
  const info = /^\d{6}$/.test(district) ? shanghaiDistrict(district) : undefined;
  if (!info || info.committees.length === 0) {
    throw new PopulationOptionsError(
      `未知的上海市区划代码：${district}（应为6位区级代码，如 310110 杨浦区）`,
    );
  }
  if (!Number.isSafeInteger(options.persons) || options.persons <= 0) {
    throw new PopulationOptionsError(`人数必须是正整数：${String(options.persons)}`);
  }
  if (options.seed.length === 0) throw new PopulationOptionsError('随机种子不能为空');
  const asOf = options.asOf ?? shanghaiToday();
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(asOf);
  const valid = m !== null && new Date(`${asOf}T00:00:00Z`).toISOString().startsWith(asOf);
  if (!valid || asOf < '1990-01-01' || asOf > '2100-12-31') {
    throw new PopulationOptionsError(
      `基准日期无效：${asOf}（应为 1990-01-01 至 2100-12-31 之间的 YYYY-MM-DD）`,
    );
  }
  return { district, persons: options.persons, seed: options.seed, asOf, districtInfo: info };
}

// 民族 (GB/T 3304): Han and the groups most present in Shanghai (assumption; not a calibration target).
const ETHNICITY = new WeightedTable(
  ['01', '03', '11', '02', '08', '06', '15', '10'],
  [988, 4, 2, 1, 1, 1, 1, 2],
);
const PHONE_PREFIXES = [
  '130',
  '131',
  '132',
  '133',
  '135',
  '136',
  '137',
  '138',
  '139',
  '150',
  '151',
  '152',
  '153',
  '155',
  '156',
  '157',
  '158',
  '159',
  '166',
  '173',
  '177',
  '180',
  '181',
  '182',
  '183',
  '185',
  '186',
  '187',
  '188',
  '189',
  '199',
];

/**
 * Streams a synthetic population, one household (with its members) at a time: memory does not grow
 * with `persons`. Everything is a function of the options: the same options give the same
 * households, ids and values in the same order (pass `asOf` for the same bytes on another day).
 */
export function* generatePopulation(options: GenerateOptions): Generator<GeneratedHousehold> {
  const opts = resolveOptions(options);
  yield* new PopulationStream(opts, loadCalibration()).households();
}

interface PersonDraft {
  sketch: MemberSketch;
  shanghaiHukou: boolean;
  addressCode: string;
  birthDay: number;
  categories: string[];
  disabilityCategory: number | null;
  disabilityGrade: number | null;
  severeUnemployed: boolean;
  hasSupporter: boolean;
  earnings: Earnings;
  employed: boolean;
}

class PopulationStream {
  private readonly random: Random;
  private readonly sketcher: MemberSketcher;
  private readonly uuids: UuidFactory;
  private readonly ids: IdNumberIssuer;
  private readonly days: DayFormatter;
  private readonly asOfDay: number;
  private readonly firstDay: number;
  private readonly hukouTypes: WeightedTable<HouseholdTypeCode>;
  private readonly nonHukouTypes: WeightedTable<HouseholdTypeCode>;
  private readonly otherShanghai: string[];
  private readonly committees: readonly Committee[];
  private readonly quotas;
  private readonly randomDisabilityRate: number;
  /** yearsBefore(asOf, n) for n = 0 … 120, the hot path of every birth date. */
  private readonly anniversaries: number[];
  private readonly categoryTable: WeightedTable<number>;
  private readonly gradeTable: WeightedTable<number>;
  private readonly holdingTables: HoldingTables;
  private readonly history: HistoryMaker;
  private hukouPersons = 0;
  private personIndex = 0;

  constructor(
    private readonly opts: ReturnType<typeof resolveOptions>,
    private readonly cal: Calibration,
  ) {
    // The as-of date is not part of the stream: the same seed gives the same people on any date, their
    // birth dates (and the ID numbers that carry them) counted back from it.
    this.random = new Random(`minzheng-demo|${opts.seed}|${opts.district}`);
    this.sketcher = new MemberSketcher(this.random, cal.file);
    this.uuids = new UuidFactory(opts.seed, opts.district);
    this.asOfDay = dayOf(opts.asOf);
    this.firstDay = yearsBefore(opts.asOf, 110);
    this.days = new DayFormatter(this.firstDay, this.asOfDay);
    this.anniversaries = Array.from({ length: 121 }, (_, n) => yearsBefore(opts.asOf, n));
    this.categoryTable = shareTable(cal.file.disability.categoryShares.shares);
    this.gradeTable = shareTable(cal.file.disability.gradeShares.shares);
    this.holdingTables = holdingTables(cal.file.economics);
    this.otherShanghai = shanghaiDistrictCodes().filter((c) => c !== opts.district);
    this.ids = new IdNumberIssuer(this.firstDay, this.asOfDay - this.firstDay + 1, [
      opts.district,
      ...this.otherShanghai,
      ...outsideShanghaiCodes,
    ]);
    const table = (weights: ReadonlyMap<HouseholdTypeCode, number>) =>
      new WeightedTable([...weights.keys()], [...weights.values()]);
    this.hukouTypes = table(cal.hukouTypeWeights);
    this.nonHukouTypes = table(cal.nonHukouTypeWeights);
    this.committees = opts.districtInfo.committees;
    const r = cal.perHukouPerson;
    this.quotas = {
      tekun: new Quota(r.tekun),
      kunjing: new Quota(r.kunjingChild),
      orphan: new Quota(r.orphan),
      traditional: new Quota(r.traditional),
      anhui: new Quota(r.anhuiResettled),
      ruralYouth: new Quota(r.ruralYouth),
      triplets: new Quota(r.tripletHouseholds),
      severe: new Quota(r.severeUnemployed),
      dibao: new Quota(r.dibaoPersons),
      dibaoWithEmployed: new Quota(cal.file.dibao.withEmployedShare.value),
    };
    this.randomDisabilityRate = Math.max(0, cal.file.disability.rate.value - r.severeUnemployed);
    this.history = new HistoryMaker({
      seed: opts.seed,
      district: opts.district,
      asOf: opts.asOf,
      uuids: this.uuids,
      ids: this.ids,
      days: this.days,
      history: cal.file.history,
      pensionFen: cal.file.economics.pensionFen,
    });
  }

  *households(): Generator<GeneratedHousehold> {
    let index = 0;
    while (this.personIndex < this.opts.persons) {
      yield this.household(index++, this.opts.persons - this.personIndex);
    }
  }

  private chooseType(hukou: boolean, remaining: number): HouseholdTypeCode {
    const tripletSize = householdType('triplets').slots.length;
    if (hukou && remaining >= tripletSize && this.quotas.triplets.due(this.hukouPersons + tripletSize)) {
      this.quotas.triplets.take();
      return 'triplets';
    }
    const table = hukou ? this.hukouTypes : this.nonHukouTypes;
    for (;;) {
      const code = table.draw(this.random);
      if (householdType(code).slots.length <= remaining) return code;
    }
  }

  private household(index: number, remaining: number): GeneratedHousehold {
    const hukou = !this.random.chance(this.cal.nonHukouHouseholdProbability);
    const type = this.chooseType(hukou, remaining);
    const committee = this.committees[this.random.below(this.committees.length)]!;
    const origin = hukou ? null : outsideShanghaiTable.draw(this.random);
    const sketches = this.sketcher.sketch(type);
    const drafts = sketches.map((s) => this.draft(s, origin));
    if (type === 'triplets') {
      const children = drafts.filter((d) => d.sketch.role === 'child');
      for (const child of children) child.birthDay = children[0]!.birthDay;
    }
    const size = drafts.length;
    const base = this.hukouPersons + (hukou ? size : 0);
    this.assignCategories(type, drafts, base);
    const { dibao, holdings } = this.assignEconomics(type, drafts, base, hukou);
    let hasSpouse = false;
    let hasInLaw = false;
    let children = 0;
    for (const d of drafts) {
      if (d.shanghaiHukou) this.hukouPersons++;
      if (d.sketch.role === 'spouse') hasSpouse = true;
      if (d.sketch.role === 'childInLaw') hasInLaw = true;
      if (d.sketch.age < 18) children++;
    }
    const formation = this.formationDay(drafts[0]!);
    const members: GeneratedMember[] = [];
    for (let seq = 0; seq < size; seq++) {
      const d = drafts[seq]!;
      const role = d.sketch.role;
      const married =
        role === 'spouse' ||
        role === 'childInLaw' ||
        (role === 'head' && hasSpouse) ||
        (role === 'child' && hasInLaw);
      members.push(this.member(d, seq, committee, formation, married));
    }
    this.personIndex += size;
    const e = this.cal.file.economics;
    const current = {
      index,
      districtCode: this.opts.district,
      id: this.uuids.make(0, index),
      householdNo: householdNumber(this.opts.district, index),
      streetCode: committee.streetCode,
      committeeCode: committee.code,
      address: `上海市${this.opts.districtInfo.name}${committee.streetName}${committee.name} ${this.random.between(1, 999)}弄${this.random.between(1, 40)}号${this.random.between(1, 6)}0${this.random.between(1, 6)}室`,
      type,
      dibao,
      ...holdings,
      medicalExpenseAnnualFen:
        this.random.between(e.medicalExpenseAnnualFen.min / 100, e.medicalExpenseAnnualFen.max / 100) * 100,
      educationExpenseAnnualFen:
        children === 0
          ? 0
          : children *
            this.random.between(
              e.educationExpenseAnnualFenPerChild.min / 100,
              e.educationExpenseAnnualFenPerChild.max / 100,
            ) *
            100,
      members,
    };
    // Assigned, not spread: copying the household's twenty fields into a new object cost more than its history.
    const { facts, former, pastMemberships } = this.history.household(current, formation);
    const authorisation = dibao ? this.authorisation(current.id, members) : null;
    return Object.assign(current, { facts, former, pastMemberships, authorisation });
  }

  private draft(sketch: MemberSketch, origin: string | null): PersonDraft {
    const start = this.anniversaries[sketch.age + 1]! + 1;
    const end = this.anniversaries[sketch.age]!;
    const birthDay = start + this.random.below(end - start + 1);
    const birthplace = this.cal.file.hukouBirthplace;
    let addressCode = origin ?? this.opts.district;
    if (origin === null) {
      const x = this.random.float();
      if (x < birthplace.outsideShanghai) addressCode = outsideShanghaiTable.draw(this.random);
      else if (x < birthplace.outsideShanghai + birthplace.otherShanghaiDistrict)
        addressCode = this.random.pick(this.otherShanghai);
    }
    return {
      sketch,
      shanghaiHukou: origin === null,
      addressCode,
      birthDay,
      categories: [],
      disabilityCategory: null,
      disabilityGrade: null,
      severeUnemployed: false,
      hasSupporter: true,
      earnings: { wageFen: 0, pensionFen: 0, otherIncomeFen: 0 },
      employed: false,
    };
  }

  private assignCategories(type: HouseholdTypeCode, drafts: PersonDraft[], base: number): void {
    const q = this.quotas;
    const cats = this.cal.file.categories;
    const severeAges = this.cal.file.disability.severeUnemployedAges;
    for (const d of drafts) {
      const age = d.sketch.age;
      if (
        d.shanghaiHukou &&
        type === 'elder_couple' &&
        d.sketch.role === 'spouse' &&
        q.ruralYouth.due(base)
      ) {
        // 农婚知青: lives here with a Shanghai spouse, hukou still outside Shanghai.
        q.ruralYouth.take();
        d.shanghaiHukou = false;
        d.addressCode = outsideShanghaiTable.draw(this.random);
        d.categories.push('rural_youth');
        continue;
      }
      if (!d.shanghaiHukou) {
        this.randomDisability(d);
        continue;
      }
      if (type === 'elder_single' && q.tekun.due(base)) {
        q.tekun.take();
        d.categories.push('tekun');
        d.hasSupporter = false;
      } else if (d.sketch.ageClass === 'elder' && q.traditional.due(base)) {
        q.traditional.take();
        d.categories.push('traditional');
      } else if (d.sketch.ageClass === 'elder' && q.anhui.due(base)) {
        q.anhui.take();
        d.categories.push(
          this.random.chance(cats.anhuiResettledClass1Share.value)
            ? 'anhui_resettled_1'
            : 'anhui_resettled_2',
        );
      } else if (age < 18 && type === 'skip_gen' && q.orphan.due(base)) {
        q.orphan.take();
        d.categories.push('orphan');
      } else if (age < 18 && (type === 'skip_gen' || type === 'single_parent') && q.kunjing.due(base)) {
        q.kunjing.take();
        d.categories.push('kunjing_child');
      }
      if (age >= severeAges.from && age <= severeAges.to && q.severe.due(base)) {
        q.severe.take();
        d.severeUnemployed = true;
        d.disabilityCategory = this.categoryTable.draw(this.random);
        d.disabilityGrade = this.random.chance(this.severeGradeOneShare()) ? 1 : 2;
      } else this.randomDisability(d);
    }
  }

  private severeGradeOneShare(): number {
    const g = this.cal.file.disability.gradeShares.shares;
    return (g['1'] ?? 0) / ((g['1'] ?? 0) + (g['2'] ?? 0));
  }

  /** Disability outside the 重残无业 quota; working-age people get grades 3–4 only (see the doc). */
  private randomDisability(d: PersonDraft): void {
    if (!this.random.chance(this.randomDisabilityRate)) return;
    const severeAges = this.cal.file.disability.severeUnemployedAges;
    d.disabilityCategory = this.categoryTable.draw(this.random);
    const grades = this.cal.file.disability.gradeShares.shares;
    const working = d.sketch.age >= severeAges.from && d.sketch.age <= severeAges.to;
    d.disabilityGrade = working
      ? this.random.chance((grades['3'] ?? 0) / ((grades['3'] ?? 0) + (grades['4'] ?? 0)))
        ? 3
        : 4
      : this.gradeTable.draw(this.random);
  }

  private assignEconomics(
    type: HouseholdTypeCode,
    drafts: PersonDraft[],
    base: number,
    anyHukou: boolean,
  ): { dibao: boolean; holdings: Holdings } {
    const q = this.quotas;
    const e = this.cal.file.economics;
    const test = this.cal.file.dibao.test;
    const size = drafts.length;
    const tekun = drafts.some((d) => d.categories.includes('tekun'));
    const gate = this.cal.file.dibao.typeGates.gates[type] ?? 0;
    const poor = anyHukou && (tekun || (q.dibao.due(base) && this.random.chance(gate)));
    if (!poor) {
      for (const d of drafts) this.ordinaryEarnings(d);
      const holdings = ordinaryHoldings(this.random, e, this.holdingTables);
      if (anyHukou && dibaoEligible(test, holdings, drafts)) {
        // Only the households the quota designates may pass the dibao test: lift the savings.
        const limit =
          (size <= test.smallHouseholdMaxSize
            ? test.assetLimitPerCapitaSmallHouseholdFen
            : test.assetLimitPerCapitaFen) * size;
        holdings.monetaryAssetsFen = limit + this.random.between(1, limit / 100) * 100;
      }
      return { dibao: false, holdings };
    }
    q.dibao.take(size);
    const worker = drafts.find((d) => d.sketch.age >= 18 && d.sketch.age <= 59 && !d.severeUnemployed);
    const withEmployed = !tekun && worker !== undefined && q.dibaoWithEmployed.due(q.dibao.assigned);
    if (withEmployed) q.dibaoWithEmployed.take(size);
    const std = test.standardFen;
    for (const d of drafts) {
      d.employed = false;
      d.earnings = { wageFen: 0, pensionFen: 0, otherIncomeFen: 0 };
      if (d.sketch.ageClass === 'elder')
        d.earnings.pensionFen =
          this.random.between(0, shareOfFen(std, e.poor.elderPensionMaxOfStandard) / 100) * 100;
      else if (d.sketch.age >= 18)
        d.earnings.otherIncomeFen =
          this.random.between(0, shareOfFen(std, e.poor.adultOtherIncomeMaxOfStandard) / 100) * 100;
    }
    if (withEmployed && worker) {
      worker.employed = true;
      worker.earnings = {
        wageFen:
          test.employmentExemptionFen +
          this.random.between(0, shareOfFen(std, e.poor.employedWageAboveExemptionMaxOfStandard) / 100) * 100,
        pensionFen: 0,
        otherIncomeFen: 0,
      };
    }
    const holdings = poorHoldings(this.random, e, test, size);
    if (!dibaoEligible(test, holdings, drafts)) {
      throw new Error('internal: a designated dibao household fails the dibao test');
    }
    return { dibao: true, holdings };
  }

  private ordinaryEarnings(d: PersonDraft): void {
    const e = this.cal.file.economics;
    const age = d.sketch.age;
    const earnings: Earnings = { wageFen: 0, pensionFen: 0, otherIncomeFen: 0 };
    if (d.categories.includes('tekun')) {
      earnings.pensionFen =
        this.random.between(
          0,
          shareOfFen(this.cal.file.dibao.test.standardFen, e.poor.elderPensionMaxOfStandard) / 100,
        ) * 100;
    } else if (d.sketch.ageClass === 'elder') {
      earnings.pensionFen = this.random.between(e.pensionFen.min / 100, e.pensionFen.max / 100) * 100;
      d.employed = this.random.chance(e.employmentRate.elder);
    } else if (age >= 18 && !d.severeUnemployed) {
      d.employed = this.random.chance(e.employmentRate.adult);
    }
    if (d.employed) earnings.wageFen = logUniformFen(this.random, e.wageFen.min, e.wageFen.max);
    if (age >= 18 && this.random.chance(e.otherIncome.share)) {
      earnings.otherIncomeFen =
        this.random.between(e.otherIncome.minFen / 100, e.otherIncome.maxFen / 100) * 100;
    }
    d.earnings = earnings;
  }

  private formationDay(head: PersonDraft): number {
    const adult = head.birthDay + ADULT_DAYS;
    const maxYears = Math.min(Math.max(head.sketch.age - 18, 0), 40);
    return Math.min(this.asOfDay, Math.max(adult, this.asOfDay - this.random.below(maxYears * 365 + 1)));
  }

  /**
   * A 低保 household's standing 核对授权书: signed by the members adult on the as-of date, a month before it
   * (or on the day the last of them joined, if later), so that its periodic re-verification may query them.
   */
  private authorisation(householdId: string, members: readonly GeneratedMember[]): GeneratedAuthorisation {
    const asOf = this.opts.asOf;
    const adultAge = verificationParameter(VP.adult_age, asOf);
    const adults = members.filter((m) => ageOn(m.person.birthDate, asOf) >= adultAge);
    const joined = adults.reduce(
      (latest, m) => (m.validFrom > latest ? m.validFrom : latest),
      addDays(asOf, -30),
    );
    return {
      id: householdRecordId(householdId, 1),
      attachmentId: householdRecordId(householdId, 2),
      personIds: adults.map((m) => m.person.id),
      signedOn: joined,
    };
  }

  private member(
    d: PersonDraft,
    seq: number,
    committee: Committee,
    formation: number,
    married: boolean,
  ): GeneratedMember {
    const s = d.sketch;
    const birthDate = this.days.format(d.birthDay);
    let from = formation;
    if (s.role === 'spouse' || s.role === 'childInLaw') from = Math.max(formation, d.birthDay + ADULT_DAYS);
    else if (s.role === 'child' || s.role === 'grandchild') from = Math.max(formation, d.birthDay);
    from = Math.min(from, this.asOfDay);
    const e = this.cal.file.economics.seriousIllness;
    const person: GeneratedPerson = {
      id: this.uuids.make(1, this.personIndex + seq),
      idNumber: this.ids.issue(d.addressCode, d.birthDay, birthDate, s.sex),
      name: s.surname.text + s.given.text,
      nameInitials: s.surname.initials + s.given.initials,
      sex: s.sex,
      birthDate,
      age: s.age,
      ethnicity: ETHNICITY.draw(this.random),
      maritalStatus: this.maritalStatus(s, married),
      phone: this.phone(s.age),
      shanghaiHukou: d.shanghaiHukou,
      hukouDivisionCode: d.shanghaiHukou ? committee.code : d.addressCode,
      residenceDivisionCode: committee.code,
      disabilityCategory: d.disabilityCategory,
      disabilityGrade: d.disabilityGrade,
      employed: d.employed,
      seriousIllness: this.random.chance(
        s.ageClass === 'elder' ? e.elder : s.ageClass === 'adult' ? e.adult : e.child,
      ),
      hasSupporter: d.hasSupporter,
      categories: d.categories,
      ...d.earnings,
    };
    return { person, relationCode: s.relationCode, validFrom: this.days.format(from), seq };
  }

  /** GB/T 2261.2: 10 未婚, 20 已婚, 30 丧偶, 40 离婚. */
  private maritalStatus(s: MemberSketch, married: boolean): string {
    if (married) return '20';
    if (s.age < 18) return '10';
    const x = this.random.float();
    if (s.ageClass === 'elder') return x < 0.8 ? '30' : x < 0.95 ? '40' : '10';
    return x < 0.6 ? '10' : '40';
  }

  private phone(age: number): string | null {
    if (age < 12 || (age >= 85 && this.random.chance(0.5))) return null;
    return this.random.pick(PHONE_PREFIXES) + String(this.random.below(100_000_000)).padStart(8, '0');
  }
}

/** At least 18 years in days (18 years hold 4 or 5 leap days). */
const ADULT_DAYS = 18 * 365 + 5;

/** 户编号: the district code, D (demo) and the 1-based household number. */
export function householdNumber(district: string, index: number): string {
  return `${district}D${String(index + 1).padStart(9, '0')}`;
}
