import { describe, expect, it } from 'vitest';
import type { CalendarYear } from '../../api/calendar.ts';
import { fieldLabel, formFromJson, importFormFrom, rangeDays, yearGrids } from './data.ts';

const year2026: CalendarYear = {
  year: 2026,
  status: 'official',
  source: '国务院办公厅关于2026年部分节假日安排的通知',
  version: 1,
  updatedAt: null,
  days: [
    { date: '2026-02-14', kind: 'workday', name: '春节' },
    ...['15', '16', '17', '18', '19', '20', '21', '22', '23'].map((d) => ({
      date: `2026-02-${d}`,
      kind: 'holiday' as const,
      name: '春节',
    })),
  ],
  holidays: [{ name: '春节', from: '2026-02-15', to: '2026-02-23' }],
  workdays: [{ name: '春节', date: '2026-02-14' }],
  workingDays: 248,
  basis: null,
  canManage: true,
};

describe('calendar page', () => {
  it('draws February 2026 from Monday, with the holiday, the make-up Saturday and today', () => {
    const february = yearGrids(2026, year2026.days, '2026-02-16')[1];
    expect(february?.title).toBe('2月');
    // 1 February 2026 is a Sunday: six empty cells before it.
    expect(february?.weeks[0]?.slice(0, 6)).toEqual([null, null, null, null, null, null]);
    expect(february?.weeks[0]?.[6]).toMatchObject({ date: '2026-02-01', kind: 'weekend' });
    const cells = february?.weeks.flat().filter((c) => c !== null) ?? [];
    expect(cells).toHaveLength(28);
    expect(cells.find((c) => c.date === '2026-02-14')).toMatchObject({ kind: 'workday', name: '春节' });
    expect(cells.find((c) => c.date === '2026-02-16')).toMatchObject({ kind: 'holiday', today: true });
    expect(cells.find((c) => c.date === '2026-02-24')).toMatchObject({ kind: 'normal', today: false });
    expect(february).toMatchObject({ holidays: 9, makeups: 1 });
  });

  it('starts the import form from the year shown, without a provisional year’s citation', () => {
    expect(importFormFrom(year2026).source).toBe('国务院办公厅关于2026年部分节假日安排的通知');
    expect(importFormFrom({ ...year2026, status: 'provisional' }).source).toBe('');
    expect(rangeDays({ from: '2026-02-15', to: '2026-02-23' })).toBe(9);
  });

  it('reads a JSON file in the import layout, refusing another year or a broken file', () => {
    const form = importFormFrom(year2026);
    const read = formFromJson(
      JSON.stringify({ year: 2026, holidays: [{ name: '端午节', from: '2026-06-19' }] }),
      2026,
      form,
    );
    expect(read.holidays).toEqual([{ name: '端午节', from: '2026-06-19', to: '2026-06-19' }]);
    expect(read.workdays).toEqual([]);
    expect(read.source).toBe(form.source);
    expect(() => formFromJson('{', 2026, form)).toThrow('文件不是有效的 JSON');
    expect(() => formFromJson('{"year":2027,"holidays":[]}', 2026, form)).toThrow('文件写的是 2027 年');
  });

  it('names a problem’s field as the form shows it', () => {
    expect(fieldLabel('holidays[2].to')).toBe('放假第 3 行（结束日期）');
    expect(fieldLabel('workdays[0].date')).toBe('调休上班第 1 行（日期）');
    expect(fieldLabel('holidays[7]')).toBe('放假第 8 行');
    expect(fieldLabel('body.holidays.1.from')).toBe('放假第 2 行（开始日期）');
    expect(fieldLabel('body.reason')).toBe('原因');
    expect(fieldLabel('source')).toBe('通知');
  });
});
