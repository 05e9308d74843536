import { z } from 'zod';
import { calendarPolicy } from '../../calendar/calendar.policy.ts';
import {
  calendarOf,
  presentYear,
  reloadCalendar,
  replaceCalendarYear,
} from '../../calendar/calendar.service.ts';
import {
  CALENDAR_FIRST_YEAR,
  CALENDAR_LAST_YEAR,
  checkCalendarYear,
} from '../../calendar/working-calendar.ts';
import { shanghaiToday } from '../../core/clock.ts';
import { inUnitOfWork } from '../../workflow/unit-of-work.ts';
import { requireUser, type ServerDeps, type ZodApp } from '../context.ts';
import { AppError } from '../errors.ts';
import { reasonText } from '../schemas.ts';

const textOf = (what: string) => z.string({ error: `${what}应为文本` });
const isoDay = z.string().describe('YYYY-MM-DD');

const yearParam = z.object({
  year: z.coerce
    .number({ error: '年份应为数字' })
    .int('年份应为整数')
    .describe(`年份（${CALENDAR_FIRST_YEAR}—${CALENDAR_LAST_YEAR}）`),
});

const holidayRange = z.object({
  name: textOf('节日名称').describe('节日名称，如 春节'),
  from: textOf('开始日期').describe('放假开始日期 YYYY-MM-DD'),
  to: textOf('结束日期').optional().describe('放假结束日期 YYYY-MM-DD（含；一天时可省略）'),
});
const makeupDay = z.object({
  name: textOf('节日名称').describe('因哪个节日调休'),
  date: textOf('日期').describe('调休上班日（周六或周日）YYYY-MM-DD'),
});

const calendarDay = z.object({ date: isoDay, kind: z.enum(['holiday', 'workday']), name: z.string() });
const citation = z.object({ effective: z.string(), status: z.string(), source: z.string() });
const yearView = z.object({
  year: z.number().int(),
  status: z
    .enum(['official', 'provisional'])
    .describe('official 官方（已导入国务院办公厅通知）；provisional 暂定（按放假办法推算）'),
  source: z.string(),
  version: z
    .number()
    .int()
    .nullable()
    .describe('官方年度的版本号（修改时作 expectedVersion 传回）；暂定年度为 null'),
  updatedAt: z.string().nullable(),
  days: z.array(calendarDay).describe('不是普通日子的日期：放假（含连休中的周末）与调休上班'),
  holidays: z.array(z.object({ name: z.string(), from: isoDay, to: isoDay })),
  workdays: z.array(z.object({ name: z.string(), date: isoDay })),
  workingDays: z.number().int().describe('全年工作日数'),
  basis: z.object({ statutory: citation, arrangement: citation }).nullable().describe('暂定年度的推算依据'),
  canManage: z.boolean().describe('本人能否导入或修改'),
});

const deadlineSchema = z.object({
  due: isoDay.describe('到期日'),
  workingDays: z.number().int(),
  from: isoDay,
  rule: z.string().describe('所用工作日历，如“工作日历 2026 官方、2027 暂定”'),
  provisional: z.boolean().describe('是否用到暂定年度：该年官方安排导入后须重算'),
});

export function registerCalendarRoutes(app: ZodApp, { store }: ServerDeps): void {
  app.get(
    '/api/calendar',
    {
      schema: {
        tags: ['工作日历'],
        summary: '工作日历概况：已导入官方安排的年份、可查询的年份范围与上海的今天',
        response: {
          200: z.object({
            today: isoDay.describe('上海的今天'),
            firstYear: z.number().int(),
            lastYear: z.number().int(),
            canManage: z.boolean(),
            years: z.array(
              z.object({
                year: z.number().int(),
                source: z.string(),
                version: z.number().int(),
                updatedAt: z.string().nullable(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const user = requireUser(request);
      const calendar = await calendarOf(store);
      return {
        today: shanghaiToday(),
        firstYear: CALENDAR_FIRST_YEAR,
        lastYear: CALENDAR_LAST_YEAR,
        canManage: calendarPolicy.canManage(user),
        years: calendar.officialYears().map(({ year, source, version, updatedAt }) => ({
          year,
          source,
          version,
          updatedAt,
        })),
      };
    },
  );

  app.get(
    '/api/calendar/deadline',
    {
      schema: {
        tags: ['工作日历'],
        summary: '期限：自某日起若干个工作日后的到期日（起算日不计入），注明所用日历是否暂定',
        querystring: z.object({
          from: textOf('起算日期').describe('起算日期 YYYY-MM-DD'),
          workingDays: z.coerce
            .number({ error: '工作日数应为数字' })
            .int('工作日数应为整数')
            .min(-3650, '工作日数过大')
            .max(3650, '工作日数过大'),
        }),
        response: { 200: deadlineSchema },
      },
    },
    async (request) => {
      requireUser(request);
      return (await calendarOf(store)).deadline(request.query.from, request.query.workingDays);
    },
  );

  app.get(
    '/api/calendar/:year',
    {
      schema: {
        tags: ['工作日历'],
        summary: '某年的工作日历：放假与调休上班日，官方或暂定',
        params: yearParam,
        response: { 200: yearView },
      },
    },
    async (request) => {
      const user = requireUser(request);
      const { year } = request.params;
      checkCalendarYear(year);
      return { ...presentYear(await calendarOf(store), year), canManage: calendarPolicy.canManage(user) };
    },
  );

  app.put(
    '/api/calendar/:year',
    {
      schema: {
        tags: ['工作日历'],
        summary: '导入某年的官方放假安排（市级系统管理员）：整年替换，记审计',
        description:
          '按国务院办公厅当年的节假日安排通知录入：holidays 为放假时段（含其间的周末），workdays 为调休上班的周末。整年替换；有任何错误时不保存任何内容。expectedVersion 为页面所见的版本（暂定年度为 null），已被他人修改时返回 409。',
        params: yearParam,
        body: z.object({
          source: textOf('来源').describe(
            '通知名称与文号，如“国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕X号）”',
          ),
          holidays: z.array(holidayRange, { error: 'holidays 应为列表' }),
          workdays: z.array(makeupDay, { error: 'workdays 应为列表' }).default([]),
          expectedVersion: z.number().int().nullable().optional(),
          reason: reasonText(2, 200, '修改原因'),
        }),
        response: {
          200: yearView.extend({
            warnings: z.array(z.string()).describe('值得再核对的地方（不妨碍保存）'),
            previousVersion: z.number().int().nullable(),
          }),
        },
      },
    },
    async (request) => {
      const user = requireUser(request);
      if (!calendarPolicy.canManage(user)) throw new AppError('FORBIDDEN', calendarPolicy.refusal);
      const { year } = request.params;
      checkCalendarYear(year);
      const { reason, expectedVersion, ...input } = request.body;
      const replaced = await inUnitOfWork(
        store,
        { userId: user.id, divisionCode: user.divisionCode, reason, requestId: request.id },
        (tx) => replaceCalendarYear(tx, year, input, { expectedVersion }),
      );
      const calendar = await reloadCalendar(store);
      return {
        ...presentYear(calendar, year),
        canManage: true,
        warnings: replaced.warnings,
        previousVersion: replaced.previousVersion,
      };
    },
  );
}
