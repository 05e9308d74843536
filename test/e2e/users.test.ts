import { and, count, eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../src/audit/schema.ts';
import { findUserByUsername } from '../../src/auth/user.repository.ts';
import { launchBrowser, newPage, screenshot } from './support/browser.ts';
import { startServer, type RunningServer } from './support/server.ts';

/**
 * Login and the users page in a real browser: Enter on the login page sends exactly one login; the
 * administrator disables, enables, unlocks and moves accounts with Chinese confirmations. Screenshots go
 * to artifacts/e2e/ (users-*.png).
 */
const ADMIN_PASSWORD = 'E2e-Users-2026!';

let server: RunningServer;
let browser: Browser;

function password(username: string): string {
  const account = server.accounts.get(username);
  if (!account) throw new Error(`first start did not create ${username}`);
  return account.password;
}

async function userRow(username: string) {
  const user = await findUserByUsername(server.store.db, username);
  if (!user) throw new Error(`no user ${username}`);
  return user;
}

/** Audit rows of one action about one user, as stored. */
async function auditCount(action: 'auth.login' | 'auth.login_failed', userId: string): Promise<number> {
  const [row] = await server.store.db
    .select({ n: count() })
    .from(auditLog)
    .where(and(eq(auditLog.action, action), eq(auditLog.entityId, userId)));
  return row?.n ?? 0;
}

function apiLogin(username: string, secret: string): Promise<Response> {
  return fetch(`${server.baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: secret }),
  });
}

/** The native input of an el-input, which hands a data-test attribute on to the input itself. */
const inputOf = (test: string) => `input[data-test=${test}], [data-test=${test}] input`;

/** Counts the login requests a page sends. */
function countLogins(page: Page): () => number {
  let sent = 0;
  page.on('request', (request) => {
    if (request.method() === 'POST' && request.url().endsWith('/api/auth/login')) sent += 1;
  });
  return () => sent;
}

beforeAll(async () => {
  server = await startServer({ persons: 300 });
  // The administrator's one-time password is replaced through the API (console.test.ts shows the dialog).
  const first = await apiLogin('admin', password('admin'));
  const cookie = (first.headers.get('set-cookie') ?? '').split(';', 1)[0] ?? '';
  const { csrfToken } = (await first.json()) as { csrfToken: string };
  const changed = await fetch(`${server.baseUrl}/api/auth/password`, {
    method: 'POST',
    headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
    body: JSON.stringify({ currentPassword: password('admin'), newPassword: ADMIN_PASSWORD }),
  });
  if (changed.status !== 204) throw new Error(`admin password change: HTTP ${changed.status}`);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('登录页：回车只提交一次', () => {
  it('在密码框按一次回车：只发一次登录请求，审计只记一条登录成功', async () => {
    const page = await newPage(browser);
    const logins = countLogins(page);
    const verifier = await userRow('verifier');
    const before = await auditCount('auth.login', verifier.id);
    await page.goto(`${server.baseUrl}/login`);
    await page.fill('input[name=username]', 'verifier');
    await page.fill('input[name=password]', password('verifier'));
    await page.press('input[name=password]', 'Enter');
    await page.locator('[data-test=current-user]').waitFor();
    await page.waitForLoadState('networkidle');
    expect(logins()).toBe(1);
    expect(await auditCount('auth.login', verifier.id)).toBe(before + 1);
    await page.context().close();
  });

  it('三次错误密码各按一次回车：失败计数为 3，账号未锁定', async () => {
    const page = await newPage(browser);
    const logins = countLogins(page);
    const approver = await userRow('approver');
    const before = await auditCount('auth.login_failed', approver.id);
    await page.goto(`${server.baseUrl}/login`);
    await page.fill('input[name=username]', 'approver');
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      await page.fill('input[name=password]', `wrong-password-${attempt}`);
      await page.press(attempt === 2 ? 'input[name=username]' : 'input[name=password]', 'Enter');
      await expect.poll(logins).toBe(attempt);
      await expect.poll(() => page.locator('[data-test=login-submit]').isEnabled()).toBe(true);
    }
    await page.waitForLoadState('networkidle');
    expect(logins()).toBe(3);
    expect(await page.textContent('[data-test=login-error]')).toContain('用户名或密码错误');
    const after = await userRow('approver');
    expect(after.failedAttempts).toBe(3);
    expect(after.lockedUntil).toBeNull();
    expect(await auditCount('auth.login_failed', approver.id)).toBe(before + 3);
    await page.context().close();
  });
});

describe('用户管理（系统管理员）', () => {
  let admin: Page;

  beforeAll(async () => {
    admin = await newPage(browser);
    await admin.goto(`${server.baseUrl}/login`);
    await admin.fill('input[name=username]', 'admin');
    await admin.fill('input[name=password]', ADMIN_PASSWORD);
    await admin.click('[data-test=login-submit]');
    await admin.locator('[data-test=current-user]').waitFor();
    await admin.goto(`${server.baseUrl}/users`);
    await admin.locator('[data-test=user-table] tbody tr').first().waitFor();
  });

  afterAll(() => admin?.context().close());

  const rows = () => admin.locator('[data-test=user-table] .el-table__body-wrapper tbody tr');
  /** The row whose username is exactly `username` (caseworker is not caseworker2). */
  const row = (username: string) =>
    rows().filter({ has: admin.locator('td:first-child .cell').getByText(username, { exact: true }) });
  const actions = (username: string) => admin.locator(`[data-user="${username}"]`);

  async function filterStatus(label: string): Promise<void> {
    await admin.locator('[data-test=user-filters] .el-select').nth(1).click();
    await admin.locator('.el-select-dropdown__item:visible', { hasText: label }).click();
  }

  /** Picks a division in the open cascader: the path's labels, one menu after another. */
  async function pickDivision(
    picker: ReturnType<Page['locator']>,
    labels: (string | RegExp)[],
  ): Promise<void> {
    await picker.click();
    const panel = admin.locator('.el-cascader__dropdown:visible');
    for (const [depth, label] of labels.entries()) {
      await panel
        .locator('.el-cascader-menu')
        .nth(depth)
        .locator('.el-cascader-node', { hasText: label })
        .first()
        .click();
    }
  }

  /** Confirms the reason prompt of a user action. */
  async function confirmWithReason(button: string, reason: string): Promise<void> {
    const box = admin.locator('.el-message-box');
    await box.waitFor();
    await box.locator('input').fill(reason);
    await box.getByRole('button', { name: button, exact: true }).click();
    await box.waitFor({ state: 'hidden' });
  }

  it('列表显示中文角色名、区划名称与状态标签', async () => {
    const text = (await admin.textContent('[data-test=user-table]')) ?? '';
    expect(text).toContain('街道经办人');
    expect(text).toContain('杨浦区 控江路街道');
    expect(text).toContain('正常');
    // The city-level auditor lies outside a district administrator's reach: not listed.
    expect(text).not.toContain('city.auditor');
    expect(text).not.toMatch(/\b310110012\b/);
    await screenshot(admin, 'users-01-list');
  });

  it('停用与启用：确认对话框填写原因；停用后不能登录', async () => {
    await actions('caseworker2').getByRole('button', { name: '停用' }).click();
    await screenshot(admin, 'users-02-disable-confirm');
    await confirmWithReason('停用', '调离本街道');
    await expect.poll(async () => (await row('caseworker2').textContent()) ?? '').toContain('已停用');
    expect((await apiLogin('caseworker2', password('caseworker2'))).status).toBe(401);

    await filterStatus('已停用');
    await expect.poll(() => rows().count()).toBe(1);
    expect(await rows().first().textContent()).toContain('caseworker2');
    await screenshot(admin, 'users-03-filter-disabled');

    await admin.reload();
    await rows().first().waitFor();
    await actions('caseworker2').getByRole('button', { name: '启用' }).click();
    await confirmWithReason('启用', '重新入职');
    await expect.poll(async () => (await row('caseworker2').textContent()) ?? '').toContain('正常');
    expect((await apiLogin('caseworker2', password('caseworker2'))).status).toBe(200);
  });

  it('解锁：连续输错密码被锁定的账号可由管理员解锁', async () => {
    for (let attempt = 1; attempt <= 5; attempt += 1) await apiLogin('finance', `wrong-password-${attempt}`);
    expect((await apiLogin('finance', password('finance'))).status).toBe(423);
    await admin.reload();
    await filterStatus('已锁定');
    await expect.poll(() => rows().count()).toBe(1);
    expect(await row('finance').textContent()).toContain('已锁定');
    await actions('finance').getByRole('button', { name: '解锁' }).click();
    await confirmWithReason('解锁', '本人电话确认');
    // The list keeps its 已锁定 filter: the unlocked account leaves it.
    await expect.poll(() => rows().count()).toBe(0);
    expect((await apiLogin('finance', password('finance'))).status).toBe(200);
    await admin.reload();
    await rows().first().waitFor();
  });

  it('修改角色与区划：区划选择只允许角色相符的层级', async () => {
    await actions('committee').getByRole('button', { name: '修改' }).click();
    const dialog = admin.locator('.el-dialog', { has: admin.locator('[data-test=user-edit]') });
    await dialog.waitFor();
    await dialog.locator('[data-test=user-edit-role]').click();
    await admin.locator('.el-select-dropdown__item:visible', { hasText: '街道经办人' }).click();
    // The committee no longer fits: the picker is cleared and offers streets only (the district is greyed).
    await pickDivision(dialog.locator('[data-test=division-picker]'), ['杨浦区', '控江路街道']);
    await screenshot(admin, 'users-04-edit-picker');
    await dialog.locator('.el-dialog__title').click();
    await dialog.locator(inputOf('user-edit-reason')).fill('岗位调整');
    await screenshot(admin, 'users-05-edit');
    await dialog.locator('[data-test=user-edit-save]').click();
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(async () => (await row('committee').textContent()) ?? '').toContain('街道经办人');
    expect(await row('committee').textContent()).toContain('杨浦区 控江路街道');
    const moved = await userRow('committee');
    expect(moved).toMatchObject({ role: 'street_caseworker', divisionCode: '310110012' });
  });

  it('新建用户：区划选择器按角色限定层级', async () => {
    await admin.click('[data-test=user-create]');
    const form = admin.locator('[data-test=user-form]');
    await form.waitFor();
    await form.locator('input[name=username]').fill('e2e.assistant');
    await form.locator('input[name=displayName]').fill('测试助理员');
    await pickDivision(form.locator('[data-test=division-picker]'), [
      '杨浦区',
      '控江路街道',
      /居委会|村委会/,
    ]);
    // A committee assistant belongs to a committee: the district and the streets cannot be chosen.
    const menus = admin.locator('.el-cascader__dropdown:visible .el-cascader-menu');
    expect(await menus.nth(0).locator('.el-radio:not(.is-disabled)').count()).toBe(0);
    expect(await menus.nth(1).locator('.el-radio:not(.is-disabled)').count()).toBe(0);
    expect(await menus.nth(2).locator('.el-radio.is-checked').count()).toBe(1);
    await screenshot(admin, 'users-06-create-picker');
    const dialog = admin.locator('.el-dialog', { hasText: '新建用户' });
    await dialog.locator('.el-dialog__title').click();
    await screenshot(admin, 'users-07-create');
    await dialog.getByRole('button', { name: '保存' }).click();
    const once = admin.locator(inputOf('one-time-password'));
    await once.waitFor();
    expect(await once.inputValue()).toHaveLength(16);
    const created = await userRow('e2e.assistant');
    expect(created.role).toBe('committee_assistant');
    expect(created.divisionCode).toMatch(/^310110012\d{3}$/);
  });
});
