import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../../test/support/stores.ts';
import { fixedClock, setClock } from '../../core/clock.ts';
import type { AnnualTable, MonthlyTable } from '../../statistics/statistics.service.ts';
import { seedStatsWorld } from '../../statistics/statistics.fixtures.ts';
import { addUser, loginAs, testServer, type Agent } from '../test-helpers.ts';

async function workbookOf(body: Buffer): Promise<ExcelJS.Workbook> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(body as unknown as ArrayBuffer);
  return book;
}

/**
 * 统计报表 through the API: each user sees their own division's figures, a drill-down stays inside it, another
 * district's figures are never visible (404, not an empty table); the .xlsx parses back with exceljs, with
 * Chinese sheets and headers and money in 元 equal to the fen of the JSON.
 */
describeStores('statistics table routes', (ctx) => {
  let app: FastifyInstance;
  let yangpu: Agent;
  let street: Agent;
  let changning: Agent;
  let city: Agent;
  let restore: () => void;

  beforeAll(async () => {
    restore = setClock(fixedClock('2026-12-02T10:00:00+08:00'));
    app = await testServer(ctx.store);
    await addUser(ctx.store, 'yp', 'district_approver', '310110');
    await addUser(ctx.store, 'kj', 'street_caseworker', '310110012');
    await addUser(ctx.store, 'cn', 'district_approver', '310105');
    await addUser(ctx.store, 'sh', 'auditor', '310000');
    yangpu = await loginAs(app, 'yp');
    street = await loginAs(app, 'kj');
    changning = await loginAs(app, 'cn');
    city = await loginAs(app, 'sh');
    await seedStatsWorld(ctx.store);
  });
  afterAll(async () => {
    await app.close();
    restore();
  });

  it("answers the caller's division by the level below, and drills down within it", async () => {
    const res = await yangpu.get('/api/statistics/monthly?month=2026-11');
    expect(res.statusCode).toBe(200);
    const t = res.json<MonthlyTable>();
    expect(t.division).toEqual({ code: '310110', name: '杨浦区', areaLevel: 'street' });
    expect(t.total).toMatchObject({ households: 3, persons: 6, amountFen: 363_000 });
    expect(t.byArea.map((a) => a.name)).toEqual(['控江路街道']);
    const down = (
      await yangpu.get('/api/statistics/monthly?month=2026-11&division=310110012')
    ).json<MonthlyTable>();
    expect(down.byArea.map((a) => [a.name, a.amountFen])).toEqual([
      ['控一居委会', 212_000],
      ['控江四村第一居委会', 151_000],
    ]);
    const own = (await street.get('/api/statistics/monthly?month=2026-11')).json<MonthlyTable>();
    expect(own.division).toMatchObject({ code: '310110012', areaLevel: 'committee' });
    expect(own.total.amountFen).toBe(363_000);
  });

  it("never shows another district's figures", async () => {
    const cn = (await changning.get('/api/statistics/monthly?month=2026-11')).json<MonthlyTable>();
    expect(cn.total).toMatchObject({ households: 1, persons: 2, amountFen: 99_900 });
    expect(JSON.stringify(cn)).not.toContain('杨浦');
    for (const url of [
      '/api/statistics/monthly?month=2026-11&division=310110',
      '/api/statistics/monthly.xlsx?month=2026-11&division=310110012',
      '/api/statistics/annual?year=2026&division=310110',
      '/api/statistics/annual.xlsx?year=2026&division=310110',
    ]) {
      const res = await changning.get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.body).not.toContain('363000');
    }
    expect((await street.get('/api/statistics/monthly?month=2026-11&division=310110013')).statusCode).toBe(
      404,
    );
    expect((await yangpu.get('/api/statistics/monthly?month=2026-13')).statusCode).toBe(400);
    const all = (await city.get('/api/statistics/monthly?month=2026-11')).json<MonthlyTable>();
    expect(all.byArea.map((a) => a.name)).toEqual(['长宁区', '杨浦区']);
  });

  it('answers the year with its monthly series', async () => {
    const y = (await yangpu.get('/api/statistics/annual?year=2026')).json<AnnualTable>();
    expect(y.total).toMatchObject({ households: 6, persons: 10, amountFen: 618_000 });
    expect(y.months.map((m) => m.amountFen).slice(9)).toEqual([255_000, 363_000, 0]);
  });

  it('downloads the month as .xlsx: Chinese sheets and headers, money in 元 from the fen', async () => {
    const res = await yangpu.get('/api/statistics/monthly.xlsx?month=2026-11');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toContain(encodeURIComponent('统计月报-杨浦区-2026-11.xlsx'));
    const book = await workbookOf(res.rawPayload);
    expect(book.worksheets.map((s) => s.name)).toEqual(['发放统计', '按区划汇总', '在册待遇', '说明']);
    const sheet = book.getWorksheet('发放统计')!;
    expect(sheet.getRow(1).getCell(1).value).toBe('杨浦区 2026-11 社会救助发放统计');
    expect(sheet.getRow(2).values).toEqual([
      undefined,
      '项目',
      '街道（镇）',
      '户次',
      '人次',
      '发放金额（元）',
      '其中补发（元）',
      '其中重发（元）',
      '其中抵扣追缴（元）',
      '其中待银行回盘（元）',
    ]);
    const rows = sheet.getSheetValues().filter(Boolean) as unknown[][];
    const dibao = rows.find((r) => r[1] === '最低生活保障' && r[2] === '控江路街道')!;
    expect(dibao.slice(3, 8)).toEqual([2, 5, 3560, 50, 1510]);
    expect(sheet.getRow(3).getCell(5).numFmt).toBe('#,##0.00');
    const total = rows.find((r) => r[1] === '合计')!;
    expect(total[5]).toBe(3630);
    const child = rows.find((r) => r[1] === '困境儿童基本生活费' && r[2] === '控江路街道')!;
    expect(child.slice(5, 10)).toEqual([70, 0, 0, -30, 100]);
  });

  it('downloads the year as .xlsx with a month per row', async () => {
    const res = await yangpu.get('/api/statistics/annual.xlsx?year=2026');
    expect(res.statusCode).toBe(200);
    const book = await workbookOf(res.rawPayload);
    expect(book.worksheets.map((s) => s.name)).toEqual(['年度汇总', '按区划汇总', '分月', '说明']);
    const months = book.getWorksheet('分月')!;
    expect(months.getRow(1).getCell(1).value).toBe('月份');
    expect(months.getRow(12).values).toEqual([undefined, '2026-11', 3, 6, 3630, 50, 1510, -30, 100]);
  });
});
