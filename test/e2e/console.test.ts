import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { divisionIndex } from '../../src/registry/divisions.ts';
import { apiLogin } from './support/api.ts';
import { launchBrowser, newPage, screenshot } from './support/browser.ts';
import { badRosterCsv, goodRosterCsv } from './support/roster.ts';
import { startServer, type RunningServer } from './support/server.ts';

/**
 * The console in a real browser against the real server: a street caseworker of 控江路街道 logs in,
 * finds a household of the street, cannot see one of 殷行街道, runs the calculator and imports a bad
 * roster. Screenshots go to artifacts/e2e/.
 */
const KONGJIANG = '310110012';
const YINHANG = '310110016';
const NEW_PASSWORD = 'E2e-Console-2026!';

interface HouseholdRow {
  id: string;
  householdNo: string;
  headName: string | null;
  streetName: string;
}

let server: RunningServer;
let browser: Browser;
let page: Page;
let ownHousehold: HouseholdRow;
let otherHousehold: HouseholdRow;

function firstCommittee(street: string): string {
  const committee = divisionIndex().children(street)[0];
  if (!committee) throw new Error(`no committee under ${street}`);
  return committee.code;
}

function password(username: string): string {
  const account = server.accounts.get(username);
  if (!account) throw new Error(`first start did not create ${username}`);
  return account.password;
}

async function firstHousehold(username: string, division: string): Promise<HouseholdRow> {
  const agent = await apiLogin(server.baseUrl, username, password(username));
  const page = await agent.get<{ items: HouseholdRow[] }>(`/api/households?division=${division}&limit=1`);
  const household = page.items[0];
  if (!household) throw new Error(`the demo population has no household in ${division}`);
  return household;
}

beforeAll(async () => {
  server = await startServer({ persons: 3000 });
  // Fixtures through the API as the district approver (whole district; a demo account keeps its printed
  // password, whereas the administrator must change its one-time password before anything else).
  ownHousehold = await firstHousehold('approver', KONGJIANG);
  otherHousehold = await firstHousehold('approver', YINHANG);
  browser = await launchBrowser();
  page = await newPage(browser);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('控制台（街道经办人，控江路街道）', () => {
  it('登录：错误密码显示中文错误；正确密码进入首页，页头显示用户、角色、区划，菜单按角色', async () => {
    await page.goto(`${server.baseUrl}/households`);
    await page.waitForURL(/\/login\?redirect=/);
    await page.fill('input[name=username]', 'caseworker');
    await page.fill('input[name=password]', 'wrong-password-1');
    await page.click('[data-test=login-submit]');
    await expect.poll(() => page.textContent('[data-test=login-error]')).toContain('用户名或密码错误');
    await screenshot(page, '01-login-error');

    await page.fill('input[name=password]', password('caseworker'));
    await page.click('[data-test=login-submit]');
    await page.waitForURL(/\/households$/);
    await expect.poll(() => page.textContent('[data-test=current-division]')).toContain('控江路街道');
    expect(await page.textContent('[data-test=current-role]')).toContain('街道经办人');

    // Demo accounts keep their printed passwords: no password dialog, the page itself is shown.
    expect(await page.locator('.el-dialog', { hasText: '修改密码' }).isVisible()).toBe(false);
    const items = await page.locator('[data-menu]').all();
    const menus = await Promise.all(items.map((item) => item.getAttribute('data-menu')));
    expect(menus).toEqual(
      expect.arrayContaining(['dashboard', 'persons', 'households', 'import', 'calculator']),
    );
    expect(menus).not.toContain('audit');
    expect(menus).not.toContain('users');
  });

  it('查找本街道的家庭户并查看成员与变动记录', async () => {
    await page.goto(`${server.baseUrl}/households`);
    await page.fill('[data-test=household-search]', ownHousehold.householdNo);
    await page.click('[data-test=household-search-button]');
    const link = page.locator('[data-test=household-table] a', { hasText: ownHousehold.householdNo });
    await link.waitFor();
    await screenshot(page, '03-household-search');

    // 导出台账: the filtered list as a masked .xlsx, named by the server (UTF-8 file name).
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=export]')]);
    expect(download.suggestedFilename()).toMatch(/^户籍台账-.*\.xlsx$/);
    const stream = await download.createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).subarray(0, 2).toString('latin1')).toBe('PK');
    await link.click();
    await page.waitForURL(new RegExp(`/households/${ownHousehold.id}$`));
    await page.locator('[data-test=member-table] tbody tr').first().waitFor();
    expect(await page.textContent('[data-test=member-table]')).toContain('户主');
    expect(await page.locator('[data-test=history-table] tbody tr').count()).toBeGreaterThan(0);
    expect(await page.textContent('[data-test=household-no]')).toContain(ownHousehold.householdNo);
    await screenshot(page, '04-household-detail');

    // 查看完整身份证号: only with a stated purpose, and the answer is the full 18-character number.
    await page.locator('[data-test=member-table] button', { hasText: '查看完整' }).first().click();
    const dialog = page.locator('.el-dialog', { hasText: '查看用途' });
    await dialog.getByRole('button', { name: '确认查看' }).click();
    await expect.poll(() => dialog.textContent()).toContain('请填写查看用途');
    await dialog.locator('textarea').fill('核对低保申请材料');
    await dialog.getByRole('button', { name: '确认查看' }).click();
    await expect
      .poll(async () => (await page.textContent('[data-test=unmasked-id]'))?.trim())
      .toMatch(/^\d{17}[\dX]$/);
    await screenshot(page, '05-unmask');
    await page
      .locator('.el-dialog', { hasText: '本次查看已记入审计日志' })
      .getByRole('button', { name: '关闭', exact: true })
      .click();
  });

  it('人口信息：按姓名查到本街道的人员，带出其家庭户', async () => {
    const head = ownHousehold.headName ?? '';
    expect(head).not.toBe('');
    await page.goto(`${server.baseUrl}/persons`);
    await page.fill('[data-test=person-search]', head);
    await page.click('[data-test=person-search-button]');
    const row = page.locator('[data-test=person-table] tbody tr', { hasText: ownHousehold.householdNo });
    await row.waitFor();
    const rows = await page.locator('[data-test=person-table] tbody tr').allTextContents();
    expect(rows.every((text) => text.includes(head) && text.includes('控江路街道'))).toBe(true);
    expect(await row.textContent()).toMatch(/\d{6}\*{8}\d{3}[\dX]/);
    await screenshot(page, '05b-person-search');
  });

  it('看不到殷行街道的家庭户：搜索无结果，直接访问显示未找到', async () => {
    await page.goto(`${server.baseUrl}/households`);
    await page.fill('[data-test=household-search]', otherHousehold.householdNo);
    await page.click('[data-test=household-search-button]');
    await expect
      .poll(() => page.textContent('[data-test=household-table]'))
      .toContain('没有符合条件的家庭户');
    expect(await page.locator('[data-test=household-table] tbody tr').count()).toBe(0);
    await screenshot(page, '06-other-street-search');

    await page.goto(`${server.baseUrl}/households/${otherHousehold.id}`);
    await expect.poll(() => page.textContent('[data-test=not-found]')).toContain('未找到');
    expect(await page.content()).not.toContain(otherHousehold.householdNo);
    await screenshot(page, '07-other-street-url');
  });

  it('政策计算器：登记家庭户测算与手工录入测算', async () => {
    await page.goto(`${server.baseUrl}/households/${ownHousehold.id}`);
    await page.click('[data-test=calculate-household]');
    await page.waitForURL(/\/calculator\?household=/);
    // Qualifying programs first, the others folded (hidden until opened): every program is still listed.
    await page.locator('[data-test=calc-results]').waitFor();
    expect(await page.locator('[data-test=calc-table] tbody tr').count()).toBeGreaterThanOrEqual(10);
    expect(await page.textContent('[data-test=calc-results]')).toMatch(/符合|不符合/);
    await screenshot(page, '08-calculator-registered');

    await page.click('[data-test=mode-manual]');
    const birth = page.locator('[data-test=member-editor] .birth-date input').first();
    await birth.fill('1950-06-01');
    await birth.press('Enter');
    await page.click('[data-test=calc-run]');
    // A Shanghai resident born in 1950, alone and without income: the 老年综合津贴 (65+) is granted.
    const elderly = page.locator('[data-test=calc-table] tbody tr', { hasText: '老年综合津贴' });
    await elderly.waitFor();
    expect((await elderly.locator('[data-test=calc-outcome]').textContent())?.trim()).toBe('符合');
    expect(await page.textContent('[data-test=calc-narrative]')).toContain('最低生活保障');
    await screenshot(page, '09-calculator-manual');
  });

  it('台账导入：有错误的台账先校验，错误逐行列出，不能正式导入', async () => {
    await page.goto(`${server.baseUrl}/import`);
    const csv = badRosterCsv(firstCommittee(KONGJIANG), firstCommittee(YINHANG));
    await page.setInputFiles('[data-test=import-upload] input[type=file]', {
      name: 'bad-roster.csv',
      mimeType: 'text/csv',
      buffer: csv,
    });
    await page.click('[data-test=import-dry-run]');
    const errorRows = page.locator('[data-test=import-errors] tbody tr');
    await errorRows.first().waitFor();
    expect(await errorRows.count()).toBeGreaterThanOrEqual(2);
    const table = (await page.textContent('[data-test=import-errors]')) ?? '';
    expect(table).toContain('身份证号');
    expect(await page.textContent('[data-test=import-summary]')).toContain('未写入任何数据');
    expect(await page.locator('[data-test=import-commit]').isDisabled()).toBe(true);
    await screenshot(page, '10-import-errors');

    // A good roster (choosing it replaces the bad one): the dry run passes, then 正式导入 writes it, and the
    // new household can be found.
    await page.setInputFiles('[data-test=import-upload] input[type=file]', {
      name: 'good-roster.csv',
      mimeType: 'text/csv',
      buffer: goodRosterCsv(firstCommittee(KONGJIANG), 2, 'E2E'),
    });
    await page.click('[data-test=import-dry-run]');
    await expect.poll(() => page.textContent('[data-test=import-summary]')).toContain('校验通过');
    expect(await page.locator('[data-test=import-commit]').isDisabled()).toBe(false);
    await page.click('[data-test=import-commit]');
    await expect.poll(() => page.textContent('[data-test=import-summary]')).toContain('已全部导入');
    await screenshot(page, '10b-import-done');
    await page.goto(`${server.baseUrl}/households?q=E2E-0000001`);
    await page.locator('[data-test=household-table] a', { hasText: 'E2E-0000001' }).waitFor();
  });

  it('首页统计图与政策参数页', async () => {
    await page.goto(`${server.baseUrl}/dashboard`);
    await page.locator('[data-test=stat-persons]').waitFor();
    await expect.poll(() => page.locator('canvas').count()).toBeGreaterThanOrEqual(6);
    await page.waitForTimeout(800); // chart entry animations
    await screenshot(page, '11-dashboard');

    await page.goto(`${server.baseUrl}/parameters`);
    const rows = page.locator(
      '[data-test=parameter-table] > .el-table__inner-wrapper > .el-table__body-wrapper tbody tr',
    );
    await rows.first().waitFor();
    expect(await page.textContent('[data-test=parameter-table]')).toContain('dibao.standard');
    await page.waitForTimeout(800);
    await screenshot(page, '12-parameters');
  });

  it('退出登录后回到登录页，旧页面需重新登录', async () => {
    await page.click('[data-test=logout]');
    await page.waitForURL(/\/login/);
    await page.goto(`${server.baseUrl}/persons`);
    await page.waitForURL(/\/login\?redirect=/);
  });
});

/** Logs in on a fresh page with the password printed at the first start. */
async function loginAs(username: string): Promise<Page> {
  const fresh = await newPage(browser);
  await fresh.goto(`${server.baseUrl}/login`);
  await fresh.fill('input[name=username]', username);
  await fresh.fill('input[name=password]', password(username));
  await fresh.click('[data-test=login-submit]');
  await fresh.locator('[data-test=current-user]').waitFor();
  return fresh;
}

describe('控制台（审计员、系统管理员）', () => {
  it('审计员：审计日志列出登录与查看完整身份证号的记录；没有台账导入菜单', async () => {
    const auditor = await loginAs('auditor');
    const items = await auditor.locator('[data-menu]').all();
    const menus = await Promise.all(items.map((item) => item.getAttribute('data-menu')));
    expect(menus).toContain('audit');
    expect(menus).not.toContain('import');
    await auditor.goto(`${server.baseUrl}/audit`);
    await auditor.locator('[data-test=audit-table] tbody tr').first().waitFor();
    const text = (await auditor.textContent('[data-test=audit-table]')) ?? '';
    expect(text).toContain('登录成功');
    expect(text).toContain('查看完整身份证号');
    expect(text).toContain('核对低保申请材料');
    await screenshot(auditor, '13-audit');
    await auditor.context().close();
  });

  it('连续输错密码后账号锁定，登录页显示锁定提示', async () => {
    // Five failures through the API lock the account (MINZHENG_LOGIN_MAX_ATTEMPTS = 5) …
    for (let attempt = 1; attempt <= 5; attempt++) {
      const response = await fetch(`${server.baseUrl}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'finance', password: `wrong-password-${attempt}` }),
      });
      expect([401, 423]).toContain(response.status);
    }
    // … and even the right password is then refused, with the lock-out message on the login page.
    const visitor = await newPage(browser);
    await visitor.goto(`${server.baseUrl}/login`);
    await visitor.fill('input[name=username]', 'finance');
    await visitor.fill('input[name=password]', password('finance'));
    await visitor.click('[data-test=login-submit]');
    await expect.poll(() => visitor.textContent('[data-test=login-error]')).toContain('账号已锁定');
    expect(await visitor.textContent('[data-test=login-error]')).toContain('锁定');
    await screenshot(visitor, '14-login-locked');
    await visitor.context().close();
  });

  it('系统管理员：首次登录须先修改初始密码，之后用户管理列出演示账号', async () => {
    const admin = await loginAs('admin');
    // The server refuses everything else until the one-time password is replaced: the console shows the
    // dialog in place of the page, and it cannot be put off (its only other button logs out).
    const dialog = admin.locator('.el-dialog', { hasText: '修改密码' });
    await dialog.waitFor();
    expect(await admin.locator('[data-test=password-required]').isVisible()).toBe(true);
    expect(await dialog.getByRole('button', { name: '稍后修改' }).count()).toBe(0);
    const inputs = dialog.locator('input[type=password]');
    await inputs.nth(0).fill(password('admin'));
    await inputs.nth(1).fill(NEW_PASSWORD);
    await inputs.nth(2).fill(NEW_PASSWORD);
    await screenshot(admin, '02-change-password');
    await dialog.getByRole('button', { name: '保存' }).click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
    await admin.goto(`${server.baseUrl}/users`);
    await admin.locator('[data-test=user-table] tbody tr').first().waitFor();
    const text = (await admin.textContent('[data-test=user-table]')) ?? '';
    expect(text).toContain('caseworker2');
    expect(text).toContain('街道经办人');
    await screenshot(admin, '15-users');
    await admin.context().close();
  });
});
