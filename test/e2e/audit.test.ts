import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiLogin } from './support/api.ts';
import { launchBrowser, newPage, screenshot } from './support/browser.ts';
import { startServer, type RunningServer } from './support/server.ts';

/**
 * The audit page as the district auditor and the administrator use it: names and Chinese labels instead of
 * ids and codes, filters by person, actor and dates, the row's content, the export, and the integrity
 * panel (verification and signed checkpoints while the server runs). Screenshots go to artifacts/e2e/.
 */
const ADMIN_PASSWORD = 'E2e-Audit-Chief-2026!';

let server: RunningServer;
let browser: Browser;
let person: { id: string; name: string; idNumber: string };

function password(username: string): string {
  const account = server.accounts.get(username);
  if (!account) throw new Error(`first start did not create ${username}`);
  return account.password;
}

async function loginAs(username: string, secret = password(username)): Promise<Page> {
  const page = await newPage(browser);
  await page.goto(`${server.baseUrl}/login`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', secret);
  await page.click('[data-test=login-submit]');
  await page.locator('[data-test=current-user]').waitFor();
  return page;
}

async function openAudit(page: Page): Promise<void> {
  await page.goto(`${server.baseUrl}/audit`);
  await page.locator('[data-test=audit-table] tbody tr').first().waitFor();
}

const tableText = async (page: Page) => (await page.textContent('[data-test=audit-table]')) ?? '';

beforeAll(async () => {
  server = await startServer({ persons: 1000 });
  const caseworker = await apiLogin(server.baseUrl, 'caseworker', password('caseworker'));
  const found = await caseworker.get<{ items: { id: string; name: string }[] }>('/api/persons?limit=1');
  const first = found.items[0];
  if (!first) throw new Error('no person in the caseworker street');
  const unmasked = await caseworker.post<{ idNumber: string; phone: string | null }>(
    `/api/persons/${first.id}/unmask`,
    { purpose: '电话 13912345678 联系申请人核实住址' },
  );
  person = { id: first.id, name: first.name, idNumber: unmasked.body.idNumber };
  const admin = await apiLogin(server.baseUrl, 'admin', password('admin'));
  const changed = await admin.post('/api/auth/password', {
    currentPassword: password('admin'),
    newPassword: ADMIN_PASSWORD,
  });
  if (changed.status !== 204) throw new Error(`admin password change: HTTP ${changed.status}`);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('审计日志页面', () => {
  it('审计员：操作人、区、操作、对象都以中文和姓名显示，身份证号与电话脱敏，表格不超出卡片', async () => {
    const page = await loginAs('auditor');
    await openAudit(page);
    const text = await tableText(page);
    expect(text).toContain('查看完整身份证号/电话');
    expect(text).toContain('（caseworker）');
    expect(text).toContain(
      `${person.name}（${person.idNumber.slice(0, 6)}********${person.idNumber.slice(-4)}）`,
    );
    expect(text).toContain('139****5678');
    expect(text).not.toContain('13912345678');
    expect(text).not.toContain(person.idNumber);
    expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(text).toContain('人员：');
    expect(text).not.toMatch(/household_roster|household_member|auth\.login|person|user/);
    const card = await page.locator('.audit-table-card').boundingBox();
    const table = await page.locator('[data-test=audit-table]').boundingBox();
    const fits = {
      page: await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth'),
      table: card !== null && table !== null && table.x + table.width <= card.x + card.width + 0.5,
    };
    expect(fits).toEqual({ page: true, table: true });
    expect(await page.locator('[data-test=checkpoint-sign]').count()).toBe(0);
    expect(await page.locator('[data-test=audit-table] thead').textContent()).not.toContain('所属区');
    await screenshot(page, 'audit-01-auditor');
    await page.context().close();

    // A city auditor reads every district: the rows say which.
    const city = await loginAs('city.auditor');
    await openAudit(city);
    expect(await city.locator('[data-test=audit-table] thead').textContent()).toContain('所属区');
    expect(await tableText(city)).toContain('杨浦区');
    await screenshot(city, 'audit-01-city-auditor');
    await city.context().close();
  });

  it('按人员（姓名或身份证号）、操作人和日期筛选；详情列出字段的中文名与变更前后', async () => {
    const page = await loginAs('auditor');
    await openAudit(page);
    await page.fill('[data-test=filter-person]', person.idNumber);
    await page.click('[data-test=audit-search]');
    await expect.poll(() => page.locator('[data-test=audit-table] tbody tr').count()).toBe(1);
    expect(await tableText(page)).toContain('查看完整身份证号/电话');

    await page.fill('[data-test=filter-person]', '');
    await page.fill('[data-test=filter-actor]', '审计员');
    await page.click('[data-test=audit-search]');
    await expect.poll(() => tableText(page)).toContain('登录成功');
    expect(await tableText(page)).not.toContain('（caseworker）');

    await page.fill('[data-test=filter-actor]', '');
    await page.click('[data-test=filter-dates] input');
    await page.locator('.el-date-table td.today').first().click();
    await page.locator('.el-date-table td.today').first().click();
    await expect.poll(() => page.locator('[data-test=page-total]').textContent()).toMatch(/共 \d+ 条/);
    expect(await page.locator('[data-test=audit-table] tbody tr').count()).toBeGreaterThan(1);
    await screenshot(page, 'audit-02-filtered');

    await page.locator('[data-test=audit-detail]').first().click();
    const drawer = page.locator('[data-test=audit-drawer]');
    await drawer.locator('.el-descriptions').waitFor();
    expect(await drawer.textContent()).toMatch(/操作人.*所属区/s);
    await page.waitForTimeout(400);
    await screenshot(page, 'audit-03-detail');
    await page.context().close();
  });

  it('导出 Excel：与页面相同的筛选与脱敏，导出记入审计日志', async () => {
    const page = await loginAs('auditor');
    await openAudit(page);
    await page.fill('[data-test=filter-person]', person.name);
    await page.click('[data-test=audit-search]');
    await expect.poll(() => page.locator('[data-test=audit-table] tbody tr').count()).toBe(1);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-test=audit-export]'),
    ]);
    expect(download.suggestedFilename()).toMatch(/^审计日志-\d{4}-\d{2}-\d{2}\.xlsx$/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(readFileSync((await download.path()) ?? '') as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('审计日志');
    expect(sheet?.rowCount).toBe(2);
    const cells = JSON.stringify(sheet?.getRow(2).values);
    expect(cells).toContain('查看完整身份证号/电话');
    expect(cells).not.toContain(person.idNumber);
    expect(cells).not.toContain('13912345678');
    await page.fill('[data-test=filter-person]', '');
    await page.locator('[data-test=filter-action]').click();
    await page.locator('.el-select-dropdown__item', { hasText: '审计日志导出' }).click();
    await expect.poll(() => tableText(page)).toContain('审计日志导出');
    await page.context().close();
  });

  it('系统管理员：服务器运行时签署检查点、校验日志；改动过的记录逐条列出', async () => {
    const page = await loginAs('admin', ADMIN_PASSWORD);
    await openAudit(page);
    await page.click('[data-test=checkpoint-sign]');
    await expect.poll(() => page.textContent('[data-test=checkpoint-latest]')).toContain('最新检查点');
    await page.click('[data-test=audit-verify]');
    await expect
      .poll(() => page.textContent('[data-test=verify-result]'))
      .toMatch(/审计日志完整：\d+ 条，1 个检查点全部相符/);
    await screenshot(page, 'audit-04-verified');

    await server.store.db.execute(sql`update audit_log set reason = '事后改动' where id in (3, 5)`);
    await page.click('[data-test=audit-verify]');
    await expect
      .poll(() => page.textContent('[data-test=verify-problems]'))
      .toContain('第 3 条：内容与哈希不符（记录被修改）');
    expect(await page.textContent('[data-test=verify-problems]')).toContain(
      '第 5 条：内容与哈希不符（记录被修改）',
    );
    await screenshot(page, 'audit-05-tampered');
    await page.context().close();
  });
});
