import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { beforeEach, expect, it } from 'vitest';
import { ALL, divisionScope } from '../../auth/scope.ts';
import { selectRows } from '../../db/sql.ts';
import type { Store } from '../../db/store.ts';
import { describeStores } from '../../../test/support/stores.ts';
import { inUnitOfWork } from '../../workflow/unit-of-work.ts';
import { makeIdNumber } from '../id-number.ts';
import { createRosterWriter, type RosterValues } from '../export/roster-writer.ts';
import { HEADERS } from './columns.ts';
import { readImport, writeImport, type ImportReport } from './import.service.ts';
import {
  HUANGPU_COMMITTEE,
  importRoster,
  YANGPU_OTHER_STREET_COMMITTEE,
  rosterCsv,
  sampleRoster,
  writeCsv,
  writeXlsx,
} from './roster.fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'mz-import-test-'));
let fileNo = 0;
const actor = { userId: 'tester', divisionCode: '310110', reason: '单元测试导入' };
const TODAY = '2026-11-22';
// Every roster in this file gets people of its own: the store is shared by the tests.
let nextPerson = 0;
function roster(households: number, prefix: string, committee?: string): RosterValues[] {
  const rows = sampleRoster(households, committee, prefix, nextPerson);
  nextPerson += households;
  return rows;
}
const household = (prefix: string, committee?: string) => roster(1, prefix, committee);

async function xlsx(rows: readonly RosterValues[]): Promise<string> {
  const path = join(dir, `r${fileNo++}.xlsx`);
  await writeXlsx(path, rows);
  return path;
}

function csvFile(content: string | Buffer, ext = 'csv'): string {
  const path = join(dir, `r${fileNo++}.${ext}`);
  writeFileSync(path, content);
  return path;
}

interface Counts {
  households: number;
  persons: number;
  members: number;
  audits: number;
}

async function counts(store: Store): Promise<Counts> {
  const [row] = await selectRows<Counts>(
    store.db,
    sql`select (select count(*)::int from households) as households,
               (select count(*)::int from persons) as persons,
               (select count(*)::int from household_members) as members,
               (select count(*)::int from audit_log where action = 'registry.import') as audits`,
  );
  return row!;
}

async function lastAuditId(store: Store): Promise<number> {
  const [row] = await selectRows<{ id: number }>(
    store.db,
    sql`select coalesce(max(id), 0)::int as id from audit_log`,
  );
  return row!.id;
}

async function auditSince(store: Store, id: number) {
  return selectRows<Record<string, unknown> & { after: Record<string, unknown> | null }>(
    store.db,
    sql`select action, entity_id, district_code, actor_id, actor_division, reason, request_id, "after"
        from audit_log where id > ${id} order by id`,
  );
}

describeStores('roster import', (ctx) => {
  let before: Counts;
  beforeEach(async () => {
    before = await counts(ctx.store);
  });

  const run = (
    file: Parameters<typeof importRoster>[1],
    options: Partial<Parameters<typeof importRoster>[2]> = {},
  ) =>
    importRoster(ctx.store, file, {
      scope: ALL,
      actor,
      today: TODAY,
      uploadDir: join(dir, 'uploads'),
      ...options,
    });

  /** Asserts a refused import: the reasons expected are present and nothing was written. */
  async function expectRefused(report: ImportReport, expected: Partial<ImportReport['errors'][number]>[]) {
    expect(report.ok).toBe(false);
    expect(report.households).toBe(0);
    expect(report.persons).toBe(0);
    expect(report.audit).toBeUndefined();
    for (const e of expected) expect(report.errors).toContainEqual(expect.objectContaining(e));
    expect(await counts(ctx.store)).toEqual(before);
  }

  it('imports a good xlsx roster in one audited write, then refuses the same file again', async () => {
    const rows = roster(4, 'GOOD');
    const file = await xlsx(rows);
    const report = await run(file);
    expect(report).toMatchObject({
      ok: true,
      dryRun: false,
      rows: 10,
      households: 4,
      persons: 10,
      errorCount: 0,
    });
    // Facts: each head's wage and employment, each spouse's pension, each household's assets.
    expect(report.audit?.counts).toEqual({ households: 4, persons: 10, memberships: 10, facts: 16 });
    expect(report.audit?.districts).toEqual(['310110']);
    expect(await counts(ctx.store)).toEqual({
      households: before.households + 4,
      persons: before.persons + 10,
      members: before.members + 10,
      audits: before.audits + 1,
    });
    const [head] = await selectRows<Record<string, unknown>>(
      ctx.store.db,
      sql`select p.name, p.name_initials, p.sex, p.birth_date::text as birth, p.wage_fen::text as wage,
                 p.pension_fen::text as pension, p.residence_division_code as residence, m.relation_code,
                 m.valid_from::text as valid_from, m.seq, h.monetary_assets_fen::text as assets, h.homes,
                 h.street_code, h.address
          from persons p
          join household_members m on m.district_code = p.district_code and m.person_id = p.id and m.valid_to is null
          join households h on h.district_code = m.district_code and h.id = m.household_id
          where p.id_number = ${rows[0]!.idNumber as string}`,
    );
    expect(head).toEqual({
      name: rows[0]!.name,
      name_initials: expect.stringMatching(/^[a-z]{2}$/) as unknown,
      sex: 1,
      birth: rows[0]!.birthDate,
      wage: '450050',
      pension: '0',
      residence: '310110001001',
      relation_code: '02',
      valid_from: '2020-01-01',
      seq: 0,
      assets: '2000000',
      homes: 1,
      street_code: '310110001',
      address: '示例路0号',
    });
    // The roster's figures are dated facts (declared, from 入户日期); the columns above are their projection.
    const facts = await selectRows<Record<string, unknown>>(
      ctx.store.db,
      sql`select f.kind, f.amount_fen::text as amount, f.flag, f.valid_from::text as valid_from, f.valid_to,
                 f.source_kind, f.source_ref like '台账导入：%' as ref
          from economic_facts f join persons p on p.district_code = f.district_code and p.id = f.subject_id
          where p.id_number = ${rows[0]!.idNumber as string} order by f.kind`,
    );
    expect(facts).toEqual([
      {
        kind: 'employment',
        amount: null,
        flag: true,
        valid_from: '2020-01-01',
        valid_to: null,
        source_kind: 'declared',
        ref: true,
      },
      {
        kind: 'wage',
        amount: '450050',
        flag: null,
        valid_from: '2020-01-01',
        valid_to: null,
        source_kind: 'declared',
        ref: true,
      },
    ]);

    before = await counts(ctx.store);
    const again = await run(file);
    await expectRefused(again, [
      {
        row: 2,
        column: '身份证号',
        reason: '身份证号已登记，且已是户 GOOD-0000000 的现有成员：不能重复导入',
      },
      { row: 2, column: '户编号', reason: '户编号 GOOD-0000000 已登记：不能重复导入' },
    ]);
    expect(again.errorCount).toBe(14); // 10 persons + 4 households
  });

  it('records the import as one batch record: the digest of the rows written, their counts, district and reason', async () => {
    const from = await lastAuditId(ctx.store);
    const report = await run(await xlsx(roster(2, 'DIG')), {
      actor: { ...actor, divisionCode: '310110001', requestId: 'req-import' },
    });
    const counts = { households: 2, persons: 5, memberships: 5, facts: report.audit!.counts.facts };
    expect(report.audit?.counts).toEqual(counts);
    const records = await auditSince(ctx.store, from);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      action: 'registry.import',
      entity_id: report.audit!.file.sha256,
      district_code: '310110',
      actor_id: 'tester',
      actor_division: '310110001',
      reason: '单元测试导入',
      request_id: 'req-import',
    });
    expect(records[0]!.after).toEqual({
      rows: 2 + 5 + 5 + counts.facts,
      digest: report.audit!.digest,
      counts,
      districts: ['310110'],
      scope: ALL,
      file: report.audit!.file,
    });
    expect(report.audit!.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is written in its caller’s unit: a unit that fails after the write keeps neither rows nor audit', async () => {
    const read = await readImport(await xlsx(roster(2, 'FAIL')), { scope: ALL, actor, today: TODAY });
    try {
      await expect(
        inUnitOfWork(ctx.store, actor, async (tx) => {
          const report = await writeImport(tx, read);
          expect(report.ok).toBe(true);
          throw new Error('the caller failed after the import');
        }),
      ).rejects.toThrow('the caller failed after the import');
      // A read is written once: a second unit would repeat the duplicate checks' findings.
      await expect(inUnitOfWork(ctx.store, actor, (tx) => writeImport(tx, read))).rejects.toThrow(
        'an import is written once',
      );
    } finally {
      await read.dispose();
    }
    expect(await counts(ctx.store)).toEqual(before);
  });

  it('dry run validates and counts but writes nothing', async () => {
    const report = await run(await xlsx(roster(3, 'DRY')), { dryRun: true });
    expect(report).toMatchObject({ ok: true, dryRun: true, rows: 8, households: 3, persons: 8 });
    expect(report.audit).toBeUndefined();
    expect(await counts(ctx.store)).toEqual(before);
  });

  it('imports CSV (UTF-8 with BOM, quoted fields with commas and line breaks)', async () => {
    const rows = roster(2, 'CSV');
    rows[0]!.address = '示例路1号,"东"楼\n101室';
    rows[1]!.address = '';
    const path = join(dir, `r${fileNo++}.csv`);
    await writeCsv(path, rows);
    const report = await run(path);
    expect(report).toMatchObject({ ok: true, households: 2, persons: 5 });
    const [h] = await selectRows<{ address: string }>(
      ctx.store.db,
      sql`select address from households where household_no = 'CSV-0000000'`,
    );
    expect(h?.address).toBe('示例路1号,"东"楼\n101室');
  });

  it('keeps Chinese text intact across chunk boundaries of a large xlsx', async () => {
    const rows = roster(1500, 'BIG');
    for (const row of rows) row.address = '上海市杨浦区控江路一二三四五六七八九十弄';
    const report = await run(await xlsx(rows), { dryRun: true });
    expect(report.errors).toEqual([]);
    expect(report.persons).toBe(rows.length);
  });

  it('reports every bad cell with row, column, value and a Chinese reason', async () => {
    const rows = roster(6, 'BAD');
    const id = rows[0]!.idNumber as string;
    rows[0]!.idNumber = id.slice(0, 17) + (id[17] === '0' ? '1' : '0'); // wrong check character
    rows[1]!.birthDate = '1999-09-09'; // disagrees with the ID number
    rows[2]!.sex = '女'; // the ID says male
    rows[3]!.joinDate = '2023-02-30';
    rows[4]!.committee = '310110999999';
    rows[5]!.hukouDivision = '319999';
    rows[6]!.wage = '100.005';
    rows[7]!.pension = '-20';
    rows[8]!.relation = '邻居';
    rows[9]!.idNumber = 'ABC';
    const report = await run(await xlsx(rows));
    await expectRefused(report, [
      { row: 2, column: '身份证号', value: rows[0]!.idNumber, reason: '身份证号校验位错误' },
      { row: 3, column: '身份证号', reason: '身份证号中的出生日期与登记的出生日期不一致' },
      { row: 4, column: '身份证号', reason: '身份证号中的性别与登记的性别不一致' },
      { row: 5, column: '入户日期', value: '2023-02-30', reason: '日期不存在' },
      { row: 6, column: '居住地居委会代码', value: '310110999999', reason: '未知的居（村）委会代码' },
      { row: 7, column: '户籍地区划代码', value: '319999', reason: '未知的上海市区划代码' },
      { row: 8, column: '月工资(元)', value: '100.005', reason: '金额最多两位小数（精确到分）' },
      { row: 9, column: '月养老金(元)', value: '-20', reason: '金额不能为负数' },
      { row: 10, column: '与户主关系', value: '邻居' },
      { row: 11, column: '身份证号', value: 'ABC' },
    ]);
  });

  it('refuses a committee outside the user’s scope', async () => {
    const rows = [
      ...household('SCOPE', YANGPU_OTHER_STREET_COMMITTEE),
      ...household('SCOPE2', HUANGPU_COMMITTEE),
    ];
    const report = await run(await xlsx(rows), { scope: divisionScope('310110001') });
    await expectRefused(report, [
      {
        row: 2,
        column: '居住地居委会代码',
        value: YANGPU_OTHER_STREET_COMMITTEE,
        reason: '居委会不在您的数据范围内',
      },
      { row: 5, column: '居住地居委会代码', value: HUANGPU_COMMITTEE, reason: '居委会不在您的数据范围内' },
    ]);
  });

  it('refuses households without exactly one head, and household columns that disagree', async () => {
    const noHead = household('HEADA').map((r) => ({ ...r, relation: '子' }));
    const twoHeads = household('HEADB').map((r) => ({ ...r, relation: '02' }));
    const conflict = household('HEADC');
    conflict[1]!.monetaryAssets = '5.00';
    const report = await run(await xlsx([...noHead, ...twoHeads, ...conflict]));
    const b = 2 + noHead.length; // first row of HEADB
    const c = b + twoHeads.length; // first row of HEADC
    await expectRefused(report, [
      {
        row: 2,
        column: '与户主关系',
        reason: '户 HEADA-0000000 没有户主（与户主关系 02）：每户有且只有一名户主',
      },
      {
        row: b + 1,
        column: '与户主关系',
        reason: `户 HEADB-0000000 有多名户主（第 ${b} 行已是户主）：每户有且只有一名户主`,
      },
      {
        row: c + 1,
        column: '家庭货币财产(元)',
        value: '5.00',
        reason: `同一户（HEADC-0000000）各行须一致：第 ${c} 行为“20000.00”`,
      },
    ]);
  });

  it('refuses a 身份证号 repeated in the file', async () => {
    const rows = roster(2, 'DUP');
    rows[3] = { ...rows[3]!, idNumber: rows[0]!.idNumber, birthDate: rows[0]!.birthDate, sex: rows[0]!.sex };
    const report = await run(await xlsx(rows));
    await expectRefused(report, [
      { row: 5, column: '身份证号', reason: '身份证号在文件中重复（第 2 行已有）' },
    ]);
  });

  it('refuses a person who is already in another current household', async () => {
    const first = household('MOVE1');
    expect((await run(await xlsx(first))).ok).toBe(true);
    before = await counts(ctx.store);
    const second = household('MOVE2');
    second.push({ ...first[2]!, householdNo: second[0]!.householdNo, relation: '孙子' });
    const report = await run(await xlsx(second));
    await expectRefused(report, [
      {
        row: 4,
        column: '身份证号',
        reason: '身份证号已登记，且已是户 MOVE1-0000000 的现有成员：不能重复导入',
      },
    ]);
    expect(report.errorCount).toBe(1);
  });

  it('refuses an ID number typed as an Excel number', async () => {
    const rows = household('NUM');
    rows[0]!.idNumber = Number(rows[0]!.idNumber);
    const report = await run(await xlsx(rows));
    await expectRefused(report, [
      { row: 2, column: '身份证号', reason: '身份证号须以文本格式填写（Excel 数字格式只保留15位有效数字）' },
    ]);
  });

  it('accepts Excel date serials and derives sex and birth date from the ID when left empty', async () => {
    const rows = household('SER');
    rows[0]!.joinDate = 43831; // 2020-01-01
    rows[1]!.sex = '';
    rows[1]!.birthDate = '';
    const report = await run(await xlsx(rows), { dryRun: true });
    expect(report.errors).toEqual([]);
  });

  it('refuses wrong, missing and unknown headers, listing the expected ones', async () => {
    const headers = HEADERS.filter((h) => h !== '身份证号').map((h) => (h === '姓名' ? '名字' : h));
    const report = await run(csvFile(rosterCsv(household('HDR'), headers)));
    const expectedList = `应有的列（按模板顺序）：${HEADERS.join('、')}`;
    await expectRefused(report, [
      { row: 1, column: '名字', reason: `未知的列名。${expectedList}` },
      { row: 1, column: null, reason: `缺少列：姓名、身份证号。${expectedList}` },
    ]);
  });

  it('refuses empty files, header-only files and files that are not spreadsheets', async () => {
    await expectRefused(await run(csvFile('')), [{ row: null, reason: '文件为空' }]);
    await expectRefused(await run(csvFile('\uFEFF\r\n\r\n')), [{ reason: '文件为空：没有表头行和数据行' }]);
    await expectRefused(await run(csvFile(`${HEADERS.join(',')}\n`)), [
      { reason: '文件没有数据行（只有表头）' },
    ]);
    await expectRefused(await run(await xlsx([])), [{ reason: '文件没有数据行（只有表头）' }]);
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    await expectRefused(await run(csvFile(png, 'xlsx')), [
      { reason: '文件不是电子表格：请上传 .xlsx 或 .csv 文件' },
    ]);
    await expectRefused(await run(csvFile('户编号,姓名\n', 'xlsx')), [
      { reason: '文件扩展名为 .xlsx，但内容不是 Excel 工作簿' },
    ]);
    const zip = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(200, 7)]);
    const broken = await run(csvFile(zip, 'xlsx'));
    await expectRefused(broken, []);
    expect(broken.errors[0]?.reason).toMatch(/^无法读取 Excel 工作簿/);
    const gbk = Buffer.concat([
      Buffer.from(`${HEADERS.join(',')}\n`, 'utf8'),
      Buffer.from([0xd5, 0xc5, 0xc8, 0xfd]),
    ]);
    await expectRefused(await run(csvFile(gbk)), [{ reason: 'CSV 文件不是 UTF-8 编码' }]);
  });

  it('refuses a file over the size limit, and a 200 MB upload without reading it all', async () => {
    const big = csvFile(Buffer.alloc(2 * 1024 * 1024 + 1, 0x41));
    await expectRefused(await run(big, { limits: { maxUploadMb: 2 } }), [
      { reason: '文件超过大小上限 2 MB（MINZHENG_MAX_UPLOAD_MB）' },
    ]);
    let produced = 0;
    const chunk = Buffer.alloc(1024 * 1024, 0x41);
    const upload = Readable.from(
      (function* () {
        for (let i = 0; i < 200; i++) {
          produced += chunk.length;
          yield chunk;
        }
      })(),
    );
    await expectRefused(await run({ stream: upload, name: 'big.csv' }), [
      { reason: '文件超过大小上限 50 MB（MINZHENG_MAX_UPLOAD_MB）' },
    ]);
    expect(produced).toBeLessThanOrEqual(52 * 1024 * 1024);
    const declared = Readable.from([Buffer.from('x')]);
    await expectRefused(await run({ stream: declared, name: 'a.csv', size: 200 * 1024 * 1024 }), [
      { reason: '文件超过大小上限 50 MB（MINZHENG_MAX_UPLOAD_MB）' },
    ]);
  });

  it('imports from an upload stream', async () => {
    const rows = household('UP');
    const upload = Readable.from([Buffer.from(rosterCsv(rows), 'utf8')]);
    const report = await run({ stream: upload, name: 'roster.csv' }, { dryRun: true });
    expect(report.errors).toEqual([]);
    expect(report).toMatchObject({ ok: true, persons: rows.length });
  });

  it('caps the error list and still counts every error', async () => {
    const rows = roster(500, 'CAP').map((r) => ({ ...r, wage: '-1', pension: '-1', otherIncome: '-1' }));
    const report = await run(await xlsx(rows));
    expect(report.errors).toHaveLength(1000);
    expect(report.errorCount).toBe(rows.length * 3);
    expect(await counts(ctx.store)).toEqual(before);
  });

  it('writes the template layout for the person it describes', async () => {
    const path = join(dir, `t${fileNo++}.xlsx`);
    const writer = createRosterWriter(path, { styled: true });
    writer.addRow({
      householdNo: 'TPL-1',
      relation: '02',
      name: '王五',
      idNumber: makeIdNumber('310110', '1960-03-04', 11),
      hukouDivision: '310110',
      committee: '310110001001',
    });
    writer.addNotesSheet('说明', [['列', '说明']]);
    await writer.commit();
    const report = await run(path);
    expect(report).toMatchObject({ ok: true, persons: 1 });
  });
});
