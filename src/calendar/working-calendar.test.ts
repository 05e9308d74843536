import chineseDays from 'chinese-days';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CalendarError } from './calendar.errors.ts';
import { chineseDaysYears } from './chinese-days.fixtures.ts';
import { civilFromDays, daysFromCivil, isoOfDay, tryParseIsoDay, weekdayOfDay } from './days.ts';
import { deadlineTouchesYear, WorkingCalendar, type OfficialYear } from './working-calendar.ts';

const official = chineseDaysYears();
const calendar = new WorkingCalendar(official, 'test');

describe('dates as day numbers', () => {
  it('round-trips every day from 1900 to 2100 and knows the weekday', () => {
    const wrong: number[] = [];
    for (let day = daysFromCivil(1900, 1, 1); day <= daysFromCivil(2100, 12, 31); day++) {
      const [y, m, d] = civilFromDays(day);
      if (tryParseIsoDay(isoOfDay(day)) !== day || Date.UTC(y, m - 1, d) / 86_400_000 !== day)
        wrong.push(day);
    }
    expect(wrong).toEqual([]);
    expect(isoOfDay(daysFromCivil(2000, 2, 29))).toBe('2000-02-29');
    expect(weekdayOfDay(daysFromCivil(2027, 10, 1))).toBe(5);
    for (const bad of ['2026-02-29', '2026-13-01', '2026-1-01', '２０２６-01-01', '2026-01-01T00:00', ''])
      expect(tryParseIsoDay(bad), bad).toBeUndefined();
  });
});

describe('working days from the official calendar', () => {
  it('says what chinese-days says on every day of 2004–2026 (the seeded range)', () => {
    const wrong: string[] = [];
    for (let day = daysFromCivil(2004, 1, 1); day <= daysFromCivil(2026, 12, 31); day++) {
      const iso = isoOfDay(day);
      if (calendar.isWorkingDay(iso) !== chineseDays.isWorkday(iso)) wrong.push(iso);
    }
    expect(wrong).toEqual([]);
  });

  it('counts across the 2026 Spring Festival (15–23 February off, Saturdays 14 and 28 worked)', () => {
    expect(calendar.addWorkingDays('2026-02-12', 1)).toBe('2026-02-13');
    expect(calendar.addWorkingDays('2026-02-12', 2)).toBe('2026-02-14'); // the make-up Saturday
    expect(calendar.addWorkingDays('2026-02-12', 3)).toBe('2026-02-24');
    expect(calendar.addWorkingDays('2026-02-15', 1)).toBe('2026-02-24'); // from inside the holiday
    expect(calendar.addWorkingDays('2026-02-24', -1)).toBe('2026-02-14');
    expect(calendar.addWorkingDays('2026-02-24', 4)).toBe('2026-02-28'); // Saturday 28 is worked
    expect(calendar.addWorkingDays('2026-02-24', 5)).toBe('2026-03-02');
    expect(calendar.workingDaysBetween('2026-02-13', '2026-02-24')).toBe(2);
  });

  it('counts make-up Saturdays and Sundays around National Day 2026 and 2025', () => {
    expect(calendar.addWorkingDays('2026-09-18', 1)).toBe('2026-09-20'); // Sunday 20 September worked
    expect(calendar.addWorkingDays('2026-09-30', 1)).toBe('2026-10-08');
    expect(calendar.addWorkingDays('2026-10-09', 1)).toBe('2026-10-10'); // Saturday 10 October worked
    expect(calendar.addWorkingDays('2025-09-26', 1)).toBe('2025-09-28'); // Sunday 28 September 2025
    expect(calendar.addWorkingDays('2025-09-30', 1)).toBe('2025-10-09');
    expect(calendar.addWorkingDays('2025-10-10', 1)).toBe('2025-10-11');
    expect(calendar.isWorkingDay('2025-10-11')).toBe(true);
    expect(calendar.isWorkingDay('2025-10-12')).toBe(false);
  });

  it('lets late December follow the next year’s notice (元旦 2019 began on 30 December 2018)', () => {
    expect(calendar.isWorkingDay('2018-12-29')).toBe(true); // Saturday worked
    expect(calendar.isWorkingDay('2018-12-31')).toBe(false);
    expect(calendar.addWorkingDays('2018-12-28', 1)).toBe('2018-12-29');
    expect(calendar.addWorkingDays('2018-12-29', 1)).toBe('2019-01-02');
  });

  it('n = 0 is the start itself; counting forward then back returns to a working day', () => {
    expect(calendar.addWorkingDays('2026-02-15', 0)).toBe('2026-02-15');
    expect(calendar.addWorkingDays(calendar.addWorkingDays('2026-02-13', 40), -40)).toBe('2026-02-13');
  });

  it('workingDaysBetween is antisymmetric and inverts addWorkingDays (property, 2004–2030)', () => {
    const first = daysFromCivil(2004, 1, 1);
    const last = daysFromCivil(2030, 12, 31);
    const day = fc.integer({ min: first + 400, max: last - 400 });
    fc.assert(
      fc.property(day, day, fc.integer({ min: -250, max: 250 }), (a, b, n) => {
        const aIso = isoOfDay(a);
        const bIso = isoOfDay(b);
        const between = calendar.workingDaysBetween(aIso, bIso);
        expect(calendar.workingDaysBetween(bIso, aIso)).toBe(0 - between);
        expect(calendar.workingDaysBetween(aIso, aIso)).toBe(0);
        const moved = calendar.addWorkingDays(aIso, n);
        // Counting back from a day off: the day off itself is not among the days counted.
        const inverse = n >= 0 || calendar.isWorkingDay(aIso) ? n : n + 1;
        expect(calendar.workingDaysBetween(aIso, moved)).toBe(inverse);
        if (n !== 0) expect(calendar.isWorkingDay(moved)).toBe(true);
        // Counting day by day agrees with the running totals.
        if (Math.abs(b - a) < 60) {
          let count = 0;
          for (let d = Math.min(a, b) + 1; d <= Math.max(a, b); d++)
            if (calendar.isWorkingDay(isoOfDay(d))) count++;
          expect(Math.abs(between)).toBe(count);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('has 248 working days in 2025 and in 2026 (261 weekdays, 18 or 19 of them off, 5 or 6 weekend days worked)', () => {
    expect(calendar.view(2025).workingDays).toBe(261 - 18 + 5);
    expect(calendar.view(2026).workingDays).toBe(261 - 19 + 6);
  });
});

describe('into a provisional year', () => {
  it('marks a deadline provisional as soon as it reaches 2027, or the last week of 2026 that 2027’s notice may touch', () => {
    expect(calendar.status(2026)).toBe('official');
    expect(calendar.status(2027)).toBe('provisional');
    expect(calendar.deadline('2026-06-01', 10)).toEqual({
      due: '2026-06-15',
      workingDays: 10,
      from: '2026-06-01',
      rule: '工作日历 2026 官方',
      provisional: false,
    });
    expect(calendar.deadline('2026-12-14', 5)).toMatchObject({ due: '2026-12-21', provisional: false });
    expect(calendar.deadline('2026-12-24', 5)).toEqual({
      due: '2026-12-31',
      workingDays: 5,
      from: '2026-12-24',
      rule: '工作日历 2026 官方、2027 暂定',
      provisional: true,
    });
    // 1 January 2027 is a Friday: 元旦 rests Friday to Sunday in the provisional calendar.
    expect(calendar.deadline('2026-12-28', 5)).toEqual({
      due: '2027-01-05',
      workingDays: 5,
      from: '2026-12-28',
      rule: '工作日历 2026 官方、2027 暂定',
      provisional: true,
    });
    expect(calendar.workingDaysBetween('2026-12-28', '2027-01-05')).toBe(5);
    expect(calendar.workingDaysBetween('2027-01-05', '2026-12-28')).toBe(-5);
  });

  it('recomputes a provisional deadline once the year is confirmed', () => {
    const stored = calendar.deadline('2026-12-28', 5);
    expect(deadlineTouchesYear(stored, 2027)).toBe(true);
    expect(deadlineTouchesYear(stored, 2028)).toBe(false);
    expect(deadlineTouchesYear(calendar.deadline('2026-06-01', 10), 2027)).toBe(false);
    // Suppose the notice gives Monday 4 January 2027 off as well.
    const notice: OfficialYear = {
      year: 2027,
      source: '国务院办公厅关于2027年部分节假日安排的通知（测试）',
      version: 1,
      updatedAt: null,
      days: ['2027-01-01', '2027-01-02', '2027-01-03', '2027-01-04'].map((date) => ({
        date,
        kind: 'holiday',
        name: '元旦',
      })),
    };
    const confirmed = new WorkingCalendar([...official, notice], 'confirmed');
    expect(confirmed.recompute(stored)).toEqual({
      due: '2027-01-06',
      workingDays: 5,
      from: '2026-12-28',
      rule: '工作日历 2026 官方、2027 官方',
      provisional: false,
    });
  });

  it('refuses dates outside 2004–2099 and malformed input in Chinese', () => {
    const refusal = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        expect(error).toBeInstanceOf(CalendarError);
        return (error as CalendarError).message;
      }
      throw new Error('not refused');
    };
    expect(refusal(() => calendar.addWorkingDays('2003-12-31', 1))).toContain(
      '超出工作日历的范围（2004—2099 年）',
    );
    expect(refusal(() => calendar.addWorkingDays('2099-12-30', 5))).toContain('超出工作日历的范围');
    expect(refusal(() => calendar.isWorkingDay('2026-02-30'))).toBe(
      '日期应为 YYYY-MM-DD 格式的有效日期：2026-02-30',
    );
    expect(refusal(() => calendar.addWorkingDays('2026-01-05', 1.5))).toContain('工作日数应为整数');
    expect(refusal(() => calendar.view(2100))).toContain('超出工作日历的范围');
  });
});
