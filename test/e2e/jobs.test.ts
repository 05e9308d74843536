import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { divisionIndex } from '../../src/registry/divisions.ts';
import { rosterCsv, sampleRoster } from '../../src/registry/import/roster.fixtures.ts';
import { launchBrowser, newPage, screenshot } from './support/browser.ts';
import { startServer, type RunningServer } from './support/server.ts';

/**
 * 任务 page as the 控江路街道 caseworker sees it: a roster imported from the import page runs as a job,
 * which the 任务 page lists with its progress bar and whose detail shows the result; a second file with
 * the same people is refused at its dry run and queues nothing. Screenshots in artifacts/e2e/jobs-*.png.
 */
let server: RunningServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  server = await startServer({ persons: 300 });
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

async function importFile(name: string, content: string): Promise<void> {
  await page.goto(`${server.baseUrl}/import`);
  await page.setInputFiles('[data-test=import-upload] input[type=file]', {
    name,
    mimeType: 'text/csv',
    buffer: Buffer.from(content),
  });
  await page.click('[data-test=import-dry-run]');
  await expect.poll(() => page.textContent('[data-test=import-summary]')).toContain('校验通过');
  await page.click('[data-test=import-commit]');
}

describe('任务 page', () => {
  it('lists the import job with its progress bar and its result in the detail', async () => {
    const committee = divisionIndex().children('310110012')[0]!.code;
    const csv = `\uFEFF${rosterCsv(sampleRoster(4, committee, 'JOB', 600))}`;
    await importFile('jobs-roster.csv', csv);
    await expect.poll(() => page.textContent('[data-test=import-summary]')).toContain('已全部导入');

    await page.click('[data-menu=jobs]');
    await page.waitForURL((url) => url.pathname === '/jobs');
    const rows = page.locator('[data-test=jobs-table] tbody tr');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('户籍台账导入');
    expect(await rows.first().textContent()).toContain('已完成');
    await expect
      .poll(() => rows.first().locator('[data-test=job-progress]').textContent())
      .toContain('10 / 10');
    await screenshot(page, 'jobs-list');
    await rows.first().click();
    await expect.poll(() => page.textContent('[data-test=job-result]')).toContain('已导入 4 户');
    await screenshot(page, 'jobs-detail');

    // The same people again, from a file of another name and bytes: refused before any job is queued.
    await page.keyboard.press('Escape');
    await page.goto(`${server.baseUrl}/import`);
    await page.setInputFiles('[data-test=import-upload] input[type=file]', {
      name: 'again.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csv.slice(1)),
    });
    // The dry run refuses it already; the jobs page keeps what was done.
    await page.click('[data-test=import-dry-run]');
    await expect.poll(() => page.textContent('[data-test=import-summary]')).toContain('未写入任何数据');
    await page.goto(`${server.baseUrl}/jobs`);
    await expect.poll(() => rows.count()).toBe(1);
  });
});
