import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiLogin, type ApiAgent } from './support/api.ts';
import { launchBrowser, newPage, screenshot } from './support/browser.ts';
import { startServer, type RunningServer } from './support/server.ts';

/**
 * 系统备份 and the 任务 page's 定时任务 as the administrator sees them, on an embedded store kept in its
 * data directory (a store in memory cannot be backed up): 立即备份 queues a backup job that the page
 * follows to its result; the schedules show their next run in Shanghai time; a bad expression is refused
 * in Chinese inside the dialog and changes nothing, a good one is saved; a schedule is switched off with a
 * reason, and the backup page then says that there is no scheduled backup. Screenshots in
 * artifacts/e2e/backup-*.png and schedules-*.png.
 */
const ADMIN_PASSWORD = 'E2e-Backup-Chief-2026!';
let server: RunningServer;
let browser: Browser;
let page: Page;
let api: ApiAgent;

/** The native input of an el-input, which hands a data-test attribute on to the input itself. */
const inputOf = (test: string) => `input[data-test=${test}], [data-test=${test}] input`;

/** An ISO instant as the console shows it in Shanghai time: 2026-12-02 02:00. */
const shanghai = (iso: string) =>
  new Date(new Date(iso).getTime() + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');

beforeAll(async () => {
  server = await startServer({ persons: 200, onDisk: true });
  const account = server.accounts.get('admin');
  if (!account) throw new Error('first start did not create admin');
  // The administrator's one-time password is replaced through the API (console.test.ts shows the dialog).
  const first = await apiLogin(server.baseUrl, 'admin', account.password);
  const changed = await first.post('/api/auth/password', {
    currentPassword: account.password,
    newPassword: ADMIN_PASSWORD,
  });
  if (changed.status !== 204) throw new Error(`admin password change: HTTP ${changed.status}`);
  api = await apiLogin(server.baseUrl, 'admin', ADMIN_PASSWORD);
  browser = await launchBrowser();
  page = await newPage(browser);
  await page.goto(`${server.baseUrl}/login`);
  await page.fill('input[name=username]', 'admin');
  await page.fill('input[name=password]', ADMIN_PASSWORD);
  await page.click('[data-test=login-submit]');
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

interface Schedule {
  name: string;
  cron: string;
  enabled: boolean;
  nextRunAt: string | null;
}
const schedule = async (name: string) =>
  (await api.get<{ items: Schedule[] }>('/api/jobs/schedules')).items.find((s) => s.name === name);

describe('系统备份 page', () => {
  it('立即备份 queues a backup job that the page follows to its result, then lists the file', async () => {
    await page.goto(`${server.baseUrl}/backup`);
    const backup = await schedule('backup');
    expect(backup).toMatchObject({ cron: '0 2 * * *', enabled: true });
    await expect
      .poll(() => page.textContent('[data-test=backup-settings]'))
      .toContain(`每天 02:00（上海时间）自动备份，下次 ${shanghai(backup?.nextRunAt ?? '')}`);
    await page.fill(inputOf('backup-reason'), '演示前备份');
    await page.click('[data-test=backup-take]');
    await page.locator('[data-test=backup-job]').waitFor();
    await expect
      .poll(() => page.textContent('[data-test=backup-result]'), { timeout: 60_000 })
      .toMatch(/^minzheng-backup-\d{8}-\d{6}\.tar\.gz：.*含数据库 .*审计日志到第 \d+ 条；用时/);
    expect(await page.textContent('[data-test=backup-job]')).toContain('演示前备份');
    const rows = page.locator('[data-test=backup-table] tbody tr');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toMatch(/minzheng-backup-\d{8}-\d{6}\.tar\.gz/);
    await screenshot(page, 'backup-done');

    // The job is on the 任务 page too, with what the backup holds.
    await page.goto(`${server.baseUrl}/jobs`);
    const jobs = page.locator('[data-test=jobs-table] tbody tr');
    await expect.poll(() => jobs.first().textContent()).toContain('系统备份');
    expect(await jobs.first().textContent()).toContain('已完成');
  });
});

describe('任务 page: 定时任务', () => {
  const scheduleRow = (name: string) =>
    page.locator('[data-test=schedules-table] tbody tr').filter({ hasText: `（${name}）` });

  it('shows each schedule with its next run in Shanghai time; refuses a bad expression in the dialog, saves a good one', async () => {
    await page.goto(`${server.baseUrl}/jobs`);
    const row = scheduleRow('backup');
    await expect.poll(() => row.textContent()).toContain('0 2 * * *');
    const before = await schedule('backup');
    expect(await row.textContent()).toContain('每天 02:00');
    expect(await row.textContent()).toContain(shanghai(before?.nextRunAt ?? ''));
    expect(await scheduleRow('audit.checkpoint').textContent()).toContain('停用');

    await row.locator('[data-test=schedule-edit]').click();
    await page.locator('[data-test=schedule-dialog]').waitFor();
    await page.fill(inputOf('schedule-cron'), '0 25 * * *');
    await page.fill(inputOf('schedule-reason'), '改到业务低谷');
    await page.click('[data-test=schedule-save]');
    await expect
      .poll(() => page.textContent('[data-test=schedule-error]'))
      .toContain('定时表达式无法识别：0 25 * * *（格式：分 时 日 月 周，上海时间）');
    await screenshot(page, 'schedules-refused');
    expect(await schedule('backup')).toEqual(before);

    await page.fill(inputOf('schedule-cron'), '30 1 * * *');
    await expect.poll(() => page.textContent('[data-test=schedule-dialog]')).toContain('每天 01:30');
    await page.click('[data-test=schedule-save]');
    await expect.poll(() => row.textContent()).toContain('30 1 * * *');
    const after = await schedule('backup');
    expect(after).toMatchObject({ cron: '30 1 * * *', enabled: true });
    expect(shanghai(after?.nextRunAt ?? '')).toMatch(/ 01:30$/);
    expect(await row.textContent()).toContain(shanghai(after?.nextRunAt ?? ''));
    expect(await row.textContent()).toContain('每天 01:30');
    await screenshot(page, 'schedules-changed');
  });

  it('switches a schedule off with a reason; the backup page then has no scheduled backup', async () => {
    const row = scheduleRow('backup');
    await row.locator('[data-test=schedule-toggle]').click();
    const box = page.locator('.el-message-box');
    await box.waitFor();
    expect(await box.textContent()).toContain('停用“系统备份”');
    await box.locator('input').fill('改用外部备份');
    await box.locator('.el-button--primary').click();
    await expect.poll(() => row.textContent()).toContain('停用');
    expect(await schedule('backup')).toMatchObject({ enabled: false, nextRunAt: null });
    await screenshot(page, 'schedules-disabled');

    await page.goto(`${server.baseUrl}/backup`);
    await expect.poll(() => page.textContent('[data-test=backup-settings]')).toContain('未设置定时备份');
  });
});
