import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock, setClock } from '../core/clock.ts';
import { openPglite, type Store } from '../db/store.ts';
import { inspectPdf } from '../documents/pdf-inspect.test-helpers.ts';
import { seedStatsWorld } from '../statistics/statistics.fixtures.ts';

/**
 * `minzheng stats month|year` as an operator runs it: bin/minzheng in a child process on a PGlite data folder
 * holding the hand-checked world of statistics.fixtures.ts.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'mz-stats-cli-'));

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const { DATABASE_URL: _server, ...env } = process.env;
  const run = spawnSync(process.execPath, ['bin/minzheng', 'stats', ...args], {
    env: { ...env, MINZHENG_DATA_DIR: dataDir },
    encoding: 'utf8',
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

beforeAll(async () => {
  const restore = setClock(fixedClock('2026-12-02T10:00:00+08:00'));
  const store: Store = await openPglite(join(dataDir, 'pglite'));
  try {
    await store.migrate();
    await seedStatsWorld(store);
  } finally {
    await store.close();
    restore();
  }
}, 240_000);

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('stats command', () => {
  it('prints a district month in Chinese, by street, with totals and the entitlements in force', () => {
    const r = cli('month', '2026-11', '--division', '310110');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('杨浦区 2026-11 社会救助发放统计');
    const dibao = r.stdout.split('\n').find((l) => l.startsWith('最低生活保障') && l.includes('控江路街道'));
    expect(dibao?.split(/\s+/)).toEqual([
      '最低生活保障',
      '控江路街道',
      '2',
      '5',
      '3560.00',
      '50.00',
      '1510.00',
    ]);
    expect(r.stdout).toMatch(/合计\s+3\s+6\s+3630\.00/);
    expect(r.stdout).toContain('在册待遇（2026-11 有效）');
    expect(r.stdout).not.toContain('长宁区');
  });

  it('writes the year as .xlsx and prints the monthly series', async () => {
    const file = join(dataDir, 'year.xlsx');
    const r = cli('year', '2026', '--division', '310110', '--xlsx', file);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/2026-11\s+3\s+6\s+3630\.00/);
    expect(existsSync(file)).toBe(true);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(file);
    expect(book.worksheets.map((s) => s.name)).toEqual(['年度汇总', '按区划汇总', '分月', '说明']);
  });

  it('writes the annual report as PDF with --pdf', () => {
    const file = join(dataDir, 'report.pdf');
    const r = cli('year', '2026', '--division', '310110', '--pdf', file);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`已写入年度统计报告 ${file}`);
    const text = inspectPdf(readFileSync(file)).pages.join('');
    expect(text).toContain('杨浦区2026年社会救助统计报告');
    expect(text).toContain('失、无业低保家庭人数');
    expect(text).not.toContain('长宁');
  });

  it('says an empty month in words, and refuses a bad month or an unknown division', () => {
    const empty = cli('month', '2026-03', '--division', '310110');
    expect(empty.stdout).toContain('本月没有计入的发放。');
    expect(empty.stdout).toContain('注：2026-03 没有发放批次');
    const bad = cli('month', '2026-13');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('月份「2026-13」无效');
    expect(cli('month', '2026-11', '--division', '310199').stderr).toContain('区划不存在');
  });
});
