import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL } from '../../auth/scope.ts';
import { selectRows } from '../../db/sql.ts';
import { openPglite, type Store } from '../../db/store.ts';
import { pdfBytes } from '../../files/files.fixtures.ts';
import { makeIdNumber } from '../../registry/id-number.ts';
import { createHousehold } from '../../registry/registry.service.ts';
import { inUnitOfWork } from '../../workflow/unit-of-work.ts';

/**
 * `minzheng verify request|show` as an operator runs them: bin/minzheng in a child process on a PGlite data
 * folder holding one household of two adults and a child.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'mz-verify-cli-'));
const paper = join(dataDir, '授权书.pdf');
const HOUSEHOLD_NO = 'CLI-V1';

function cli(...args: string[]) {
  const { DATABASE_URL: _server, ...env } = process.env;
  const run = spawnSync(process.execPath, ['bin/minzheng', 'verify', ...args], {
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

describe('minzheng verify request|show', () => {
  beforeAll(async () => {
    writeFileSync(paper, pdfBytes('signed'));
    await withStore((store) =>
      inUnitOfWork(store, { userId: 'cli:test', divisionCode: null, reason: '建立测试家庭' }, (tx) =>
        createHousehold(tx, ALL, {
          householdNo: HOUSEHOLD_NO,
          committeeCode: '310110012001',
          validFrom: '2017-01-01',
          members: [
            {
              person: {
                idNumber: makeIdNumber('310110', '1970-03-03', 11),
                name: '赵大',
                sex: 1,
                birthDate: '1970-03-03',
                hukouDivisionCode: '310110012',
              },
              relationCode: '02',
            },
            {
              person: {
                idNumber: makeIdNumber('310110', '1971-04-04', 22),
                name: '钱二',
                sex: 2,
                birthDate: '1971-04-04',
                hukouDivisionCode: '310110012',
              },
              relationCode: '10',
            },
            {
              person: {
                idNumber: makeIdNumber('310110', '2016-05-05', 31),
                name: '赵小',
                sex: 1,
                birthDate: '2016-05-05',
                hukouDivisionCode: '310110012',
              },
              relationCode: '20',
            },
          ],
        }),
      ),
    );
  }, 60_000);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('refuses a missing paper and an unknown household with one Chinese line, writing nothing', () => {
    const missing = cli(
      'request',
      '--household',
      HOUSEHOLD_NO,
      '--purpose',
      'dibao',
      '--authorization',
      join(dataDir, 'none.pdf'),
    );
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^错误：找不到授权书文件/);
    const unknown = cli('request', '--household', 'NOPE', '--purpose', 'dibao', '--authorization', paper);
    expect(unknown.stderr).toMatch(/^错误：没有户编号为 NOPE 的家庭户/);
    const purpose = cli(
      'request',
      '--household',
      HOUSEHOLD_NO,
      '--purpose',
      'lottery',
      '--authorization',
      paper,
    );
    expect(purpose.stderr).toContain('核对用途「lottery」不存在');
  }, 60_000);

  it('attaches the paper, registers the adults as signers, accepts the request and shows it', async () => {
    const run = cli(
      'request',
      '--household',
      HOUSEHOLD_NO,
      '--purpose',
      'dibao',
      '--authorization',
      paper,
      '--reason',
      '申请低保',
    );
    expect(run.stderr).toMatch(/^已受理核对委托 HD-310110-\d{8}-[0-9A-V]{6}：最低生活保障，3 名成员/);
    expect(run.status).toBe(0);
    const id = run.stdout.trim();
    const rows = await withStore((store) =>
      selectRows<{ signers: number; kind: string; queries: number; jobs: number }>(
        store.db,
        sql`select cardinality(a.person_ids)::int as signers, t.kind,
                   (select count(*)::int from verification_source_queries q where q.request_id = ${id}) as queries,
                   (select count(*)::int from jobs j where j.kind = 'verification.gather') as jobs
            from verification_authorisations a join attachments t on t.id = a.attachment_id`,
      ),
    );
    expect(rows).toEqual([{ signers: 2, kind: 'authorisation', queries: 9, jobs: 1 }]);
    const shown = cli('show', id);
    expect(shown.status).toBe(0);
    expect(shown.stdout).toContain('用途：最低生活保障');
    expect(shown.stdout).toContain('税务部门');
    expect(shown.stdout).toContain('待发送');
    const json = JSON.parse(cli('show', id, '--json').stdout) as {
      state: string;
      members: { name: string }[];
    };
    expect(json.state).toBe('received');
    expect(json.members.map((m) => m.name)).toEqual(['赵大', '钱二', '赵小']);
  }, 60_000);
});
