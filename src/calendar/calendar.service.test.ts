import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { selectRows } from '../db/sql.ts';
import { inUnitOfWork, type ActingContext } from '../workflow/unit-of-work.ts';
import { ConflictError } from '../workflow/workflow.errors.ts';
import { CalendarError } from './calendar.errors.ts';
import { readOfficialYears } from './calendar.repository.ts';
import { calendarOf, presentYear, reloadCalendar, replaceCalendarYear } from './calendar.service.ts';
import { chineseDaysRows } from './chinese-days.fixtures.ts';

const admin: ActingContext = { userId: 'admin-1', divisionCode: '310000', reason: '导入2027年放假安排' };

/** A plausible 2027 notice (the real one is not published in this repository's world). */
const notice2027 = {
  source: '国务院办公厅关于2027年部分节假日安排的通知（测试用）',
  holidays: [
    { name: '元旦', from: '2027-01-01', to: '2027-01-03' },
    { name: '春节', from: '2027-02-05', to: '2027-02-13' },
    { name: '清明节', from: '2027-04-03', to: '2027-04-05' },
    { name: '劳动节', from: '2027-05-01', to: '2027-05-05' },
    { name: '端午节', from: '2027-06-09' },
    { name: '中秋节', from: '2027-09-15' },
    { name: '国庆节', from: '2027-10-01', to: '2027-10-07' },
  ],
  workdays: [
    { name: '春节', date: '2027-02-14' },
    { name: '春节', date: '2027-01-31' },
    { name: '劳动节', date: '2027-05-08' },
    { name: '国庆节', date: '2027-09-26' },
    { name: '国庆节', date: '2027-10-09' },
  ],
};

async function yearRows(db: Parameters<typeof selectRows>[0], year: number) {
  return selectRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from calendar_days where year = ${year}`,
  );
}

describeStores('calendar service', (ctx) => {
  it('is seeded by its migration with chinese-days 1.5.7’s years 2004–2026, day for day', async () => {
    const years = await readOfficialYears(ctx.store.db);
    expect(years.map((y) => y.year)).toEqual(Array.from({ length: 23 }, (_, i) => 2004 + i));
    const stored = years.flatMap((y) => y.days.map((d) => ({ year: y.year, ...d })));
    expect(stored).toEqual(chineseDaysRows());
    expect(years.find((y) => y.year === 2026)?.source).toContain('content_7047091');
  });

  it('caches the calendar per store and re-reads it after a write', async () => {
    const first = await calendarOf(ctx.store);
    expect(await calendarOf(ctx.store)).toBe(first);
    expect(first.status(2027)).toBe('provisional');
    expect(first.deadline('2026-12-28', 5)).toMatchObject({ due: '2027-01-05', provisional: true });

    const replaced = await inUnitOfWork(ctx.store, admin, (tx) => replaceCalendarYear(tx, 2027, notice2027));
    expect(replaced).toMatchObject({ year: 2027, version: 1, previousVersion: null, days: 29 + 5 });
    expect(replaced.warnings).toEqual([]);
    // Until this process reloads it keeps the calendar it had (other processes: within 30 seconds).
    expect(await calendarOf(ctx.store)).toBe(first);
    const after = await reloadCalendar(ctx.store);
    expect(await calendarOf(ctx.store)).toBe(after);
    expect(after.status(2027)).toBe('official');
    expect(after.deadline('2026-12-28', 5)).toEqual({
      due: '2027-01-05',
      workingDays: 5,
      from: '2026-12-28',
      rule: '工作日历 2026 官方、2027 官方',
      provisional: false,
    });
    expect(after.isWorkingDay('2027-02-14')).toBe(true);
    expect(presentYear(after, 2027)).toMatchObject({
      status: 'official',
      version: 1,
      holidays: notice2027.holidays.map((h) => ({ ...h, to: h.to ?? h.from })),
    });

    const [audit] = await selectRows<{
      action: string;
      entity_id: string;
      district_code: string;
      reason: string;
      before: unknown;
    }>(
      ctx.store.db,
      sql`select action, entity_id, district_code, reason, before from audit_log where entity_type = 'calendar_year' order by id desc limit 1`,
    );
    expect(audit).toEqual({
      action: 'calendar.year_replaced',
      entity_id: '2027',
      district_code: '310000',
      reason: '导入2027年放假安排',
      before: null,
    });
  });

  it('refuses a stale version (409) and writes nothing; a current one bumps the version and audits the before', async () => {
    const stale = inUnitOfWork(ctx.store, admin, (tx) =>
      replaceCalendarYear(tx, 2027, notice2027, { expectedVersion: null }),
    );
    await expect(stale).rejects.toBeInstanceOf(ConflictError);
    await expect(stale).rejects.toThrow('2027 年工作日历已被他人修改（当前版本 1），请刷新后重新操作');
    const changed = { ...notice2027, source: '国务院办公厅关于2027年部分节假日安排的通知（修订）' };
    const again = await inUnitOfWork(ctx.store, admin, (tx) =>
      replaceCalendarYear(tx, 2027, changed, { expectedVersion: 1 }),
    );
    expect(again).toMatchObject({ version: 2, previousVersion: 1 });
    const [audit] = await selectRows<{ before: { version: number; source: string } }>(
      ctx.store.db,
      sql`select before from audit_log where entity_type = 'calendar_year' order by id desc limit 1`,
    );
    expect(audit?.before).toMatchObject({ version: 1, source: notice2027.source });
  });

  it('lets one of two simultaneous first imports of a year through; the other is stale', async () => {
    const notice2029 = {
      source: '国务院办公厅关于2029年部分节假日安排的通知（测试用）',
      holidays: [{ name: '元旦', from: '2029-01-01' }],
    };
    const both = await Promise.allSettled(
      [1, 2].map(() =>
        inUnitOfWork(ctx.store, admin, (tx) =>
          replaceCalendarYear(tx, 2029, notice2029, { expectedVersion: null }),
        ),
      ),
    );
    expect(both.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = both.find((r) => r.status === 'rejected');
    expect(refused?.status === 'rejected' ? refused.reason : undefined).toBeInstanceOf(ConflictError);
  });

  it('refuses bad input with every problem in Chinese and writes nothing', async () => {
    const before = await yearRows(ctx.store.db, 2028);
    const bad = {
      source: '',
      holidays: [
        { name: '春节', from: '2028-01-25', to: '2028-01-20' },
        { name: '国庆节', from: '2028-10-01', to: '2028-10-31' },
        { name: '端午节', from: '2027-05-28' },
        { name: '元旦', from: '2028-02-30' },
      ],
      workdays: [{ name: '春节', date: '2028-02-07' }],
    };
    const attempt = inUnitOfWork(ctx.store, admin, (tx) => replaceCalendarYear(tx, 2028, bad));
    await expect(attempt).rejects.toBeInstanceOf(CalendarError);
    const error = (await attempt.catch((e: unknown) => e)) as CalendarError;
    expect(error.message).toMatch(/^2028 年工作日历有错误，未保存任何内容：/);
    expect(error.problems.map((p) => p.field)).toEqual([
      'source',
      'holidays[0].to',
      'holidays[1]',
      'holidays[2]',
      'holidays[3].from',
      'workdays[0].date',
    ]);
    expect(error.problems[5]?.message).toBe('调休上班日应为周六或周日，2028-02-07 是周一');
    expect(await yearRows(ctx.store.db, 2028)).toEqual(before);
    await expect(
      inUnitOfWork(ctx.store, admin, (tx) => replaceCalendarYear(tx, 2100, notice2027)),
    ).rejects.toThrow('年份 2100 超出工作日历的范围（2004—2099 年）');
  });

  it('warns when a statutory holiday of the law is not among the days off', async () => {
    const missing = {
      ...notice2027,
      holidays: notice2027.holidays.filter((h) => h.name !== '中秋节'),
    };
    const replaced = await inUnitOfWork(ctx.store, admin, (tx) =>
      replaceCalendarYear(tx, 2027, missing, { expectedVersion: 2 }),
    );
    expect(replaced.warnings).toEqual([
      '按放假办法 2027-09-15（中秋节）为法定假日，但未列为放假，请核对通知',
    ]);
  });
});
