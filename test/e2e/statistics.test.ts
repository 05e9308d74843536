import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedStatsWorld } from '../../src/statistics/statistics.fixtures.ts';
import { launchBrowser, newPage, screenshot } from './support/browser.ts';
import { startServer, type RunningServer } from './support/server.ts';

/**
 * 统计报表 in the browser: the district's month by street with the hand-checked figures of
 * statistics.fixtures.ts, the drill-down to a street's committees, the year with its line chart; a
 * screenshot of each goes to artifacts/e2e/.
 */
let server: RunningServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  server = await startServer({ persons: 500 });
  await seedStatsWorld(server.store);
  browser = await launchBrowser();
  const account = server.accounts.get('finance');
  if (!account) throw new Error('first start did not create finance');
  page = await newPage(browser);
  await page.goto(`${server.baseUrl}/login`);
  await page.fill('input[name=username]', 'finance');
  await page.fill('input[name=password]', account.password);
  await page.click('[data-test=login-submit]');
  await page.locator('[data-test=current-user]').waitFor();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('统计报表', () => {
  it('月报：按街道的户数、人数、金额，点街道下钻到居委会', async () => {
    await page.goto(`${server.baseUrl}/statistics?month=2026-11`);
    const table = page.locator('[data-test=stats-table]');
    await expect.poll(() => table.textContent()).toContain('3,560.00');
    const text = (await table.textContent()) ?? '';
    expect(text).toContain('最低生活保障');
    expect(text).toContain('控江路街道');
    expect(text).toContain('3,630.00');
    await screenshot(page, 'statistics-month');
    await table.getByText('控江路街道').first().click();
    await expect.poll(() => table.textContent()).toContain('控一居委会');
    expect(await page.locator('[data-test=stats-entitled]').textContent()).toContain('在册待遇');
    await screenshot(page, 'statistics-month-street');
  });

  it('年报：户次、人次与按月折线图', async () => {
    await page.locator('[data-test=stats-mode]').getByText('年报').click();
    await page.locator('[data-test=chart-months] canvas').waitFor();
    await expect.poll(() => page.locator('[data-test=stats-table]').textContent()).toContain('户次');
    // The year's report (seed 000's statistics section) downloads as a PDF.
    await page.locator('[data-test=stats-report]').getByText('年度统计报告').hover();
    const [pdf] = await Promise.all([
      page.waitForEvent('download'),
      page.getByText('下载 PDF（可打印）').click(),
    ]);
    expect(pdf.suggestedFilename()).toMatch(/\.pdf$/);
    await screenshot(page, 'statistics-year');
  });

  it('没有发放批次的月份用文字说明，并照常列出在册待遇', async () => {
    await page.goto(`${server.baseUrl}/statistics?month=2026-03`);
    const empty = page.locator('[data-test=stats-empty]');
    await empty.waitFor();
    expect(await empty.textContent()).toContain('杨浦区 2026-03 没有计入统计的发放');
    expect(await page.locator('.el-alert').first().textContent()).toContain('2026-03 没有发放批次');
    await expect
      .poll(() => page.locator('[data-test=stats-entitled]').textContent())
      .toContain('最低生活保障');
    await screenshot(page, 'statistics-empty-month');
  });
});
