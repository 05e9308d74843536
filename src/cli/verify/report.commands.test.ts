import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fixedClock, setClock } from '../../core/clock.ts';
import { openPglite } from '../../db/store.ts';
import { inUnitOfWork } from '../../workflow/unit-of-work.ts';
import { answered, JOB_ACTOR } from '../../verification/report/report.fixtures.ts';
import { issueReports } from '../../verification/report/report.service.ts';
import { authorise, request, seedHousehold } from '../../verification/verification.fixtures.ts';
import { registerVerifyReportCommands } from './report.commands.ts';

/**
 * `verify report` in process, on a PGlite data folder holding one reported request: the text table, the
 * JSON and the PDF; an unknown request is one Chinese line.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'mz-verify-report-cli-'));
let requestNo = '';
const saved = { dir: process.env.MINZHENG_DATA_DIR, url: process.env.DATABASE_URL };

async function run(...args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  registerVerifyReportCommands(program.command('verify'));
  let out = '';
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await program.parseAsync(['node', 'minzheng', 'verify', 'report', ...args]);
  } finally {
    write.mockRestore();
    err.mockRestore();
  }
  return out;
}

describe('minzheng verify report', () => {
  let restore: () => void;

  beforeAll(async () => {
    restore = setClock(fixedClock('2026-12-01T10:00:00+08:00'));
    process.env.MINZHENG_DATA_DIR = dataDir;
    delete process.env.DATABASE_URL;
    const store = await openPglite(join(dataDir, 'pglite'));
    try {
      await store.migrate();
      const seeded = await seedHousehold(store, 'C1');
      await authorise(store, seeded, { signedOn: '2026-11-20' });
      const created = await request(store, seeded);
      requestNo = created.requestNo;
      await answered(store, created, [
        { source: 'tax', personId: seeded.adults[1]!.id, kind: 'other_income', amountFen: 250_000 },
      ]);
      await inUnitOfWork(store, JOB_ACTOR, (tx) => issueReports(tx, '310110', [created.id]));
    } finally {
      await store.close();
    }
  }, 120_000);
  afterAll(() => {
    restore();
    process.env.MINZHENG_DATA_DIR = saved.dir;
    if (saved.url !== undefined) process.env.DATABASE_URL = saved.url;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints the comparison, the flags and the conclusion', async () => {
    const text = await run(requestNo);
    expect(text).toContain(`核对报告 ${requestNo}-R1（第 1 版，共 1 版）`);
    expect(text).toContain('【未申报收入】李C1经营性及其他收入（月）申报 0.00 元，核对 2500.00 元');
    expect(text).toContain('最低生活保障');
  });

  it('prints JSON and writes the PDF', async () => {
    const json = JSON.parse(await run(requestNo, '--json')) as { reportNo: string; flags: unknown[] };
    expect(json.reportNo).toBe(`${requestNo}-R1`);
    expect(json.flags).toHaveLength(1);
    const pdf = join(dataDir, 'report.pdf');
    expect(await run(requestNo, '--pdf', pdf)).toBe('');
    expect(readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-');
  }, 60_000);

  it('refuses an unknown request and a bad revision in Chinese', async () => {
    await expect(run('HD-310110-20261201-ZZZZZZ')).rejects.toThrow(
      '核对委托不存在：HD-310110-20261201-ZZZZZZ',
    );
    await expect(run(requestNo, '--revision', '0')).rejects.toThrow('版本应为正整数：0');
    await expect(run(requestNo, '--revision', '2')).rejects.toThrow('核对报告没有第 2 版');
  });
});
