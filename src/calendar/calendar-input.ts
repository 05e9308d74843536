/**
 * An official year as an administrator enters it (API body, console form, or the file `calendar import`
 * reads), checked in full before anything is written: every problem is reported at once, in Chinese.
 *
 * The layout, the same for the API and a JSON file (a file may also carry `"year"`):
 *   { "source": "国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕X号）",
 *     "holidays": [{ "name": "春节", "from": "2027-02-05", "to": "2027-02-13" }, …],   放假（含其间的周末）
 *     "workdays": [{ "name": "春节", "date": "2027-02-14" }, …] }                      调休上班
 * A CSV file has the header `类型,开始日期,结束日期,名称` and one row per holiday range (类型 放假) or
 * make-up day (类型 上班, 结束日期 empty or the same day); its citation comes from `--source`.
 */
import { normaliseText, textProblem, TEXT_PROBLEM_MESSAGES, visibleLength } from '../core/text.ts';
import { calendarProblems, type CalendarProblem } from './calendar.errors.ts';
import {
  daysFromCivil,
  isoOfDay,
  isWeekendDay,
  tryParseIsoDay,
  WEEKDAY_NAMES,
  weekdayOfDay,
} from './days.ts';
import { NEW_YEAR_REACH_DAYS, statutoryDays, type CalendarDay } from './provisional.ts';

export interface HolidayRange {
  name: string;
  from: string;
  to: string;
}

export interface MakeupDay {
  name: string;
  date: string;
}

export interface CalendarYearInput {
  source: string;
  holidays: HolidayRange[];
  workdays: MakeupDay[];
}

/** The longest holiday range accepted (the longest ever arranged was 9 days; 2020's extension 10). */
export const MAX_RANGE_DAYS = 15;
export const MAX_ENTRIES = 100;
export const MAX_FILE_BYTES = 64 * 1024;

function textField(
  value: unknown,
  field: string,
  what: string,
  max: number,
  problems: CalendarProblem[],
): string {
  if (typeof value !== 'string') {
    problems.push({ field, message: `缺少${what}` });
    return '';
  }
  const problem = textProblem(value);
  if (problem) {
    problems.push({ field, message: `${what}${TEXT_PROBLEM_MESSAGES[problem]}` });
    return '';
  }
  const text = normaliseText(value.trim().replace(/\s+/g, ' '));
  if (visibleLength(text) === 0) problems.push({ field, message: `缺少${what}` });
  else if ([...text].length > max) problems.push({ field, message: `${what}不能超过 ${max} 个字符` });
  return text;
}

function dateField(value: unknown, field: string, problems: CalendarProblem[]): number | undefined {
  const day = typeof value === 'string' ? tryParseIsoDay(value.trim()) : undefined;
  if (day === undefined)
    problems.push({
      field,
      message: `应为 YYYY-MM-DD 格式的有效日期：${typeof value === 'string' ? value || '（空）' : JSON.stringify(value ?? null)}`,
    });
  return day;
}

/** What a valid input becomes: the days to store, and what deserves a second look (not an error). */
export interface CheckedYear {
  year: number;
  source: string;
  days: CalendarDay[];
  warnings: string[];
}

/**
 * Checks an official year: dates real and within the year (a holiday or make-up day may reach back into
 * the last week of December before it, for 元旦), ranges in order and at most 15 days, make-up days on a
 * Saturday or Sunday, no day listed twice. A statutory holiday the law gives but the input leaves out is a
 * warning: the notice is the authority, the rules may be out of date.
 */
export function checkYearInput(year: number, input: unknown): CheckedYear {
  const problems: CalendarProblem[] = [];
  const body = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const source = textField(body.source, 'source', '来源（通知名称及文号）', 300, problems);
  const first = daysFromCivil(year - 1, 12, 31) - NEW_YEAR_REACH_DAYS + 1;
  const last = daysFromCivil(year, 12, 31);
  const span = `${isoOfDay(first)} 至 ${year}-12-31`;
  const seen = new Map<number, string>();
  const days: CalendarDay[] = [];
  const claim = (day: number, field: string, entry: CalendarDay): void => {
    const earlier = seen.get(day);
    if (earlier !== undefined) {
      problems.push({ field, message: `${isoOfDay(day)} 已在 ${earlier} 中列出，同一天只能列一次` });
      return;
    }
    seen.set(day, field);
    days.push(entry);
  };

  const holidays = Array.isArray(body.holidays) ? body.holidays : undefined;
  const workdays =
    body.workdays === undefined ? [] : Array.isArray(body.workdays) ? body.workdays : undefined;
  if (!holidays) problems.push({ field: 'holidays', message: '缺少放假安排（holidays 应为列表）' });
  else if (holidays.length === 0) problems.push({ field: 'holidays', message: '未列出任何放假日期' });
  if (!workdays) problems.push({ field: 'workdays', message: 'workdays 应为列表' });
  if ((holidays?.length ?? 0) + (workdays?.length ?? 0) > MAX_ENTRIES)
    problems.push({ field: '', message: `条目过多（最多 ${MAX_ENTRIES} 条）` });
  else {
    for (const [i, raw] of (holidays ?? []).entries()) {
      const entry = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
      const field = `holidays[${i}]`;
      const name = textField(entry.name, `${field}.name`, '节日名称', 30, problems);
      const from = dateField(entry.from, `${field}.from`, problems);
      const to =
        entry.to === undefined || entry.to === '' ? from : dateField(entry.to, `${field}.to`, problems);
      if (from === undefined || to === undefined || !name) continue;
      if (to < from) {
        problems.push({
          field: `${field}.to`,
          message: `结束日期 ${isoOfDay(to)} 早于开始日期 ${isoOfDay(from)}`,
        });
        continue;
      }
      if (to - from + 1 > MAX_RANGE_DAYS) {
        problems.push({
          field,
          message: `一段放假不能超过 ${MAX_RANGE_DAYS} 天（${isoOfDay(from)} 至 ${isoOfDay(to)}）`,
        });
        continue;
      }
      if (from < first || to > last) {
        problems.push({ field, message: `${year} 年的放假日期应在 ${span} 之间` });
        continue;
      }
      for (let d = from; d <= to; d++) claim(d, field, { date: isoOfDay(d), kind: 'holiday', name });
    }
    for (const [i, raw] of (workdays ?? []).entries()) {
      const entry = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
      const field = `workdays[${i}]`;
      const name = textField(entry.name, `${field}.name`, '节日名称', 30, problems);
      const date = dateField(entry.date, `${field}.date`, problems);
      if (date === undefined || !name) continue;
      if (date < first || date > last) {
        problems.push({ field, message: `${year} 年的调休上班日应在 ${span} 之间` });
        continue;
      }
      if (!isWeekendDay(date)) {
        problems.push({
          field: `${field}.date`,
          message: `调休上班日应为周六或周日，${isoOfDay(date)} 是${WEEKDAY_NAMES[weekdayOfDay(date)]}`,
        });
        continue;
      }
      claim(date, field, { date: isoOfDay(date), kind: 'workday', name });
    }
  }
  if (problems.length > 0) throw calendarProblems(`${year} 年工作日历有错误，未保存任何内容`, problems);

  const warnings: string[] = [];
  const off = new Set(days.filter((d) => d.kind === 'holiday').map((d) => d.date));
  for (const festival of statutoryDays(year)) {
    for (const d of festival.days) {
      const iso = isoOfDay(d);
      if (!off.has(iso))
        warnings.push(`按放假办法 ${iso}（${festival.name}）为法定假日，但未列为放假，请核对通知`);
    }
  }
  days.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  return { year, source, days, warnings };
}

/**
 * A year's days as the input layout: holiday ranges (runs of consecutive days off, named by their festivals
 * in order — 国庆节、中秋节 when 中秋 falls inside 国庆, as the notices write it) and make-up days.
 */
export function toYearInput(source: string, days: readonly CalendarDay[]): CalendarYearInput {
  const holidays: HolidayRange[] = [];
  const workdays: MakeupDay[] = [];
  let open: { names: string[]; from: number; to: number } | undefined;
  const close = () => {
    if (open)
      holidays.push({ name: open.names.join('、'), from: isoOfDay(open.from), to: isoOfDay(open.to) });
    open = undefined;
  };
  const sorted = [...days].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  for (const d of sorted) {
    const day = tryParseIsoDay(d.date) ?? 0;
    if (d.kind === 'workday') {
      workdays.push({ name: d.name, date: d.date });
      continue;
    }
    if (open && open.to === day - 1) {
      open.to = day;
      if (!open.names.includes(d.name)) open.names.push(d.name);
    } else {
      close();
      open = { names: [d.name], from: day, to: day };
    }
  }
  close();
  return { source, holidays, workdays };
}

const CSV_KINDS: Record<string, 'holiday' | 'workday'> = {
  放假: 'holiday',
  holiday: 'holiday',
  上班: 'workday',
  workday: 'workday',
};

function csvCells(line: string): string[] {
  return line.split(',').map((cell) =>
    cell
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .replaceAll('""', '"'),
  );
}

/**
 * Reads `calendar import`'s file (JSON or CSV, by its name or, failing that, its first character) into the
 * input layout; structural problems (not JSON, wrong header, a bad 类型) are reported with their line.
 */
export function parseCalendarFile(
  fileName: string,
  bytes: Uint8Array,
  options: { year: number; source?: string | undefined },
): unknown {
  if (bytes.byteLength > MAX_FILE_BYTES)
    throw calendarProblems('文件无法读取', [
      { field: '', message: `文件过大（最多 ${MAX_FILE_BYTES / 1024} KB）` },
    ]);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    throw calendarProblems('文件无法读取', [{ field: '', message: '文件不是 UTF-8 编码的文本' }]);
  }
  const json = /\.json$/i.test(fileName) || (!/\.csv$/i.test(fileName) && text.trimStart().startsWith('{'));
  if (json) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw calendarProblems('文件不是有效的 JSON', [{ field: '', message: why }]);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw calendarProblems('文件格式错误', [
        { field: '', message: 'JSON 应为一个对象：{ "source", "holidays", "workdays" }' },
      ]);
    const body = parsed as Record<string, unknown>;
    if (body.year !== undefined && body.year !== options.year)
      throw calendarProblems('文件与年份不符', [
        {
          field: 'year',
          message: `文件写的是 ${JSON.stringify(body.year)} 年，命令要导入的是 ${options.year} 年`,
        },
      ]);
    return { ...body, ...(options.source === undefined ? {} : { source: options.source }) };
  }

  const lines = text.split(/\r?\n/);
  const header = csvCells(lines[0] ?? '').join(',');
  if (header !== '类型,开始日期,结束日期,名称' && header !== 'kind,from,to,name')
    throw calendarProblems('CSV 文件格式错误', [
      { field: '第 1 行', message: `表头应为“类型,开始日期,结束日期,名称”，实为“${header}”` },
    ]);
  const problems: CalendarProblem[] = [];
  const holidays: Record<string, string>[] = [];
  const workdays: Record<string, string>[] = [];
  lines.slice(1).forEach((line, i) => {
    if (line.trim() === '') return;
    const [kind = '', from = '', to = '', name = '', ...extra] = csvCells(line);
    const where = `第 ${i + 2} 行`;
    const k = CSV_KINDS[kind];
    if (extra.some((cell) => cell !== '')) problems.push({ field: where, message: '列数多于 4 列' });
    else if (!k) problems.push({ field: where, message: `类型应为“放假”或“上班”：${kind || '（空）'}` });
    else if (k === 'holiday') holidays.push({ name, from, to: to || from });
    else if (to && to !== from)
      problems.push({ field: where, message: '调休上班每行一天：结束日期应为空或与开始日期相同' });
    else workdays.push({ name, date: from });
  });
  if (problems.length > 0) throw calendarProblems('CSV 文件有错误，未保存任何内容', problems);
  return { source: options.source, holidays, workdays };
}
