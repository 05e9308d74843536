import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../audit/audit.service.ts';
import { ALL } from '../auth/scope.ts';
import { openPglite, type Store } from '../db/store.ts';
import { listFacts } from '../registry/facts/facts.service.ts';
import { makeIdNumber } from '../registry/id-number.ts';
import { createHousehold, searchPersons } from '../registry/registry.service.ts';
import { inUnitOfWork } from '../workflow/unit-of-work.ts';
import { factValue, yuanToFen } from './facts.command.ts';
import { CliError } from './errors.ts';

/**
 * `minzheng facts list|add|end` as an operator runs them: bin/minzheng in a child process on a PGlite data
 * folder holding one household of two.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'mz-facts-cli-'));
const HEAD_ID = makeIdNumber('310110', '1960-02-02', 11);
const WIFE_ID = makeIdNumber('310110', '1962-03-03', 22);
const HOUSEHOLD_NO = 'CLI-F1';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Run {
  const { DATABASE_URL: _server, ...env } = process.env;
  const run = spawnSync(process.execPath, ['bin/minzheng', 'facts', ...args], {
    env: { ...env, MINZHENG_DATA_DIR: dataDir },
    encoding: 'utf8',
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

async function withStore<T>(work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openPglite(join(dataDir, 'pglite'));
  try {
    await store.migrate();
    return await work(store);
  } finally {
    await store.close();
  }
}

function expectOneErrorLine(run: Run, text: string): void {
  expect(run.status).toBe(1);
  expect(run.stdout).toBe('');
  expect(run.stderr).toMatch(/^错误：[^\n]+\n$/);
  expect(run.stderr).toContain(text);
}

const audited = (action: string) =>
  withStore((store) => listAudit(store, { scope: ALL, action, limit: 20, offset: 0 }));

// Each run starts the CLI and opens PGlite: seconds each on a shared 2-core machine.
const SLOW = 300_000;

describe('--value', () => {
  it('reads money as yuan into integer fen without a float, and every other shape by its kind', () => {
    expect(yuanToFen('3500')).toBe(350000);
    expect(yuanToFen('3500.5')).toBe(350050);
    expect(yuanToFen('0.07')).toBe(7);
    expect(yuanToFen('1.005')).toBeUndefined();
    expect(yuanToFen('-1')).toBeUndefined();
    expect(factValue('vehicles', '2')).toEqual({ quantity: 2 });
    expect(factValue('employment', '否')).toEqual({ flag: false });
    expect(factValue('disability', '1-2')).toEqual({ disabilityCategory: 1, disabilityGrade: 2 });
    expect(factValue('disability', '无')).toEqual({ disabilityCategory: null, disabilityGrade: null });
    expect(factValue('category', '特困供养人员')).toEqual({ category: 'tekun' });
    expect(() => factValue('wage', '三千')).toThrow(CliError);
    expect(() => factValue('wage', undefined)).toThrow('请用 --value 给出「工资性收入（月）」的值');
  });
});

describe('minzheng facts list / add / end', () => {
  beforeAll(async () => {
    await withStore((store) =>
      inUnitOfWork(store, { userId: 'u-test', divisionCode: '310110', reason: '测试建档' }, (tx) =>
        createHousehold(tx, ALL, {
          householdNo: HOUSEHOLD_NO,
          committeeCode: '310110001001',
          validFrom: '2000-01-01',
          members: [
            {
              person: {
                idNumber: HEAD_ID,
                name: '孙建国',
                sex: 1,
                birthDate: '1960-02-02',
                hukouDivisionCode: '310110001',
              },
              relationCode: '02',
            },
            {
              person: {
                idNumber: WIFE_ID,
                name: '周秀英',
                sex: 2,
                birthDate: '1962-03-03',
                hukouDivisionCode: '310110001',
              },
              relationCode: '10',
            },
          ],
        }),
      ),
    );
  }, SLOW);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it(
    'adds a person’s wage with the reason audited, then a newer one that ends it, and lists both as a table',
    async () => {
      const first = cli(
        'add',
        HEAD_ID,
        '--kind',
        'wage',
        '--value',
        '3500.50',
        '--from',
        '2025-01-01',
        '--source',
        'declared',
        '--ref',
        '申报表 2025-001',
        '--reason',
        '年度收入申报',
      );
      expect(first.stderr).toBe('');
      expect(first.status).toBe(0);
      expect(first.stdout).toMatch(
        new RegExp(
          `^已新增：人员 孙建国（310110\\*{8}${HEAD_ID.slice(-4)}）的「工资性收入（月）」：3500.50 元，2025-01-01 起，来源 申报（事实ID [0-9a-f-]{36}）\\n$`,
        ),
      );
      const second = cli(
        'add',
        HEAD_ID,
        '--kind',
        'wage',
        '--value',
        '4200',
        '--from',
        '2026-01-01',
        '--source',
        'declared',
        '--reason',
        '收入变化申报',
      );
      expect(second.stderr).toBe('');
      expect(second.stdout).toContain(
        '同类型、同来源的上一条（自 2025-01-01 起）于 2026-01-01 结束，保留为历史',
      );

      const listed = cli('list', HEAD_ID, '--as-of', '2025-06-01');
      expect(listed.stderr).toBe('');
      const lines = listed.stdout.split('\n');
      expect(lines[0]).toBe(`人员 孙建国（310110********${HEAD_ID.slice(-4)}）的经济状况事实（2025-06-01）`);
      expect(lines[1]).toMatch(/^类型\s+数值\s+起始\s+结束\s+来源\s+依据\s+状态\s+版本\s+事实ID$/);
      // The older wage counts on 2025-06-01 (it held then); the newer one is history yet to come.
      expect(lines[3]).toMatch(
        /^工资性收入（月）\s+3500\.50 元\s+2025-01-01\s+2026-01-01\s+申报\s+申报表 2025-001\s+计入\s+2\s+[0-9a-f-]{36}$/,
      );
      expect(lines[4]).toMatch(
        /^工资性收入（月）\s+4200\.00 元\s+2026-01-01\s+至今\s+申报\s+1\s+[0-9a-f-]{36}$/,
      );
      expect(lines[5]).toBe(
        '共 2 条，2025-06-01 计入 1 条（结束日期不含当日；“计入”即该日所在月份测算所用）',
      );

      const added = await audited('fact.added');
      expect(added.items.map((r) => r.reason).sort()).toEqual(['年度收入申报', '收入变化申报']);
      expect(
        added.items.every((r) => r.actorId === `cli:${userInfo().username}` && r.district === '310110'),
      ).toBe(true);
      expect((await audited('fact.superseded')).items.map((r) => r.reason)).toEqual(['收入变化申报']);
    },
    SLOW,
  );

  it(
    'ends a household’s fact named by 户编号 and fact id; the version read guards it',
    async () => {
      const added = cli(
        'add',
        HOUSEHOLD_NO,
        '--kind',
        'vehicles',
        '--value',
        '1',
        '--from',
        '2024-05-01',
        '--source',
        'agency',
        '--ref',
        '车管所 2024 批次',
        '--reason',
        '部门数据比对',
      );
      expect(added.stderr).toBe('');
      const factId = /事实ID ([0-9a-f-]{36})/.exec(added.stdout)?.[1];
      expect(factId).toBeDefined();
      expect(added.stdout).toContain(
        `家庭户 ${HOUSEHOLD_NO}（户主 孙建国）的「机动车辆（辆）」：1，2024-05-01 起`,
      );

      expectOneErrorLine(
        cli(
          'end',
          HOUSEHOLD_NO,
          factId!,
          '--date',
          '2026-02-01',
          '--expected-version',
          '7',
          '--reason',
          '车辆已过户',
        ),
        '该事实已被他人修改（当前版本 1）',
      );
      const ended = cli('end', HOUSEHOLD_NO, factId!, '--date', '2026-02-01', '--reason', '车辆已过户');
      expect(ended.stderr).toBe('');
      expect(ended.stdout).toBe(
        `已结束：家庭户 ${HOUSEHOLD_NO}（户主 孙建国）的「机动车辆（辆）」（自 2024-05-01 起），2026-02-01 起不再计入\n`,
      );
      const listed = cli('list', HOUSEHOLD_NO, '--as-of', '2026-02-01');
      expect(listed.stdout).toMatch(
        /机动车辆（辆）\s+1\s+2024-05-01\s+2026-02-01\s+部门数据\s+车管所 2024 批次\s+2/,
      );
      const audit = await audited('fact.ended');
      expect(audit.items.map((r) => [r.reason, r.district])).toEqual([['车辆已过户', '310110']]);
    },
    SLOW,
  );

  it(
    'refuses in one Chinese line naming the option, and writes nothing: no reason, a kind of the other subject, a bad date, an unknown kind or subject',
    async () => {
      const factsOfHead = () =>
        withStore(async (store) => {
          const [head] = (await searchPersons(store.db, ALL, { idNumber: HEAD_ID })).rows;
          const subject = {
            subjectType: 'person' as const,
            districtCode: head!.districtCode,
            subjectId: head!.id,
          };
          return (await listFacts(store.db, ALL, subject, '2026-01-01')).facts.length;
        });
      const before = { facts: await factsOfHead(), audited: (await audited('fact.added')).total };
      const value = ['--value', '100', '--source', 'declared'];
      expectOneErrorLine(
        cli('add', HEAD_ID, '--kind', 'wage', ...value, '--from', '2025-01-01', '--reason', '  '),
        '请用 --reason 说明原因（将记入审计日志）',
      );
      expectOneErrorLine(
        cli(
          'add',
          HEAD_ID,
          '--kind',
          'monetary_assets',
          ...value,
          '--from',
          '2025-01-01',
          '--reason',
          '申报',
        ),
        '--kind：「货币财产」是家庭户的事实，不能记在人员上',
      );
      expectOneErrorLine(
        cli('add', HEAD_ID, '--kind', 'wage', ...value, '--from', '2025-02-30', '--reason', '申报'),
        '--from：起始日期「2025-02-30」不是有效日期',
      );
      expectOneErrorLine(
        cli('add', HEAD_ID, '--kind', 'pay', ...value, '--from', '2025-01-01', '--reason', '申报'),
        '--kind：未知的事实类型「pay」',
      );
      expectOneErrorLine(cli('list', 'NO-SUCH'), '没有户编号为 NO-SUCH 的家庭户');
      expect({ facts: await factsOfHead(), audited: (await audited('fact.added')).total }).toEqual(before);
    },
    SLOW,
  );
});
