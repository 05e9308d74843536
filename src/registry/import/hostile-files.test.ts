import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { beforeEach, expect, it } from 'vitest';
import { ALL } from '../../auth/scope.ts';
import { selectRows } from '../../db/sql.ts';
import type { Store } from '../../db/store.ts';
import { describeStores } from '../../../test/support/stores.ts';
import { makeIdNumber } from '../id-number.ts';
import { COLUMNS, HEADERS } from './columns.ts';
import {
  headerRowXml,
  hostileXlsx,
  manyBadRows,
  rosterCells,
  rowXml,
  sharedStringBomb,
} from './hostile.fixtures.ts';
import type { ImportReport } from './import.service.ts';
import { DEFAULT_IMPORT_LIMITS, limitMessages, type ImportLimits } from './limits.ts';
import { importRoster, rosterCsv, sampleRoster, writeXlsx } from './roster.fixtures.ts';
import { FORMULA_REASON } from './roster-rows.ts';
import { CORRUPT_WORKBOOK } from './zip-archive.ts';

/**
 * Files built to hurt (issue 7, items 6, 8, 13, 22): every one is refused with a short Chinese report,
 * and nothing is written.
 */
const dir = mkdtempSync(join(tmpdir(), 'mz-hostile-test-'));
let fileNo = 0;
const actor = { userId: 'tester', divisionCode: '310110', reason: '恶意文件测试' };
const TODAY = '2026-11-22';
const limits = (overrides: Partial<ImportLimits>): ImportLimits => ({
  ...DEFAULT_IMPORT_LIMITS,
  ...overrides,
});

function file(content: Buffer | string, ext: string): string {
  const path = join(dir, `h${fileNo++}.${ext}`);
  writeFileSync(path, content);
  return path;
}

async function written(store: Store): Promise<number> {
  const [row] = await selectRows<{ n: number }>(
    store.db,
    sql`select (select count(*)::int from persons) + (select count(*)::int from households)
             + (select count(*)::int from audit_log where action = 'registry.import') as n`,
  );
  return row!.n;
}

const ID_A = makeIdNumber('310110', '1950-01-01', 11);
const ID_B = makeIdNumber('310110', '1951-01-01', 13);

describeStores('hostile roster files', (ctx) => {
  let before: number;
  beforeEach(async () => {
    before = await written(ctx.store);
  });

  const run = (path: string, options: { limits?: Partial<ImportLimits>; dryRun?: boolean } = {}) =>
    importRoster(ctx.store, path, { scope: ALL, actor, today: TODAY, ...options });

  async function expectOneFileProblem(report: ImportReport, reason: string): Promise<void> {
    expect(report.ok).toBe(false);
    expect(report.errors).toEqual([{ row: null, column: null, value: null, reason }]);
    expect(report.errorCount).toBe(1);
    expect(await written(ctx.store)).toBe(before);
  }

  it('a 60 KB workbook whose shared string inflates to 50 MB: one short error, nothing written', async () => {
    const bomb = file(sharedStringBomb(50, [ID_A, ID_B]), 'xlsx');
    const report = await run(bomb);
    await expectOneFileProblem(report, limitMessages.cellInFile(DEFAULT_IMPORT_LIMITS));
    expect(JSON.stringify(report).length).toBeLessThan(1000);
  });

  it('a workbook whose parts declare more than the unzipped cap is refused before inflating', async () => {
    const rows = [headerRowXml(), ...[...manyBadRows(30_000)].slice(1)];
    const report = await run(file(hostileXlsx({ rows }), 'xlsx'), { limits: { maxUnzippedMb: 1 } });
    await expectOneFileProblem(report, limitMessages.unzipped(limits({ maxUnzippedMb: 1 })));
  });

  it('a part that inflates to more than its directory declares is cut off (sizes are not trusted)', async () => {
    const rows = [...manyBadRows(30_000)];
    const report = await run(file(hostileXlsx({ rows, sheetDeclaredSize: 2000 }), 'xlsx'));
    await expectOneFileProblem(report, CORRUPT_WORKBOOK);
  });

  it('rows over the cap: the one error says so, however many bad rows were read before', async () => {
    const report = await run(file(hostileXlsx({ rows: manyBadRows(5000) }), 'xlsx'), {
      limits: { maxRows: 1000 },
    });
    await expectOneFileProblem(report, limitMessages.rows(limits({ maxRows: 1000 })));
    expect(report.errors[0]?.reason).toBe(
      '文件超过 1,000 行的上限（MINZHENG_IMPORT_MAX_ROWS，不含表头）：请拆分为几个文件分批导入',
    );
    // Blank lines count: a CSV of empty lines is not read to its end either.
    const blank = file(`${HEADERS.join(',')}\n${'\n'.repeat(50_000)}`, 'csv');
    await expectOneFileProblem(await run(blank, { limits: { maxRows: 1000 } }), report.errors[0]!.reason);
  });

  it('under the row cap every error is counted, a thousand are listed, none repeats a long value', async () => {
    const rows = sampleRoster(1500, undefined, 'LONG', 40_000).map((r) => ({
      ...r,
      address: '长'.repeat(900),
    }));
    for (const row of rows) row.wage = '-1';
    const path = join(dir, `h${fileNo++}.xlsx`);
    await writeXlsx(path, rows);
    const report = await run(path);
    expect(report.errorCount).toBe(rows.length);
    expect(report.errors).toHaveLength(1000);
    expect(JSON.stringify(report).length).toBeLessThan(200_000);
    expect(await written(ctx.store)).toBe(before);
  });

  it('a cell over the cell cap gets its own error with an excerpt (CSV and xlsx)', async () => {
    const rows = sampleRoster(1, undefined, 'CELL', 41_000);
    rows[0]!.name = '名'.repeat(5000);
    const csv = await run(file(rosterCsv(rows), 'csv'));
    const tooLong = '超过 1,000 个字符的上限（MINZHENG_IMPORT_MAX_CELL_CHARS）';
    expect(csv.errors).toEqual([
      { row: 2, column: '姓名', value: `${'名'.repeat(40)}…（共 1001 个字符）`, reason: tooLong },
    ]);
    const sheet = hostileXlsx({
      rows: [
        headerRowXml(),
        rowXml(2, rosterCells({ 户编号: 'X-1', 与户主关系: '户主', 地址: '址'.repeat(3000) })),
      ],
    });
    const xlsx = await run(file(sheet, 'xlsx'));
    expect(xlsx.errors).toContainEqual({
      row: 2,
      column: '地址',
      value: `${'址'.repeat(40)}…（共 3000 个字符）`,
      reason: tooLong,
    });
    expect(await written(ctx.store)).toBe(before);
  });

  it('a row wider than 64 columns, and a shared-string table beyond the rows allowed, are refused', async () => {
    const wide = hostileXlsx({ rows: [headerRowXml(), rowXml(2, Array<string>(200).fill('x'))] });
    await expectOneFileProblem(await run(file(wide, 'xlsx')), limitMessages.columns(2));
    const csvWide = file(`${HEADERS.join(',')}\n${','.repeat(100)}\n`, 'csv');
    await expectOneFileProblem(await run(csvWide), limitMessages.columns(2));
    const strings = Array.from({ length: 100_300 }, (_, i) => `s${i}`);
    const table = hostileXlsx({ rows: [headerRowXml()], sharedStrings: strings });
    await expectOneFileProblem(
      await run(file(table, 'xlsx'), { limits: { maxRows: 10 } }),
      limitMessages.sharedStrings(limits({ maxRows: 10 })),
    );
  });

  it('a truncated or garbled workbook is one Chinese line, never FILE_ENDED or a parser message', async () => {
    const path = join(dir, `h${fileNo++}.xlsx`);
    await writeXlsx(path, sampleRoster(200, undefined, 'CUT', 42_000));
    const whole = readFileSync(path);
    await expectOneFileProblem(
      await run(file(whole.subarray(0, whole.length >> 1), 'xlsx')),
      CORRUPT_WORKBOOK,
    );
    const garbled = hostileXlsx({ rows: ['<row r="1"><c r="A1" t="inlineStr"><is><t>户编号</t></is></c>'] });
    await expectOneFileProblem(await run(file(garbled, 'xlsx')), CORRUPT_WORKBOOK);
  });

  it('reads a workbook with shared strings after the sheet, as Excel lays it out', async () => {
    const rows = sampleRoster(2, undefined, 'SST', 43_000);
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('户籍台账');
    sheet.addRow([...HEADERS]);
    for (const r of rows) sheet.addRow(COLUMNS.map((c) => r[c.key] ?? null));
    const buffer = Buffer.from(await book.xlsx.writeBuffer());
    const names = [...buffer.toString('latin1').matchAll(/xl\/(?:sharedStrings|worksheets\/sheet1)\.xml/g)];
    expect(names[0]?.[0]).toBe('xl/worksheets/sheet1.xml'); // the sheet comes first in the archive
    const report = await run(file(buffer, 'xlsx'), { dryRun: true });
    expect(report.errors).toEqual([]);
    expect(report.persons).toBe(rows.length);
  });
});

describeStores('text a spreadsheet would run, and control characters', (ctx) => {
  const run = (content: string) =>
    importRoster(ctx.store, file(content, 'csv'), { scope: ALL, actor, today: TODAY, dryRun: true });

  it('refuses = + - @ at the start of 姓名 and 地址, per cell, with the reason', async () => {
    const rows = sampleRoster(3, undefined, 'FML', 44_000);
    rows[0]!.name = '=HYPERLINK("http://x","点我")';
    rows[1]!.name = '+1+1';
    rows[2]!.address = '-1层';
    rows[3]!.address = '@SUM(A1)';
    rows[4]!.name = "'=1+1"; // the export's apostrophe is removed, what remains is still a formula
    const report = await run(rosterCsv(rows));
    expect(report.ok).toBe(false);
    for (const [row, column] of [
      [2, '姓名'],
      [3, '姓名'],
      [4, '地址'],
      [5, '地址'],
      [6, '姓名'],
    ] as const) {
      expect(report.errors).toContainEqual(expect.objectContaining({ row, column, reason: FORMULA_REASON }));
    }
    expect(report.errorCount).toBe(5);
  });

  it('keeps legitimate values: a hyphen inside a name, a phone starting with +, the export’s apostrophe', async () => {
    const rows = sampleRoster(2, undefined, 'OKV', 45_000);
    rows[0]!.name = '让-皮埃尔';
    rows[1]!.phone = "'+86 13800000000";
    rows[3]!.address = '示例路1号-101室';
    rows[4]!.address = '示例路1号-101室';
    rows[3]!.phone = '+86 13900000000';
    const report = await run(rosterCsv(rows));
    expect(report.errors).toEqual([]);
  });

  it('refuses NUL, ESC and BEL per cell (400 with the cell, not 500), also past the first 4 KB', async () => {
    const rows = sampleRoster(40, undefined, 'CTL', 46_000);
    rows[0]!.name = '张\u0000三';
    rows[1]!.address = '示例路\u001b[31m1号';
    rows[rows.length - 1]!.address = '示例路\u00072号';
    rows[rows.length - 2]!.name = '李\u0000四';
    const content = rosterCsv(rows);
    expect(content.indexOf('李\u0000四')).toBeGreaterThan(4096);
    const report = await run(content);
    expect(report.errors).toEqual([
      { row: 2, column: '姓名', value: '张\\u0000三', reason: '包含空字符（NUL），请删除后重试' },
      { row: 3, column: '地址', value: '示例路\\u001b[31m1号', reason: '包含不允许的控制字符，请删除后重试' },
      {
        row: rows.length,
        column: '姓名',
        value: '李\\u0000四',
        reason: '包含空字符（NUL），请删除后重试',
      },
      {
        row: rows.length + 1,
        column: '地址',
        value: '示例路\\u00072号',
        reason: '包含不允许的控制字符，请删除后重试',
      },
    ]);
  });

  it('a NUL in a name is refused on a real run too, nothing reaches the database', async () => {
    const rows = sampleRoster(1, undefined, 'NUL', 47_000);
    rows[1]!.name = 'a\u0000b';
    const report = await importRoster(ctx.store, file(rosterCsv(rows), 'csv'), {
      scope: ALL,
      actor,
      today: TODAY,
    });
    expect(report).toMatchObject({ ok: false, errorCount: 1, households: 0 });
  });
});
