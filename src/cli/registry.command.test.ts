import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../audit/audit.service.ts';
import { COUNT_AHEAD } from '../registry/person.repository.ts';
import { ALL } from '../auth/scope.ts';
import { openPglite, type Store } from '../db/store.ts';
import { loadDemoPopulation } from '../demo/demo.service.ts';
import { inUnitOfWork } from '../workflow/unit-of-work.ts';
import { makeIdNumber, maskIdNumber } from '../registry/id-number.ts';
import {
  createHousehold,
  getHouseholdDetail,
  searchHouseholds,
  seedDivisions,
} from '../registry/registry.service.ts';

/**
 * `persons find` and `households show` as an operator runs them: bin/minzheng in a child process on a
 * PGlite data folder holding a small demo population of Yangpu (more persons than searches count exactly),
 * and one household number used in two districts.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'mz-registry-cli-'));

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

/** One Chinese line on stderr, nothing on stdout, exit 1. */
function expectOneErrorLine(run: Run, text: string): void {
  expect(run.status).toBe(1);
  expect(run.stdout).toBe('');
  expect(run.stderr).toMatch(/^错误：[^\n]+\n$/);
  expect(run.stderr).toContain(text);
}

const FULL_ID = /\b\d{17}[\dX]\b/;

// Each run starts tsx and opens PGlite: seconds each on a shared 2-core machine.
const SLOW = 300_000;

describe('minzheng persons find / households show', () => {
  let householdNo: string;
  let members: { name: string; idNumber: string }[];

  beforeAll(async () => {
    ({ householdNo, members } = await withStore(async (store) => {
      await seedDivisions(store);
      await loadDemoPopulation(store, { district: '310110', persons: COUNT_AHEAD + 400, seed: 'cli' });
      for (const [district, committeeCode] of [
        ['310109', '310109009002'],
        ['310110', '310110001001'],
      ] as const) {
        await inUnitOfWork(store, { userId: 'u-test', divisionCode: district, reason: '测试建档' }, (tx) =>
          createHousehold(tx, ALL, {
            householdNo: 'SAME-1',
            committeeCode,
            validFrom: '2010-01-01',
            members: [
              {
                person: {
                  idNumber: makeIdNumber(district, '1931-02-03', 7),
                  name: `同号${district}`,
                  sex: 1,
                  birthDate: '1931-02-03',
                  hukouDivisionCode: committeeCode.slice(0, 9),
                },
                relationCode: '02',
              },
            ],
          }),
        );
      }
      const page = await searchHouseholds(store.db, ALL, { divisionCode: '310110', minMembers: 2, limit: 1 });
      const first = page.rows[0];
      if (!first) throw new Error('the demo population has no household of two');
      const detail = await getHouseholdDetail(
        store.db,
        ALL,
        { districtCode: '310110', householdNo: first.householdNo },
        { unmask: true },
      );
      return {
        householdNo: first.householdNo,
        members: detail.members.map((m) => ({ name: m.person.name, idNumber: m.person.idNumber })),
      };
    }));
  }, SLOW);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it(
    'persons find prints a table with masked ID numbers; --unmask needs a reason and is audited',
    async () => {
      const person = members[0]!;
      const run = cli('persons', 'find', '--id-number', person.idNumber);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const lines = run.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^姓名\s+性别\s+出生日期\s+身份证号\s+户编号\s+居住地\s+状态$/);
      expect(lines[2]).toContain(person.name);
      expect(lines[2]).toContain(maskIdNumber(person.idNumber));
      expect(lines[2]).toContain(householdNo);
      expect(lines.at(-1)).toBe('共 1 人，显示第 1–1 条');
      expect(run.stdout).not.toMatch(FULL_ID);

      const json = cli('persons', 'find', '--name', person.name, '--division', '310110', '--json');
      expect(json.status).toBe(0);
      const page = JSON.parse(json.stdout) as { rows: { name: string; idNumber: string }[]; total: number };
      expect(page.rows.map((r) => r.name)).toContain(person.name);
      expect(page.rows.every((r) => r.name.startsWith(person.name))).toBe(true);
      expect(json.stdout).not.toMatch(FULL_ID);

      expectOneErrorLine(
        cli('persons', 'find', '--id-number', person.idNumber, '--unmask'),
        '--unmask 是管理操作，须用 --reason 说明原因',
      );
      const unmasked = cli(
        'persons',
        'find',
        '--id-number',
        person.idNumber,
        '--unmask',
        '--reason',
        '核对身份',
      );
      expect(unmasked.status).toBe(0);
      expect(unmasked.stdout).toContain(person.idNumber);
      expect(unmasked.stdout).toContain('（完整身份证号，已记入审计日志）');
      const audit = await withStore((store) =>
        listAudit(store, { scope: ALL, action: 'person.unmask', limit: 10, offset: 0 }),
      );
      expect(audit.items.map((row) => row.reason)).toEqual(['核对身份']);
      // The audit row names the search masked, like the API's unmask row: no full ID number in the log.
      expect(JSON.stringify(audit.items)).not.toContain(person.idNumber);
      expect(JSON.stringify(audit.items)).toContain(maskIdNumber(person.idNumber));
    },
    SLOW,
  );

  it(
    'households show prints the household, its members (masked) and the membership history',
    () => {
      // The household number carries its district; --district is not needed.
      const run = cli('households', 'show', householdNo);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout).toContain(`户编号：${householdNo}`);
      expect(run.stdout).toMatch(/所在地：杨浦区 \S+街道/);
      expect(run.stdout).toContain(`现有成员（${members.length} 人）：`);
      expect(run.stdout).toMatch(/成员变动记录（\d+ 条）：/);
      for (const member of members) {
        expect(run.stdout).toContain(member.name);
        expect(run.stdout).toContain(maskIdNumber(member.idNumber));
      }
      expect(run.stdout).toMatch(/户主\(02\)/);
      expect(run.stdout).not.toMatch(FULL_ID);

      expect(cli('households', 'show', householdNo, '--district', '310110').stdout).toBe(run.stdout);
      expectOneErrorLine(cli('households', 'show', 'NO-SUCH-1'), '家庭户不存在或不在您的数据范围内');
      expectOneErrorLine(
        cli('households', 'show', 'NO-SUCH-1', '--district', '310110'),
        '家庭户不存在或不在您的数据范围内',
      );
    },
    SLOW,
  );

  it(
    'households show asks for --district only when two districts use the number',
    () => {
      expectOneErrorLine(
        cli('households', 'show', 'SAME-1'),
        '户编号 SAME-1 在 310109、310110 各有一户，请用 --district 指定区',
      );
      const run = cli('households', 'show', 'SAME-1', '--district', '310109');
      expect(run.status).toBe(0);
      expect(run.stdout).toContain('同号310109');
      expect(run.stdout).not.toContain('同号310110');
    },
    SLOW,
  );

  it(
    'persons find says how many matched: exactly, or "more than" where counting stops',
    () => {
      const all = cli('persons', 'find', '--limit', '5');
      expect(all.status).toBe(0);
      expect(all.stdout.trimEnd().split('\n').at(-1)).toBe(
        `超过 ${5 + COUNT_AHEAD} 人，显示第 1–5 条；翻页可继续计数，或用条件缩小查询`,
      );
      const few = cli('persons', 'find', '--name', '同号');
      expect(few.stdout.trimEnd().split('\n').at(-1)).toBe('共 2 人，显示第 1–2 条');
    },
    SLOW,
  );

  it(
    '--help describes the commands and their options',
    () => {
      const find = cli('persons', 'find', '--help');
      expect(find.status).toBe(0);
      expect(find.stdout).toContain('查询人员，身份证号默认脱敏显示');
      for (const flag of ['--name', '--initials', '--id-number', '--division', '--unmask', '--reason']) {
        expect(find.stdout).toContain(flag);
      }
      const show = cli('households', 'show', '--help');
      expect(show.status).toBe(0);
      expect(show.stdout).toContain('<householdNo>');
      expect(show.stdout).toContain('6位区代码');
      expect(show.stdout).not.toMatch(/--district.*必填/);
    },
    SLOW,
  );

  it(
    'a bad argument is one Chinese line on stderr and exit code 1',
    () => {
      expectOneErrorLine(cli('persons', 'find', '--limit', 'abc'), '--limit 应为非负整数：abc');
      expectOneErrorLine(
        cli('households', 'show', householdNo, '--district', '31'),
        '--district 应为6位区代码：31',
      );
      expectOneErrorLine(cli('persons', 'find', '--bogus'), '未知选项 --bogus（使用 --help 查看用法）');
    },
    SLOW,
  );
});
