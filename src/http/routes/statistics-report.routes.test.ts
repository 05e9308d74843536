import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../../test/support/stores.ts';
import { fixedClock, setClock } from '../../core/clock.ts';
import { inspectPdf } from '../../documents/pdf-inspect.test-helpers.ts';
import { seedReportWorld } from '../../statistics/annual-report.fixtures.ts';
import type { AnnualReport } from '../../statistics/annual-report.ts';
import { addUser, loginAs, testServer, type Agent } from '../test-helpers.ts';

/**
 * 年度统计报告 through the API: JSON, PDF and .xlsx of the caller's division; a division outside it is not
 * found in any of the three (404, never an empty report).
 */
describeStores('statistics report routes', (ctx) => {
  let app: FastifyInstance;
  let yangpu: Agent;
  let changning: Agent;
  let restore: () => void;

  beforeAll(async () => {
    restore = setClock(fixedClock('2026-12-02T10:00:00+08:00'));
    app = await testServer(ctx.store);
    await addUser(ctx.store, 'yp', 'district_approver', '310110');
    await addUser(ctx.store, 'cn', 'district_approver', '310105');
    yangpu = await loginAs(app, 'yp');
    changning = await loginAs(app, 'cn');
    await seedReportWorld(ctx.store);
  });
  afterAll(async () => {
    await app.close();
    restore();
  });

  it("answers the caller's own division", async () => {
    const res = await yangpu.get('/api/statistics/report?year=2026');
    expect(res.statusCode).toBe(200);
    const r = res.json<AnnualReport>();
    expect(r.livelihood.total).toMatchObject({ households: 6, persons: 11, amountFen: 956_000 });
    const cn = (await changning.get('/api/statistics/report?year=2026')).json<AnnualReport>();
    expect(cn.division.name).toBe('长宁区');
    expect(cn.livelihood.composition.map((c) => c.part)).toEqual([2, 0, 0, 0, 0]);
    expect(cn.elderly.aged60plus).toBe(0);
  });

  it('downloads the PDF and the .xlsx', async () => {
    const pdf = await yangpu.get('/api/statistics/report.pdf?year=2026&division=310110');
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toContain('application/pdf');
    expect(pdf.headers['content-disposition']).toContain(
      encodeURIComponent('社会救助统计报告-杨浦区-2026.pdf'),
    );
    expect(inspectPdf(pdf.rawPayload).pages.join('')).toContain('有从业人员的低保家庭人数');
    const xlsx = await yangpu.get('/api/statistics/report.xlsx?year=2026');
    expect(xlsx.statusCode).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    expect(book.worksheets[0]!.name).toBe('生活救助');
  });

  it("never shows another district's report", async () => {
    for (const url of [
      '/api/statistics/report?year=2026&division=310110',
      '/api/statistics/report.pdf?year=2026&division=310110',
      '/api/statistics/report.xlsx?year=2026&division=310110012',
    ]) {
      const res = await changning.get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.body).not.toContain('956000');
    }
    expect((await yangpu.get('/api/statistics/report?year=1999')).statusCode).toBe(400);
  });
});
