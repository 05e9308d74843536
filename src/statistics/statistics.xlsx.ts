import ExcelJS from 'exceljs';
import type { AnnualTable, AreaLevel, MonthlyTable } from './statistics.service.ts';
import type { EntitledFigures, Figures, Named, ProgramTable } from './statistics.tables.ts';

/**
 * The tables as .xlsx (docs/statistics.md): Chinese sheet names and headers, money in 元 as numbers with two
 * decimals. A fen amount divided by 100 is the double nearest the exact yuan value (IEEE division is
 * correctly rounded), so the cell shows exactly the integer fen the table summed. exceljs writes no native
 * charts: the console draws them; the 分月 sheet holds the series for a chart drawn in the spreadsheet.
 */

const AREA_HEADER: Record<AreaLevel, string> = {
  district: '区',
  street: '街道（镇）',
  committee: '居委会（村委会）',
};
const MONEY = '#,##0.00';

const yuan = (fen: number): number => fen / 100;

interface Column<F> {
  header: string;
  width: number;
  value: (f: F) => number;
  money?: boolean;
}

const PAID_COLUMNS: Column<Figures>[] = [
  { header: '户次', width: 10, value: (f) => f.households },
  { header: '人次', width: 10, value: (f) => f.persons },
  { header: '发放金额（元）', width: 16, value: (f) => yuan(f.amountFen), money: true },
  { header: '其中补发（元）', width: 14, value: (f) => yuan(f.arrearsFen), money: true },
  { header: '其中重发（元）', width: 14, value: (f) => yuan(f.carriedFen), money: true },
  { header: '其中抵扣追缴（元）', width: 16, value: (f) => yuan(f.offsetFen), money: true },
  { header: '其中待银行回盘（元）', width: 18, value: (f) => yuan(f.unconfirmedFen), money: true },
];

const ENTITLED_COLUMNS: Column<EntitledFigures>[] = [
  { header: '户数', width: 10, value: (f) => f.households },
  { header: '人数', width: 10, value: (f) => f.persons },
  { header: '待遇数', width: 10, value: (f) => f.entitlements },
  { header: '月待遇金额（元）', width: 16, value: (f) => yuan(f.amountFen), money: true },
];

/** One sheet: a title, the header, each program's rows then its subtotal, a grand total, then the notes. */
function programSheet<F>(
  workbook: ExcelJS.Workbook,
  name: string,
  title: string,
  level: AreaLevel,
  columns: readonly Column<F>[],
  table: { programs: ProgramTable<F>[]; total: F },
  notes: readonly string[],
): void {
  const sheet = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 2 }] });
  sheet.columns = [{ width: 34 }, { width: 24 }, ...columns.map((c) => ({ width: c.width }))];
  sheet.addRow([title]).font = { bold: true, size: 13 };
  sheet.addRow(['项目', AREA_HEADER[level], ...columns.map((c) => c.header)]).font = { bold: true };
  const add = (a: string, b: string, f: F, bold = false) => {
    const row = sheet.addRow([a, b, ...columns.map((c) => c.value(f))]);
    columns.forEach((c, i) => {
      if (c.money) row.getCell(i + 3).numFmt = MONEY;
    });
    if (bold) row.font = { bold: true };
  };
  for (const p of table.programs) {
    for (const r of p.rows) add(p.program.name, r.name, r);
    add(p.program.name, '小计', p.total, true);
  }
  if (table.programs.length === 0) sheet.addRow(['本期无数据']);
  add('合计', '', table.total, true);
  if (notes.length > 0) sheet.addRow([]);
  for (const n of notes) sheet.addRow([n]);
}

function areaSheet(
  workbook: ExcelJS.Workbook,
  name: string,
  level: AreaLevel,
  rows: readonly (Named & Figures)[],
): void {
  const sheet = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = [{ width: 16 }, { width: 24 }, ...PAID_COLUMNS.map((c) => ({ width: c.width }))];
  sheet.addRow(['区划代码', AREA_HEADER[level], ...PAID_COLUMNS.map((c) => c.header)]).font = { bold: true };
  for (const r of rows) {
    const row = sheet.addRow([r.code, r.name, ...PAID_COLUMNS.map((c) => c.value(r))]);
    PAID_COLUMNS.forEach((c, i) => {
      if (c.money) row.getCell(i + 3).numFmt = MONEY;
    });
  }
}

const DEFINITIONS = [
  '口径说明',
  '发放数：当月已审批（已审批、已导出、已办结）发放批次中，银行已成功或已送银行待回盘（待发放、已放行）的明细；挂起、不予发放、银行失败的不计。',
  '补发、银行失败后重发的明细计入实际发放的月份；抵扣追缴为负数，计入发放金额（净额）。',
  '户次：当月收到该项目发放的家庭户数；人次：按人发放的项目为受益人数，按户发放的项目为该户当月在户成员数。',
  '在册待遇：起止月份覆盖该月、现时不在暂停中的待遇；金额为月待遇金额（按季发放的亦为月额）。',
  '年度表的户次、人次为各月之和，金额为各月之和。',
];

export async function monthlyWorkbook(t: MonthlyTable): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const level = t.division.areaLevel;
  programSheet(
    workbook,
    '发放统计',
    `${t.division.name} ${t.month} 社会救助发放统计`,
    level,
    PAID_COLUMNS,
    t,
    t.notes,
  );
  areaSheet(workbook, '按区划汇总', level, t.byArea);
  programSheet(
    workbook,
    '在册待遇',
    `${t.division.name} ${t.month} 在册待遇`,
    level,
    ENTITLED_COLUMNS,
    t.entitled,
    [],
  );
  definitions(workbook);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

export async function annualWorkbook(t: AnnualTable): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const level = t.division.areaLevel;
  programSheet(
    workbook,
    '年度汇总',
    `${t.division.name} ${t.year} 年社会救助发放统计`,
    level,
    PAID_COLUMNS,
    t,
    t.notes,
  );
  areaSheet(workbook, '按区划汇总', level, t.byArea);
  const months = workbook.addWorksheet('分月', { views: [{ state: 'frozen', ySplit: 1 }] });
  months.columns = [{ width: 10 }, ...PAID_COLUMNS.map((c) => ({ width: c.width }))];
  months.addRow(['月份', ...PAID_COLUMNS.map((c) => c.header)]).font = { bold: true };
  for (const m of t.months) {
    const row = months.addRow([m.month, ...PAID_COLUMNS.map((c) => c.value(m))]);
    PAID_COLUMNS.forEach((c, i) => {
      if (c.money) row.getCell(i + 2).numFmt = MONEY;
    });
  }
  definitions(workbook);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

function definitions(workbook: ExcelJS.Workbook): void {
  const sheet = workbook.addWorksheet('说明');
  sheet.columns = [{ width: 120 }];
  for (const line of DEFINITIONS) sheet.addRow([line]);
}

/** The download's name: 统计月报-杨浦区-2026-11.xlsx, 统计年报-杨浦区-2026.xlsx. */
export function workbookName(kind: 'month' | 'year', divisionName: string, period: string): string {
  return `${kind === 'month' ? '统计月报' : '统计年报'}-${divisionName}-${period}.xlsx`;
}
