import type { CalendarDay, CalendarYear, DayKind, HolidayRange, MakeupDay } from '../../api/calendar.ts';

/** 工作日历 page: month grids, the legend and the import form's rows (pure: unit-tested in data.test.ts). */

export type CellKind = DayKind | 'weekend' | 'normal';

export interface DayCell {
  date: string;
  day: number;
  kind: CellKind;
  /** The festival of a holiday or make-up day. */
  name: string;
  today: boolean;
}

export interface MonthGrid {
  month: number;
  title: string;
  /** Weeks from Monday; null pads the days of other months. */
  weeks: (DayCell | null)[][];
  holidays: number;
  makeups: number;
}

export const WEEK_HEADER = ['一', '二', '三', '四', '五', '六', '日'] as const;

export const LEGEND: { kind: CellKind; label: string }[] = [
  { kind: 'holiday', label: '放假' },
  { kind: 'workday', label: '调休上班' },
  { kind: 'weekend', label: '周末' },
  { kind: 'normal', label: '工作日' },
];

export const STATUS_LABELS: Record<CalendarYear['status'], { label: string; type: 'success' | 'warning' }> = {
  official: { label: '官方', type: 'success' },
  provisional: { label: '暂定', type: 'warning' },
};

const pad = (n: number) => String(n).padStart(2, '0');

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** 0 Monday … 6 Sunday, in UTC (a date here is a calendar date, never an instant). */
function mondayIndex(year: number, month: number, day: number): number {
  return (new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7;
}

/** The twelve months of a year with each day's kind (the year's own days; late December of the year before is not drawn). */
export function yearGrids(year: number, days: readonly CalendarDay[], today: string): MonthGrid[] {
  const byDate = new Map(days.map((d) => [d.date, d]));
  return Array.from({ length: 12 }, (_, i) => {
    const month = i + 1;
    const cells: (DayCell | null)[] = Array.from({ length: mondayIndex(year, month, 1) }, () => null);
    let holidays = 0;
    let makeups = 0;
    for (let day = 1; day <= daysIn(year, month); day++) {
      const date = `${year}-${pad(month)}-${pad(day)}`;
      const marked = byDate.get(date);
      const weekend = mondayIndex(year, month, day) >= 5;
      const kind: CellKind = marked?.kind ?? (weekend ? 'weekend' : 'normal');
      if (kind === 'holiday') holidays++;
      if (kind === 'workday') makeups++;
      cells.push({ date, day, kind, name: marked?.name ?? '', today: date === today });
    }
    while (cells.length % 7 !== 0) cells.push(null);
    const weeks: (DayCell | null)[][] = [];
    for (let w = 0; w < cells.length; w += 7) weeks.push(cells.slice(w, w + 7));
    return { month, title: `${month}月`, weeks, holidays, makeups };
  });
}

export function cellTitle(cell: DayCell): string {
  const what =
    cell.kind === 'holiday'
      ? `${cell.name} 放假`
      : cell.kind === 'workday'
        ? `${cell.name} 调休上班`
        : cell.kind === 'weekend'
          ? '周末'
          : '工作日';
  return `${cell.date} ${what}`;
}

/** Days of a holiday range, both ends included. */
export function rangeDays(range: { from: string; to: string }): number {
  const from = Date.parse(`${range.from}T00:00:00Z`);
  const to = Date.parse(`${range.to}T00:00:00Z`);
  return Number.isNaN(from) || Number.isNaN(to) ? 0 : Math.round((to - from) / 86_400_000) + 1;
}

/** The import form: the rows an administrator edits, started from the year as shown. */
export interface ImportForm {
  source: string;
  reason: string;
  holidays: HolidayRange[];
  workdays: MakeupDay[];
}

export function importFormFrom(year: CalendarYear): ImportForm {
  return {
    // A provisional year's citation is ours, not the notice's: the administrator types the notice.
    source: year.status === 'official' ? year.source : '',
    reason: '',
    holidays: year.holidays.map((h) => ({ ...h })),
    workdays: year.workdays.map((w) => ({ ...w })),
  };
}

/**
 * A JSON file in the import layout (the one `calendar import` reads and `calendar show --json` prints):
 * `{ "source", "holidays": [{ "name", "from", "to" }], "workdays": [{ "name", "date" }] }`. Only its shape is
 * checked here; the server checks the dates and says what is wrong.
 */
export function formFromJson(text: string, year: number, current: ImportForm): ImportForm {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error('文件不是有效的 JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error('JSON 应为一个对象：{ "source", "holidays", "workdays" }');
  const body = parsed as Record<string, unknown>;
  if (body.year !== undefined && body.year !== year)
    throw new Error(`文件写的是 ${JSON.stringify(body.year)} 年，当前页面是 ${year} 年`);
  if (!Array.isArray(body.holidays)) throw new Error('文件缺少 holidays 列表');
  const text_ = (value: unknown) => (typeof value === 'string' ? value : '');
  const holidays = body.holidays.map((raw: unknown) => {
    const h = (raw ?? {}) as Record<string, unknown>;
    return { name: text_(h.name), from: text_(h.from), to: text_(h.to) || text_(h.from) };
  });
  const workdays = (Array.isArray(body.workdays) ? body.workdays : []).map((raw: unknown) => {
    const w = (raw ?? {}) as Record<string, unknown>;
    return { name: text_(w.name), date: text_(w.date) };
  });
  return { ...current, source: text_(body.source) || current.source, holidays, workdays };
}

/** Years the selector offers: every year the calendar answers for. */
export function yearOptions(first: number, last: number): number[] {
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

const FIELD_LABELS: Record<string, string> = {
  source: '通知',
  'body.source': '通知',
  'body.reason': '原因',
  holidays: '放假',
  workdays: '调休上班',
};

/** A problem's field as the form names it: `holidays[2].to` → 放假第 3 行（结束日期）. */
export function fieldLabel(field: string): string {
  const row = /^(?:body\.)?(holidays|workdays)[[.](\d+)\]?(?:\.(\w+))?$/.exec(field);
  if (row) {
    const part = { name: '节日', from: '开始日期', to: '结束日期', date: '日期' }[row[3] ?? ''] ?? '';
    return `${row[1] === 'holidays' ? '放假' : '调休上班'}第 ${Number(row[2]) + 1} 行${part ? `（${part}）` : ''}`;
  }
  return FIELD_LABELS[field] ?? field;
}
