/**
 * 暂定工作日历: a year's holidays and make-up working days derived from the rules, for a year whose State
 * Council notice is not in the calendar table yet. Never a silent weekends-only guess: every festival of the
 * law is placed, and everything derived here is marked provisional until an administrator imports the year.
 *
 * Rules as data (rules/*.yaml, dated, cited): which days the law gives (statutory-holidays.yaml) and how
 * the notices arrange them into runs of days off (arrangement.yaml). What is ours, not the State Council's,
 * is how the make-up days (调休上班) are chosen, written down here:
 *  1. Each festival's statutory days become one block of days off: `block` days from a fixed start (春节
 *     from 除夕, 国庆节 from 1 October), or, without a start, the `block`-day window holding the statutory
 *     days that needs the fewest make-up days, the latest such window on a tie (so a festival on a
 *     Saturday or Sunday rests Saturday to Monday, one on a Friday Friday to Sunday). A festival whose
 *     window would need more than `maxMakeupDays` make-up days gets its statutory days alone (元旦 on a
 *     Wednesday: that day only), with a following weekday off for any that falls on a weekend (补休).
 *     中秋节 falling within `mergeInto.from…to` days of 1 October joins 国庆节 in one block of
 *     `mergeInto.block` days.
 *  2. A block needs as many make-up days as it has weekdays beyond the statutory days.
 *  3. Make-up days are weekend days outside every block, at most one per weekend, that keep every run of
 *     working days within `maxConsecutiveWorkdays`; taken alternately on either side of the block, first
 *     from the side with the better candidate; the better candidate leaves no lone day of rest between two
 *     working days, then lies nearer to the block.
 *  4. A weekend day of rest next to a block is counted in it, as the notices do.
 * For 2025 and 2026 this gives exactly the State Council's days (provisional.test.ts).
 */
import { readFileSync } from 'node:fs';
import chineseDays from 'chinese-days';
import { CORE_SCHEMA, load } from 'js-yaml';
import { z } from 'zod';
import { CalendarError } from './calendar.errors.ts';
import { daysFromCivil, isoOfDay, isWeekendDay, tryParseIsoDay, weekdayOfDay } from './days.ts';

export type DayKind = 'holiday' | 'workday';

/** One day that is not an ordinary day: a day off (放假, weekends inside a block included) or a make-up working day (调休上班). */
export interface CalendarDay {
  date: string;
  kind: DayKind;
  name: string;
}

/** A derived year: its days, and the rules it was derived from (for the page and the deadlines' rule text). */
export interface ProvisionalYear {
  year: number;
  days: CalendarDay[];
  basis: { statutory: RuleCitation; arrangement: RuleCitation };
}

export interface RuleCitation {
  effective: string;
  status: string;
  source: string;
}

const isoDate = z
  .string()
  .refine((s) => tryParseIsoDay(s) !== undefined, '应为 YYYY-MM-DD 日期 (expected a YYYY-MM-DD date)');
const monthDay = z.string().regex(/^\d{2}-\d{2}$/, '应为 MM-DD');
const lunarDay = z.union([z.literal('eve'), monthDay]);
const status = z.enum(['given', 'found', 'secondary', 'inferred', 'unverified', 'assumption']);
const citation = {
  effective: isoDate,
  status,
  source: z.string().min(1, '必须注明来源 (source is required)'),
  note: z.string().optional(),
};

const festivalKey = z.enum([
  'new_year',
  'spring_festival',
  'qingming',
  'labour_day',
  'dragon_boat',
  'mid_autumn',
  'national_day',
]);
type FestivalKey = z.infer<typeof festivalKey>;

const statutoryHoliday = z.union([
  z.strictObject({
    key: festivalKey,
    name: z.string().min(1),
    date: monthDay,
    days: z.number().int().min(1).max(7),
  }),
  z.strictObject({
    key: festivalKey,
    name: z.string().min(1),
    lunar: lunarDay,
    days: z.number().int().min(1).max(7),
  }),
  z.strictObject({
    key: festivalKey,
    name: z.string().min(1),
    solarTerm: z.literal('qingming'),
    days: z.number().int().min(1).max(7),
  }),
]);
type StatutoryHoliday = z.infer<typeof statutoryHoliday>;

const statutoryFile = z.strictObject({
  description: z.string().min(1),
  values: z.array(z.strictObject({ ...citation, holidays: z.array(statutoryHoliday).min(1) })).min(1),
});

const anchor = z.union([z.strictObject({ date: monthDay }), z.strictObject({ lunar: lunarDay })]);
const festivalArrangement = z.strictObject({
  block: z.number().int().min(1).max(15),
  from: anchor.optional(),
  maxMakeupDays: z.number().int().min(0).optional(),
  mergeInto: z
    .strictObject({
      key: festivalKey,
      from: z.number().int(),
      to: z.number().int(),
      block: z.number().int().min(1).max(15),
    })
    .optional(),
});
type FestivalArrangement = z.infer<typeof festivalArrangement>;

const arrangementFile = z.strictObject({
  description: z.string().min(1),
  values: z
    .array(
      z.strictObject({
        ...citation,
        maxConsecutiveWorkdays: z.number().int().min(1).nullable(),
        holidays: z.record(festivalKey, festivalArrangement),
      }),
    )
    .min(1),
});

export interface HolidayRules {
  statutory: z.infer<typeof statutoryFile>;
  arrangement: z.infer<typeof arrangementFile>;
}

const RULES_DIR = new URL('./rules/', import.meta.url);

function readRuleFile<T>(file: string, schema: z.ZodType<T>): T {
  const raw = load(readFileSync(new URL(file, RULES_DIR), 'utf8'), { schema: CORE_SCHEMA });
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `放假规则文件 calendar/rules/${file} 字段 ${issue?.path.join('.') ?? ''}：${issue?.message ?? ''}`,
    );
  }
  const values = (parsed.data as { values: { effective: string }[] }).values;
  for (let i = 1; i < values.length; i++) {
    if (!((values[i - 1]?.effective ?? '') < (values[i]?.effective ?? '')))
      throw new Error(`放假规则文件 calendar/rules/${file}：生效日期须严格递增`);
  }
  return parsed.data;
}

let loaded: HolidayRules | undefined;

/** The rule files, read and checked once. */
export function holidayRules(): HolidayRules {
  loaded ??= {
    statutory: readRuleFile('statutory-holidays.yaml', statutoryFile),
    arrangement: readRuleFile('arrangement.yaml', arrangementFile),
  };
  return loaded;
}

/** The revision in force on 1 January of `year` (the first one for years before it). */
function inForce<T extends { effective: string }>(values: readonly T[], year: number): T {
  const first = `${year}-01-01`;
  let chosen = values[0];
  for (const v of values) if (v.effective <= first) chosen = v;
  if (!chosen) throw new Error('放假规则文件没有任何条目');
  return chosen;
}

/** The lunar calendar's range in chinese-days (its table covers lunar years 1900–2100). */
export const LUNAR_FIRST_YEAR = 1901;
export const LUNAR_LAST_YEAR = 2100;

function lunarDayNumber(year: number, spec: string): number {
  if (year < LUNAR_FIRST_YEAR || year > LUNAR_LAST_YEAR)
    throw new CalendarError(
      'out_of_range',
      `农历换算只支持 ${LUNAR_FIRST_YEAR}—${LUNAR_LAST_YEAR} 年：${year}`,
    );
  if (spec === 'eve') return lunarDayNumber(year, '01-01') - 1;
  const solar = chineseDays.getSolarDateFromLunar(`${year}-${spec}`).date;
  const day = tryParseIsoDay(solar);
  if (day === undefined) throw new Error(`农历 ${year}-${spec} 换算失败`);
  return day;
}

function qingmingDay(year: number): number {
  const day = tryParseIsoDay(chineseDays.getSolarTermDate(year, 4, 'pure_brightness'));
  if (day === undefined) throw new Error(`${year} 年清明节气换算失败`);
  return day;
}

function monthDayNumber(year: number, md: string): number {
  return daysFromCivil(year, Number(md.slice(0, 2)), Number(md.slice(3, 5)));
}

function firstStatutoryDay(year: number, h: StatutoryHoliday): number {
  if ('date' in h) return monthDayNumber(year, h.date);
  if ('lunar' in h) return lunarDayNumber(year, h.lunar);
  return qingmingDay(year);
}

function anchorDay(year: number, a: z.infer<typeof anchor>): number {
  return 'date' in a ? monthDayNumber(year, a.date) : lunarDayNumber(year, a.lunar);
}

/** A festival's statutory days of `year` under the law in force (day numbers). */
export function statutoryDays(year: number): { key: FestivalKey; name: string; days: number[] }[] {
  const law = inForce(holidayRules().statutory.values, year);
  return law.holidays.map((h) => {
    const first = firstStatutoryDay(year, h);
    return { key: h.key, name: h.name, days: Array.from({ length: h.days }, (_, i) => first + i) };
  });
}

interface Block {
  name: string;
  /** Statutory days and their names (中秋节 inside a merged 国庆节 block keeps its own name). */
  statutory: Map<number, string>;
  first: number;
  last: number;
  makeups: number;
}

function weekdaysIn(first: number, last: number): number {
  let n = 0;
  for (let d = first; d <= last; d++) if (!isWeekendDay(d)) n++;
  return n;
}

/** A block of `length` days from `first` (longer when a statutory day lies beyond it). */
function fixedBlock(name: string, statutory: Map<number, string>, first: number, length: number): Block {
  const last = Math.max(first + length - 1, ...statutory.keys());
  return { name, statutory, first, last, makeups: Math.max(0, weekdaysIn(first, last) - statutory.size) };
}

function placeBlock(
  year: number,
  name: string,
  statutory: Map<number, string>,
  rule: FestivalArrangement,
): Block {
  const days = [...statutory.keys()].sort((a, b) => a - b);
  const firstStat = days[0] ?? 0;
  const lastStat = days.at(-1) ?? 0;
  let block: Block;
  if (rule.from) {
    block = fixedBlock(name, statutory, Math.min(anchorDay(year, rule.from), firstStat), rule.block);
  } else {
    // The latest window with the fewest make-up days among those holding every statutory day.
    let first = firstStat;
    let best = Number.POSITIVE_INFINITY;
    for (let s = firstStat; s >= lastStat - rule.block + 1; s--) {
      const cost = weekdaysIn(s, s + rule.block - 1) - days.length;
      if (cost < best) {
        best = cost;
        first = s;
      }
    }
    block = fixedBlock(name, statutory, first, rule.block);
  }
  if (rule.maxMakeupDays !== undefined && block.makeups > rule.maxMakeupDays) {
    // The statutory days alone, each one on a weekend followed by a weekday off (补休).
    let last = lastStat;
    let owed = days.filter((d) => isWeekendDay(d)).length;
    while (owed > 0) {
      last++;
      if (!isWeekendDay(last)) owed--;
    }
    block = { name, statutory, first: firstStat, last, makeups: 0 };
  }
  return block;
}

/** The window make-up days may fall in: year Y's notice reaches back to late December of Y−1 (元旦). */
export const NEW_YEAR_REACH_DAYS = 7;

interface Candidate {
  day: number;
  distance: number;
  leavesLoneRestDay: boolean;
}

function arrange(year: number): CalendarDay[] {
  const practice = inForce(holidayRules().arrangement.values, year);
  const festivals = statutoryDays(year);
  const byKey = new Map(festivals.map((f) => [f.key, f]));
  const blocks: Block[] = [];

  // A festival that falls within its merge window (中秋节 near 1 October) joins the other's block.
  const joins = new Map<FestivalKey, FestivalKey[]>();
  const joined = new Set<FestivalKey>();
  for (const f of festivals) {
    const target = practice.holidays[f.key]?.mergeInto;
    const other = target ? byKey.get(target.key) : undefined;
    if (!target || !other) continue;
    const offset = (f.days[0] ?? 0) - (other.days[0] ?? 0);
    if (offset < target.from || offset > target.to) continue;
    joins.set(other.key, [...(joins.get(other.key) ?? []), f.key]);
    joined.add(f.key);
  }

  for (const f of festivals) {
    if (joined.has(f.key)) continue;
    const rule: FestivalArrangement = practice.holidays[f.key] ?? { block: f.days.length };
    const statutory = new Map<number, string>(f.days.map((d) => [d, f.name]));
    const joining = joins.get(f.key) ?? [];
    if (joining.length === 0) {
      blocks.push(placeBlock(year, f.name, statutory, rule));
      continue;
    }
    // One block from the earliest statutory day (自10月1日起, or from 中秋 when it comes first).
    let length = rule.block;
    for (const key of joining) {
      const other = byKey.get(key);
      for (const d of other?.days ?? []) statutory.set(d, other?.name ?? f.name);
      length = practice.holidays[key]?.mergeInto?.block ?? length;
    }
    blocks.push(fixedBlock(f.name, statutory, Math.min(...statutory.keys()), length));
  }
  blocks.sort((a, b) => a.first - b.first);

  const windowFirst = daysFromCivil(year - 1, 12, 31) - NEW_YEAR_REACH_DAYS + 1;
  const windowLast = daysFromCivil(year, 12, 31);
  const off = new Set<number>();
  for (const b of blocks) for (let d = b.first; d <= b.last; d++) off.add(d);
  /** Make-up day → the festival whose block asked for it. */
  const makeup = new Map<number, string>();
  const working = (d: number) => makeup.has(d) || (!isWeekendDay(d) && !off.has(d));
  const maxRun = practice.maxConsecutiveWorkdays;

  const runThrough = (d: number): number => {
    let n = 1;
    for (let x = d - 1; working(x); x--) n++;
    for (let x = d + 1; working(x); x++) n++;
    return n;
  };
  const partner = (d: number) => (weekdayOfDay(d) === 6 ? d + 1 : d - 1);
  const acceptable = (d: number): boolean => {
    if (d < windowFirst || d > windowLast) return false;
    if (!isWeekendDay(d) || off.has(d) || makeup.has(d) || makeup.has(partner(d))) return false;
    if (maxRun === null) return true;
    makeup.set(d, '');
    const run = runThrough(d);
    makeup.delete(d);
    return run <= maxRun;
  };
  const leavesLoneRestDay = (d: number): boolean => {
    const p = partner(d);
    if (working(p)) return false;
    const beyond = weekdayOfDay(d) === 6 ? p + 1 : p - 1;
    return working(beyond);
  };
  const best = (b: Block, side: -1 | 1): Candidate | undefined => {
    let found: Candidate | undefined;
    for (let distance = 1; distance <= 28; distance++) {
      const d = side < 0 ? b.first - distance : b.last + distance;
      if (!acceptable(d)) continue;
      const c = { day: d, distance, leavesLoneRestDay: leavesLoneRestDay(d) };
      if (!found || better(c, found)) found = c;
      if (!c.leavesLoneRestDay) break;
    }
    return found;
  };

  for (const b of blocks) {
    let nextSide: -1 | 1 | undefined;
    for (let k = 0; k < b.makeups; k++) {
      const before = best(b, -1);
      const after = best(b, 1);
      let pick: Candidate | undefined;
      let side: -1 | 1;
      if (nextSide !== undefined && (nextSide < 0 ? before : after)) {
        side = nextSide;
        pick = side < 0 ? before : after;
      } else if (before && (!after || !better(after, before))) {
        side = -1;
        pick = before;
      } else {
        side = 1;
        pick = after;
      }
      if (!pick) break;
      makeup.set(pick.day, b.name);
      nextSide = side < 0 ? 1 : -1;
    }
  }

  // A weekend day of rest next to a block belongs to it, as the notices count it (2026: 春节 from Sunday
  // 15 February, 腊月二十八, when Saturday 14 is worked).
  for (const b of blocks) {
    while (
      isWeekendDay(b.first - 1) &&
      !makeup.has(b.first - 1) &&
      !off.has(b.first - 1) &&
      b.first - 1 >= windowFirst
    )
      off.add(--b.first);
    while (
      isWeekendDay(b.last + 1) &&
      !makeup.has(b.last + 1) &&
      !off.has(b.last + 1) &&
      b.last + 1 <= windowLast
    )
      off.add(++b.last);
  }

  const days: CalendarDay[] = [];
  for (const b of blocks) {
    for (let d = b.first; d <= b.last; d++)
      days.push({ date: isoOfDay(d), kind: 'holiday', name: b.statutory.get(d) ?? b.name });
  }
  for (const [d, name] of makeup) days.push({ date: isoOfDay(d), kind: 'workday', name });
  days.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  return days;
}

function better(a: Candidate, b: Candidate): boolean {
  if (a.leavesLoneRestDay !== b.leavesLoneRestDay) return !a.leavesLoneRestDay;
  return a.distance < b.distance;
}

const cache = new Map<number, ProvisionalYear>();

/** The provisional calendar of `year`, derived from the rules in force on its 1 January (cached). */
export function provisionalYear(year: number): ProvisionalYear {
  const hit = cache.get(year);
  if (hit) return hit;
  const rules = holidayRules();
  const law = inForce(rules.statutory.values, year);
  const practice = inForce(rules.arrangement.values, year);
  const derived: ProvisionalYear = {
    year,
    days: arrange(year),
    basis: {
      statutory: { effective: law.effective, status: law.status, source: law.source },
      arrangement: { effective: practice.effective, status: practice.status, source: practice.source },
    },
  };
  cache.set(year, derived);
  return derived;
}
