import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../audit/audit.service.ts';
import { ALL } from '../auth/scope.ts';
import { openPglite, type Store } from '../db/store.ts';
import { makeIdNumber } from '../registry/id-number.ts';
import { createHousehold, getHouseholdDetail } from '../registry/registry.service.ts';
import { inUnitOfWork } from '../workflow/unit-of-work.ts';

/**
 * `minzheng registry death|correct-death|correct|birth|transfers` as an operator runs them: bin/minzheng in a child
 * process on a PGlite data folder holding one household.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'mz-registry-edits-cli-'));
const HEAD_ID = makeIdNumber('310110', '1940-05-05', 11);
const SON_ID = makeIdNumber('310110', '1970-07-07', 13);

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Run {
  const { DATABASE_URL: _server, ...env } = process.env;
  const run = spawnSync(process.execPath, ['bin/minzheng', ...args], {
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

// Each run starts the CLI and opens PGlite: seconds each on a shared 2-core machine.
const SLOW = 300_000;

describe('minzheng registry death / correct-death / correct / birth / transfers', () => {
  beforeAll(async () => {
    await withStore((store) =>
      inUnitOfWork(store, { userId: 'u-test', divisionCode: '310110', reason: '测试建档' }, (tx) =>
        createHousehold(tx, ALL, {
          householdNo: 'CLI-E1',
          committeeCode: '310110001001',
          validFrom: '2000-01-01',
          members: [
            {
              person: {
                idNumber: HEAD_ID,
                name: '钱老伯',
                sex: 1,
                birthDate: '1940-05-05',
                hukouDivisionCode: '310110001',
              },
              relationCode: '02',
            },
            {
              person: {
                idNumber: SON_ID,
                name: '钱晓东',
                sex: 1,
                birthDate: '1970-07-07',
                hukouDivisionCode: '310110001',
              },
              relationCode: '20',
            },
          ],
        }),
      ),
    );
  }, SLOW);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it(
    'corrects a name and refuses a wrong one in one Chinese line',
    async () => {
      const bad = cli('registry', 'correct', SON_ID, '--birth-date', '1970-07-08', '--reason', '户口簿核对');
      expectOneErrorLine(bad, '身份证号中的出生日期与登记的出生日期不一致');
      const none = cli('registry', 'correct', SON_ID, '--reason', '户口簿核对');
      expectOneErrorLine(none, '请至少指定一项要更正的信息');
      const ok = cli('registry', 'correct', SON_ID, '--name', '钱晓冬', '--reason', '户口簿姓名有误');
      expect(ok.stderr).toBe('');
      expect(ok.status).toBe(0);
      expect(ok.stdout).toBe(`已更正：钱晓冬（310110********${SON_ID.slice(-4)}），更正 name\n`);
      const audit = await withStore((store) =>
        listAudit(store, { scope: ALL, action: 'person.corrected', limit: 10, offset: 0 }),
      );
      expect(audit.items.map((r) => [r.reason, r.district])).toEqual([['户口簿姓名有误', '310110']]);
    },
    SLOW,
  );

  it(
    'records a death: the memberships end the next day and the headless household is named',
    async () => {
      expectOneErrorLine(
        cli('registry', 'death', HEAD_ID, '--date', '1939-01-01', '--reason', '死亡证明 2026-001'),
        '不能早于出生日期 1940-05-05',
      );
      const ok = cli('registry', 'death', HEAD_ID, '--date', '2026-03-04', '--reason', '死亡证明 2026-001');
      expect(ok.stderr).toBe('');
      expect(ok.stdout).toBe(
        `已登记死亡：钱老伯（310110********${HEAD_ID.slice(-4)}），死亡日期 2026-03-04；终止成员关系 1 条（2026-03-04 次日起）\n` +
          '注意：户「CLI-E1」现无户主，请办理变更户主\n',
      );
      expectOneErrorLine(
        cli('registry', 'death', HEAD_ID, '--date', '2026-03-04', '--reason', '重复登记'),
        '已登记死亡（2026-03-04）',
      );
      const detail = await withStore((store) =>
        getHouseholdDetail(store.db, ALL, { districtCode: '310110', householdNo: 'CLI-E1' }),
      );
      expect(detail.history.find((h) => h.name === '钱老伯')).toMatchObject({
        validTo: '2026-03-05',
        endReason: 'death',
      });
      const audit = await withStore((store) =>
        listAudit(store, { scope: ALL, action: 'person.died', limit: 10, offset: 0 }),
      );
      expect(audit.items.map((r) => r.entityType).sort()).toEqual(['household_member', 'person']);
      expect(audit.items.every((r) => r.actorId === `cli:${userInfo().username}`)).toBe(true);
    },
    SLOW,
  );

  it(
    'corrects the date of death: the ended membership moves with it; the same date is refused',
    async () => {
      expectOneErrorLine(
        cli('registry', 'correct-death', HEAD_ID, '--date', '2026-03-04', '--reason', '死亡证明更正'),
        '死亡日期与已登记的相同（2026-03-04）',
      );
      const ok = cli(
        'registry',
        'correct-death',
        HEAD_ID,
        '--date',
        '2026-03-10',
        '--reason',
        '死亡证明更正',
      );
      expect(ok.stderr).toBe('');
      expect(ok.stdout).toBe(
        `已更正死亡日期：钱老伯（310110********${HEAD_ID.slice(-4)}），死亡日期 2026-03-10；随之改期的成员关系 1 条\n`,
      );
      const detail = await withStore((store) =>
        getHouseholdDetail(store.db, ALL, { districtCode: '310110', householdNo: 'CLI-E1' }),
      );
      expect(detail.history.find((h) => h.name === '钱老伯')).toMatchObject({
        validTo: '2026-03-11',
        endReason: 'death',
      });
    },
    SLOW,
  );

  it(
    'refuses an edit from a stale page (--expected-version): nothing changes',
    () => {
      const stale = cli(
        'registry',
        'correct',
        SON_ID,
        '--name',
        '钱小东',
        '--expected-version',
        '1',
        '--reason',
        '旧页面',
      );
      expect(stale.status).not.toBe(0);
      expect(stale.stderr).toContain('已被他人修改');
    },
    SLOW,
  );

  it(
    'registers a birth and lists transfers (none yet)',
    () => {
      const id = makeIdNumber('310110', '2026-05-05', 22);
      const born = cli(
        'registry',
        'birth',
        'CLI-E1',
        '--name',
        '钱小满',
        '--sex',
        '2',
        '--birth-date',
        '2026-05-05',
        '--id-number',
        id,
        '--relation',
        '30',
        '--hukou',
        '310110001',
        '--reason',
        '出生医学证明',
      );
      expect(born.stderr).toBe('');
      expect(born.stdout).toMatch(
        /^已登记出生：钱小满，2026-05-05 起为户「CLI-E1」成员（人员ID [0-9a-f-]{36}）\n$/,
      );
      const list = cli('registry', 'transfers', '--district', '310109');
      expect(list.status).toBe(0);
      expect(list.stdout).toContain('共 0 条');
      expectOneErrorLine(cli('registry', 'transfers', '--district', '3101'), '--district 应为6位区代码');
    },
    SLOW,
  );
});
