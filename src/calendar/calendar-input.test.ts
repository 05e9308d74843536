import { describe, expect, it } from 'vitest';
import { CalendarError } from './calendar.errors.ts';
import { checkYearInput, parseCalendarFile, toYearInput } from './calendar-input.ts';
import { chineseDaysYears } from './chinese-days.fixtures.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

function problems(f: () => unknown): { field: string; message: string }[] {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(CalendarError);
    return [...(error as CalendarError).problems];
  }
  throw new Error('not refused');
}

describe('a year as entered', () => {
  it('round-trips the official 2025 through the input layout, 国庆节 and 中秋节 in one range', () => {
    const official = chineseDaysYears().find((y) => y.year === 2025);
    const input = toYearInput('通知', official?.days ?? []);
    expect(input.holidays.at(-1)).toEqual({ name: '国庆节、中秋节', from: '2025-10-01', to: '2025-10-08' });
    expect(input.workdays).toHaveLength(5);
    const checked = checkYearInput(2025, input);
    expect(checked.warnings).toEqual([]);
    expect(checked.days.map((d) => [d.date, d.kind])).toEqual(official?.days.map((d) => [d.date, d.kind]));
  });

  it('accepts 元旦 reaching back into the last week of December, nothing earlier', () => {
    const reach = { source: '通知', holidays: [{ name: '元旦', from: '2018-12-30', to: '2019-01-01' }] };
    expect(
      checkYearInput(2019, { ...reach, workdays: [{ name: '元旦', date: '2018-12-29' }] }).days,
    ).toHaveLength(4);
    expect(
      problems(() => checkYearInput(2019, { ...reach, workdays: [{ name: '元旦', date: '2018-12-22' }] })),
    ).toEqual([{ field: 'workdays[0]', message: '2019 年的调休上班日应在 2018-12-25 至 2019-12-31 之间' }]);
  });

  it('refuses a missing list, a range over 15 days, a day twice and control characters', () => {
    expect(problems(() => checkYearInput(2027, { source: '通知' }))).toEqual([
      { field: 'holidays', message: '缺少放假安排（holidays 应为列表）' },
    ]);
    expect(
      problems(() =>
        checkYearInput(2027, {
          source: '通知\u0007',
          holidays: [
            { name: '春节', from: '2027-02-01', to: '2027-02-20' },
            { name: '国庆节', from: '2027-10-01', to: '2027-10-03' },
            { name: '国庆节', from: '2027-10-03' },
          ],
          workdays: 'none',
        }),
      ).map((p) => p.field),
    ).toEqual(['source', 'workdays', 'holidays[0]', 'holidays[2]']);
  });
});

describe('calendar import files', () => {
  it('reads the CSV layout, with a byte-order mark and CRLF', () => {
    const csv =
      '\uFEFF类型,开始日期,结束日期,名称\r\n放假,2027-10-01,2027-10-07,国庆节\r\n上班,2027-10-09,,国庆节\r\n';
    expect(parseCalendarFile('2027.csv', bytes(csv), { year: 2027, source: '通知' })).toEqual({
      source: '通知',
      holidays: [{ name: '国庆节', from: '2027-10-01', to: '2027-10-07' }],
      workdays: [{ name: '国庆节', date: '2027-10-09' }],
    });
  });

  it('names the line of every problem in a CSV file', () => {
    const csv =
      '类型,开始日期,结束日期,名称\n休息,2027-10-01,2027-10-07,国庆节\n上班,2027-10-09,2027-10-10,国庆节\n';
    expect(problems(() => parseCalendarFile('x.csv', bytes(csv), { year: 2027 }))).toEqual([
      { field: '第 2 行', message: '类型应为“放假”或“上班”：休息' },
      { field: '第 3 行', message: '调休上班每行一天：结束日期应为空或与开始日期相同' },
    ]);
  });

  it('refuses a file that is not UTF-8 or too large', () => {
    expect(
      problems(() => parseCalendarFile('x.csv', new Uint8Array([0xff, 0xfe, 0x00]), { year: 2027 })),
    ).toEqual([{ field: '', message: '文件不是 UTF-8 编码的文本' }]);
    expect(problems(() => parseCalendarFile('x.json', new Uint8Array(70 * 1024), { year: 2027 }))).toEqual([
      { field: '', message: '文件过大（最多 64 KB）' },
    ]);
  });
});
