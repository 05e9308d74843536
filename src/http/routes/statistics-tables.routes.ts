import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { scopeOf } from '../../auth/roles.ts';
import { shanghaiToday } from '../../core/clock.ts';
import { renderPdf } from '../../documents/pdf.renderer.ts';
import { annualReport } from '../../statistics/annual-report.ts';
import {
  annualReportDocument,
  annualReportName,
  annualReportWorkbook,
} from '../../statistics/annual-report.document.ts';
import { annualTable, monthlyTable } from '../../statistics/statistics.service.ts';
import { annualWorkbook, monthlyWorkbook, workbookName } from '../../statistics/statistics.xlsx.ts';
import { requirePermission, type ServerDeps, type ZodApp } from '../context.ts';
import { divisionCode } from '../schemas.ts';
import { sendPdf } from './documents.routes.ts';

/**
 * 统计报表 (docs/statistics.md): the monthly and annual tables of the caller's division or a division inside
 * it (a drill-down), as JSON for the console and as .xlsx. Aggregates only — no person is named — so reading
 * them is not audited, like the population figures.
 */

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const n = z.number().int();
const named = { code: z.string(), name: z.string() };
const figures = {
  households: n.describe('户次（月表为当月户数）'),
  persons: n.describe('人次（月表为当月人数）'),
  amountFen: n.describe('发放金额（分）'),
  arrearsFen: n.describe('其中补发（分）'),
  carriedFen: n.describe('其中银行失败后重发（分）'),
  offsetFen: n.describe('其中抵扣追缴（分，负数）'),
  unconfirmedFen: n.describe('其中待银行回盘（分）'),
};
const entitledFigures = {
  households: n,
  persons: n,
  entitlements: n,
  amountFen: n.describe('月待遇金额（分）'),
};
const programTable = <T extends z.ZodRawShape>(shape: T) =>
  z.object({
    program: z.object(named),
    rows: z.array(z.object({ ...named, ...shape })),
    total: z.object(shape),
  });
const division = z.object({ ...named, areaLevel: z.enum(['district', 'street', 'committee']) });
const runs = z.array(
  z.object({
    district: z.object(named),
    month: z.string(),
    state: z.string(),
    stateName: z.string(),
    counted: z.boolean().describe('是否计入发放数（已审批及以后）'),
  }),
);

const monthly = z.object({
  month: z.string(),
  division,
  programs: z.array(programTable(figures)),
  byArea: z.array(z.object({ ...named, ...figures })),
  total: z.object(figures),
  paid: z.boolean(),
  entitled: z.object({
    programs: z.array(programTable(entitledFigures)),
    byArea: z.array(z.object({ ...named, ...entitledFigures })),
    total: z.object(entitledFigures),
  }),
  runs,
  notes: z.array(z.string()),
});

const annual = z.object({
  year: n,
  division,
  programs: z.array(programTable(figures)),
  byArea: z.array(z.object({ ...named, ...figures })),
  total: z.object(figures),
  months: z.array(
    z.object({
      month: z.string(),
      ...figures,
      programs: z.array(z.object({ code: z.string(), households: n, persons: n, amountFen: n })),
    }),
  ),
  monthsWithoutPayroll: z.array(z.string()),
  runs,
  notes: z.array(z.string()),
});

const monthQuery = z.object({
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, '月份应为 YYYY-MM')
    .describe('统计月份 YYYY-MM'),
  division: divisionCode.optional().describe('区、街道或居委会代码（须在本人数据范围内），默认本人所属区划'),
});
const yearQuery = z.object({
  year: z.coerce.number().int().min(2000).max(2100).describe('统计年份'),
  division: monthQuery.shape.division,
});

const shareSchema = { part: n, whole: n, basisPoints: n.describe('占比（万分之一，四舍五入）') };
const programYear = z.object({ ...named, households: n, persons: n, amountFen: n });
const report = z.object({
  year: n,
  division,
  livelihood: z.object({
    programs: z.array(programYear),
    total: programYear,
    composition: z.array(z.object({ key: z.string(), name: z.string(), households: n, ...shareSchema })),
  }),
  grainOil: programYear,
  tekun: programYear,
  medical: z.object({ held: z.literal(false), note: z.string() }),
  temporary: programYear,
  elderly: z.object({
    asOf: z.string(),
    basis: z.literal('registered'),
    aged60plus: n,
    persons: n,
    bands: z.array(z.object({ band: z.string(), ...shareSchema })),
  }),
  disability: z.object({
    asOf: z.string(),
    total: n,
    byCategory: z.array(z.object({ category: n, name: z.string(), ...shareSchema })),
  }),
  notes: z.array(z.string()),
});

function sendXlsx(reply: FastifyReply, name: string, body: Buffer) {
  return reply
    .header('content-type', XLSX)
    .header(
      'content-disposition',
      `attachment; filename="statistics.xlsx"; filename*=UTF-8''${encodeURIComponent(name)}`,
    )
    .send(body);
}

export function registerStatisticsTableRoutes(app: ZodApp, { store }: ServerDeps): void {
  app.get(
    '/api/statistics/monthly',
    {
      schema: {
        tags: ['统计'],
        summary: '统计月报：各项目按下一级区划的户数、人数、发放金额（含补发、重发）与在册待遇',
        querystring: monthQuery,
        response: { 200: monthly },
      },
    },
    async (request) => {
      const user = requirePermission(request, 'statistics.view');
      return monthlyTable(store.db, scopeOf(user), request.query.month, request.query.division);
    },
  );

  app.get(
    '/api/statistics/monthly.xlsx',
    {
      schema: {
        tags: ['统计'],
        summary: '统计月报 .xlsx（发放统计、按区划汇总、在册待遇、口径说明）',
        querystring: monthQuery,
        produces: [XLSX],
      },
    },
    async (request, reply) => {
      const user = requirePermission(request, 'statistics.view');
      const t = await monthlyTable(store.db, scopeOf(user), request.query.month, request.query.division);
      return sendXlsx(reply, workbookName('month', t.division.name, t.month), await monthlyWorkbook(t));
    },
  );

  app.get(
    '/api/statistics/annual',
    {
      schema: {
        tags: ['统计'],
        summary: '统计年报：全年各月户次、人次、金额之和，按项目与下一级区划，另附分月序列',
        querystring: yearQuery,
        response: { 200: annual },
      },
    },
    async (request) => {
      const user = requirePermission(request, 'statistics.view');
      return annualTable(store.db, scopeOf(user), request.query.year, request.query.division);
    },
  );

  app.get(
    '/api/statistics/annual.xlsx',
    {
      schema: {
        tags: ['统计'],
        summary: '统计年报 .xlsx（年度汇总、按区划汇总、分月、口径说明）',
        querystring: yearQuery,
        produces: [XLSX],
      },
    },
    async (request, reply) => {
      const user = requirePermission(request, 'statistics.view');
      const t = await annualTable(store.db, scopeOf(user), request.query.year, request.query.division);
      return sendXlsx(reply, workbookName('year', t.division.name, String(t.year)), await annualWorkbook(t));
    },
  );

  app.get(
    '/api/statistics/report',
    {
      schema: {
        tags: ['统计'],
        summary:
          '年度社会救助统计报告：生活救助及低保构成、粮油帮困、特困供养、临时救助、老年人口年龄结构、残疾人分类',
        querystring: yearQuery,
        response: { 200: report },
      },
    },
    async (request) => {
      const user = requirePermission(request, 'statistics.view');
      return annualReport(store.db, scopeOf(user), request.query.year, request.query.division);
    },
  );

  app.get(
    '/api/statistics/report.pdf',
    {
      schema: {
        tags: ['统计'],
        summary: '年度社会救助统计报告 PDF（A4）',
        querystring: yearQuery,
        produces: ['application/pdf'],
      },
    },
    async (request, reply) => {
      const user = requirePermission(request, 'statistics.view');
      const r = await annualReport(store.db, scopeOf(user), request.query.year, request.query.division);
      const doc = annualReportDocument(r, { printedOn: shanghaiToday() });
      return sendPdf(reply, doc, await renderPdf(doc));
    },
  );

  app.get(
    '/api/statistics/report.xlsx',
    {
      schema: {
        tags: ['统计'],
        summary: '年度社会救助统计报告 .xlsx（每节一张工作表）',
        querystring: yearQuery,
        produces: [XLSX],
      },
    },
    async (request, reply) => {
      const user = requirePermission(request, 'statistics.view');
      const r = await annualReport(store.db, scopeOf(user), request.query.year, request.query.division);
      return sendXlsx(reply, `${annualReportName(r)}.xlsx`, await annualReportWorkbook(r));
    },
  );
}
