import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALL } from '../auth/scope.ts';
import { openPglite } from '../db/store.ts';
import { divisionIndex } from '../registry/divisions.ts';
import { importRoster, rosterCsv, sampleRoster, writeXlsx } from '../registry/import/roster.fixtures.ts';
import { CORRUPT_WORKBOOK } from '../registry/import/zip-archive.ts';
import { renderImportReport } from './import-export.command.ts';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

// Each run starts the CLI and opens PGlite: seconds each on a shared 2-core machine.
const SLOW = 300_000;

const base = { rows: 3, households: 1, persons: 3, errors: [], errorCount: 0 };

describe('renderImportReport', () => {
  it('summarizes a write and a dry run in Chinese', () => {
    expect(renderImportReport({ ...base, ok: true, dryRun: false })).toBe(
      '导入完成：共 3 行，已导入 1 户、3 人\n',
    );
    expect(renderImportReport({ ...base, ok: true, dryRun: true })).toBe(
      '校验通过（试运行，未写入）：共 3 行，将导入 1 户、3 人\n',
    );
  });

  it('prints the error table with row, column, value and reason, and says when it is cut', () => {
    const text = renderImportReport({
      ...base,
      ok: false,
      dryRun: false,
      households: 0,
      persons: 0,
      errors: [
        { row: null, column: null, value: null, reason: '文件为空' },
        { row: 12, column: '月工资(元)', value: '1.234', reason: '金额最多两位小数（精确到分）' },
      ],
      errorCount: 2_800_000,
    });
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('导入失败：发现 2,800,000 处错误，未写入任何数据');
    expect(lines[1]).toMatch(/^行\s+列\s+值\s+原因$/);
    expect(lines[3]).toMatch(/^-\s+-\s+文件为空$/);
    expect(lines[4]).toMatch(/^12\s+月工资\(元\)\s+1\.234\s+金额最多两位小数（精确到分）$/);
    expect(lines[5]).toBe('（仅列出前 2 处，共 2,800,000 处）');
  });
});

/**
 * `import households` and `export households` as an operator runs them: bin/minzheng in a child process
 * on a PGlite data folder holding one household of 控江路街道 (310110012).
 */
describe('minzheng import / export households', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mz-import-cli-'));
  const work = mkdtempSync(join(tmpdir(), 'mz-import-cli-files-'));
  const KONGJIANG = divisionIndex().children('310110012')[0]!.code;
  const YINHANG = divisionIndex().children('310110016')[0]!.code;
  const ours = sampleRoster(1, KONGJIANG, 'KJ', 5000);

  function cli(...args: string[]): Run {
    const { DATABASE_URL: _server, ...env } = process.env;
    const run = spawnSync(process.execPath, ['bin/minzheng', ...args], {
      env: { ...env, MINZHENG_DATA_DIR: dataDir },
      encoding: 'utf8',
    });
    return { status: run.status, stdout: run.stdout, stderr: run.stderr };
  }

  beforeAll(async () => {
    const store = await openPglite(join(dataDir, 'pglite'));
    try {
      await store.migrate();
      const report = await importRoster(store, writeFile('ours.csv', rosterCsv(ours)), {
        scope: ALL,
        actor: { userId: 'test', divisionCode: '310110', reason: '测试数据' },
      });
      expect(report.errors).toEqual([]);
    } finally {
      await store.close();
    }
  }, SLOW);

  function writeFile(name: string, content: string | Buffer): string {
    const path = join(work, name);
    writeFileSync(path, content);
    return path;
  }

  it(
    'another street is told a person is registered elsewhere, not where; leftover uploads are swept first',
    () => {
      const uploads = join(dataDir, 'tmp', 'uploads');
      mkdirSync(uploads, { recursive: true });
      const leftover = join(uploads, '999999999-00000000-0000-0000-0000-000000000000.upload');
      writeFileSync(leftover, ours.map((r) => String(r.idNumber)).join('\n'));
      const theirs = ours.map((r) => ({ ...r, householdNo: 'YH-1', committee: YINHANG }));
      const run = cli(
        'import',
        'households',
        writeFile('theirs.csv', rosterCsv(theirs)),
        '--dry-run',
        '--division',
        '310110016',
      );
      expect(run.status).toBe(1);
      expect(run.stdout).toContain(`导入失败：发现 ${ours.length} 处错误`);
      expect(run.stdout).toContain('此人已在其他地方登记（不在您的数据范围内）');
      expect(run.stdout).not.toContain('KJ-0000000');
      expect(existsSync(leftover)).toBe(false);
    },
    SLOW,
  );

  it(
    'a truncated workbook is one Chinese line, not FILE_ENDED',
    async () => {
      const path = join(work, 'whole.xlsx');
      await writeXlsx(path, sampleRoster(100, KONGJIANG, 'CUT', 6000));
      const whole = readFileSync(path);
      const run = cli('import', 'households', writeFile('cut.xlsx', whole.subarray(0, whole.length >> 1)));
      expect(run.status).toBe(1);
      expect(run.stdout).toContain(CORRUPT_WORKBOOK);
      expect(`${run.stdout}${run.stderr}`).not.toMatch(/FILE_ENDED|[A-Z]{4,}_[A-Z]+|Error/);
    },
    SLOW,
  );

  it(
    'an export the system cannot write says why in Chinese, without ENOENT or the .part file',
    () => {
      const notAFolder = writeFile('plain.txt', 'x');
      mkdirSync(join(work, 'folder.xlsx'));
      const cases: [string, string][] = [
        [join(work, 'missing', 'x.xlsx'), '所在的文件夹不存在'],
        [join(notAFolder, 'x.xlsx'), '路径中有一段不是文件夹'],
        [join(work, 'folder.xlsx'), '这是一个文件夹'],
      ];
      for (const [out, why] of cases) {
        const run = cli('export', 'households', '--out', out);
        expect(run.status).toBe(1);
        expect(run.stdout).toBe('');
        expect(run.stderr).toBe(`错误：无法写入 ${out}：${why}\n`);
      }
      expect(readdirSync(work).filter((f) => f.endsWith('.part'))).toEqual([]);
    },
    SLOW,
  );

  it(
    'exports CSV when --out ends in .csv',
    () => {
      const out = join(work, 'roster.csv');
      const run = cli('export', 'households', '--out', out);
      expect(run.stderr).toBe('');
      expect(run.stdout).toContain(`导出完成：1 户、${ours.length} 人 → ${out}`);
      const text = readFileSync(out, 'utf8');
      expect(text.startsWith('\uFEFF户编号,与户主关系,姓名,身份证号')).toBe(true);
      expect(text.split('\r\n').filter((line) => line !== '')).toHaveLength(ours.length + 1);
    },
    SLOW,
  );
});
