import ExcelJS from 'exceljs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { ALL, divisionScope } from '../auth/scope.ts';
import { fixedClock, setClock } from '../core/clock.ts';
import { inspectPdf } from '../documents/pdf-inspect.test-helpers.ts';
import { renderPdf } from '../documents/pdf.renderer.ts';
import { seedReportWorld } from './annual-report.fixtures.ts';
import { annualReportDocument, annualReportWorkbook } from './annual-report.document.ts';
import { annualReport, basisPoints, percent, type AnnualReport } from './annual-report.ts';

/**
 * 年度统计报告 on the hand-checked world of annual-report.fixtures.ts: the sections' figures, the 低保
 * composition in its five parts, the elderly and disability sections; the PDF and the .xlsx say the same.
 */
describeStores('annual statistical report', (ctx) => {
  let restore: () => void;
  let yangpu: AnnualReport;

  beforeAll(async () => {
    restore = setClock(fixedClock('2026-12-02T10:00:00+08:00'));
    await seedReportWorld(ctx.store);
    yangpu = await annualReport(ctx.store.db, divisionScope('310110'), 2026);
  });
  afterAll(() => restore());

  it('writes shares in basis points, rounded half up, in integers', () => {
    expect(basisPoints(5, 11)).toBe(4545);
    expect(basisPoints(1, 8)).toBe(1250);
    expect(basisPoints(1, 20000)).toBe(1);
    expect(basisPoints(1, 20001)).toBe(0);
    expect(basisPoints(3, 0)).toBe(0);
    expect(percent(6456)).toBe('64.56%');
    expect(percent(6)).toBe('0.06%');
    expect(percent(10000)).toBe('100.00%');
  });

  it('splits the 生活救助 persons into the five parts of the yearbook', () => {
    expect(yangpu.division).toEqual({ code: '310110', name: '杨浦区', areaLevel: 'street' });
    expect(
      yangpu.livelihood.composition.map((c) => [c.key, c.households, c.part, c.whole, c.basisPoints]),
    ).toEqual([
      ['unemployed', 2, 5, 11, 4545],
      ['employed', 1, 2, 11, 1818],
      ['severe_disability', 1, 1, 11, 909],
      ['traditional_tekun', 1, 1, 11, 909],
      ['rigid', 1, 2, 11, 1818],
    ]);
    // The whole city adds 长宁's X1 (2 persons, nobody employed) to the 失、无业 part.
    return annualReport(ctx.store.db, ALL, 2026).then((city) => {
      expect(city.livelihood.composition[0]).toMatchObject({ part: 7, whole: 13, basisPoints: 5385 });
    });
  });

  it('gives each program its year: 户次, 人次 and amount from the annual table', () => {
    const byCode = Object.fromEntries(yangpu.livelihood.programs.map((p) => [p.code, p]));
    // dibao: H1 October 200000 + November 200000 + 5000 arrears, H3 carried 151000.
    expect(byCode.dibao).toMatchObject({ households: 3, persons: 7, amountFen: 556_000 });
    expect(byCode.severe_disability_unemployed).toMatchObject({
      households: 1,
      persons: 1,
      amountFen: 160_000,
    });
    expect(byCode.rigid_expense).toMatchObject({ households: 1, persons: 2, amountFen: 50_000 });
    expect(yangpu.livelihood.total).toMatchObject({ households: 6, persons: 11, amountFen: 956_000 });
    expect(yangpu.grainOil).toMatchObject({ name: '粮油帮困', households: 1, persons: 1, amountFen: 7_200 });
    expect(yangpu.tekun).toMatchObject({ households: 1, persons: 1, amountFen: 190_000 });
    expect(yangpu.temporary).toMatchObject({ households: 1, persons: 2, amountFen: 300_000 });
    expect(yangpu.medical.held).toBe(false);
  });

  it('reads the elderly bands and disability categories at the year end', () => {
    expect(yangpu.elderly).toMatchObject({ asOf: '2026-12-31', basis: 'registered', aged60plus: 1 });
    expect(yangpu.elderly.bands.map((b) => [b.band, b.part, b.basisPoints])).toEqual([
      ['60-69', 0, 0],
      ['70-79', 0, 0],
      ['80-89', 1, 10000],
      ['90-99', 0, 0],
      ['100+', 0, 0],
    ]);
    expect(yangpu.disability.total).toBe(1);
    expect(yangpu.disability.byCategory.find((c) => c.category === 1)).toMatchObject({
      part: 1,
      basisPoints: 10000,
    });
  });

  it('renders an A4 PDF in Chinese with every section', async () => {
    const doc = annualReportDocument(yangpu, { printedOn: '2026-12-02' });
    const { pages, fonts } = inspectPdf(await renderPdf(doc));
    const text = pages.join('');
    for (const s of [
      '杨浦区2026年社会救助统计报告',
      '一、生活救助',
      '失、无业低保家庭人数',
      '45.45%',
      '二、粮油帮困',
      '三、特困人员救助供养',
      '四、医疗救助',
      '医疗救助数据尚未接入本系统',
      '五、临时救助',
      '六、老年人口年龄结构',
      '80–89岁',
      '七、残疾人分类',
      '9560.00元',
    ])
      expect(text, s).toContain(s);
    expect(fonts.every((f) => f.embedded)).toBe(true);
  });

  it('writes one sheet per section that reads back with exceljs', async () => {
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await annualReportWorkbook(yangpu)) as unknown as ArrayBuffer);
    expect(book.worksheets.map((s) => s.name)).toEqual([
      '生活救助',
      '粮油帮困',
      '特困供养',
      '医疗救助',
      '临时救助',
      '老年人口',
      '残疾人',
      '说明',
    ]);
    const rows = book.getWorksheet('生活救助')!.getSheetValues().filter(Boolean) as unknown[][];
    expect(rows.find((r) => r[1] === '合计')!.slice(2, 5)).toEqual([6, 11, 9560]);
    expect(rows.find((r) => r[1] === '有从业人员的低保家庭人数')!.slice(2, 5)).toEqual([1, 2, 18.18]);
    const elderly = book.getWorksheet('老年人口')!.getSheetValues().filter(Boolean) as unknown[][];
    expect(elderly.find((r) => r[1] === '80-89')!.slice(2, 4)).toEqual([1, 100]);
  });
});
