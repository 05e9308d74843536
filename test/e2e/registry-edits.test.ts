import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiLogin, type ApiAgent } from './support/api.ts';
import { launchBrowser, newPage, screenshot } from './support/browser.ts';
import { startServer, type RunningServer } from './support/server.ts';

/**
 * 登记变更 in the console, as the street caseworker uses it: correct a household's address through the
 * 登记变更 menu (reason required), be told to refresh when someone else changed the household meanwhile,
 * look at the members on a date, record a death on a person's page, and open the 跨区迁移 page.
 * Screenshots in artifacts/e2e/registry-edits-*.png.
 */
let server: RunningServer;
let browser: Browser;
let page: Page;
let agent: ApiAgent;
let householdId: string;

interface Detail {
  household: { version: number; address: string };
  members: { personId: string; name: string; relationCode: string }[];
}

/** Opens one edit from the page's 登记变更 menu; its dialog. */
async function openEdit(title: string): Promise<Locator> {
  await page.getByRole('button', { name: '登记变更' }).click();
  await page.locator('.el-dropdown-menu__item:visible', { hasText: title }).click();
  const dialog = page.locator('.el-dialog', { hasText: '变更原因' });
  await dialog.waitFor();
  expect(await dialog.textContent()).toContain(title);
  return dialog;
}

beforeAll(async () => {
  server = await startServer({ persons: 300 });
  const account = server.accounts.get('caseworker');
  if (!account) throw new Error('first start did not create caseworker');
  agent = await apiLogin(server.baseUrl, 'caseworker', account.password);
  const list = await agent.get<{ items: { id: string; memberCount: number }[] }>('/api/households?limit=50');
  householdId = list.items.find((h) => h.memberCount >= 2)?.id ?? '';
  browser = await launchBrowser();
  page = await newPage(browser);
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

describe('登记变更（街道经办人）', () => {
  it('更正地址：须填原因，办理后页面显示新地址', async () => {
    await page.goto(`${server.baseUrl}/households/${householdId}`);
    const dialog = await openEdit('更正地址');
    await dialog.locator('input').first().fill('控江路 1000 弄 1 号');
    await dialog.getByRole('button', { name: '确定办理' }).click();
    await expect.poll(() => dialog.textContent()).toContain('请填写变更原因');
    await dialog.locator('textarea').fill('门牌号更正');
    await dialog.getByRole('button', { name: '确定办理' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(async () => page.textContent('.el-descriptions')).toContain('控江路 1000 弄 1 号');
    await screenshot(page, 'registry-edits-1-address');
  });

  it('他人已修改该户时拒绝办理，并提示刷新', async () => {
    await page.goto(`${server.baseUrl}/households/${householdId}`);
    await page.getByRole('button', { name: '登记变更' }).waitFor();
    // Someone else corrects the address after this page was read.
    const detail = await agent.get<Detail>(`/api/households/${householdId}`);
    const changed = await patch(`/api/households/${householdId}`, {
      version: detail.household.version,
      address: '控江路 1000 弄 2 号',
      reason: '他人更正',
    });
    expect(changed).toBe(200);
    const dialog = await openEdit('更正地址');
    await dialog.locator('input').first().fill('控江路 1000 弄 3 号');
    await dialog.locator('textarea').fill('门牌号再更正');
    await dialog.getByRole('button', { name: '确定办理' }).click();
    await expect.poll(() => dialog.textContent()).toContain('已被他人修改');
    expect(await dialog.textContent()).toContain('请关闭后刷新页面');
    await screenshot(page, 'registry-edits-2-stale');
    await dialog.getByRole('button', { name: '取消' }).click();
  });

  it('某日的家庭成员与死亡登记', async () => {
    const detail = await agent.get<Detail>(`/api/households/${householdId}`);
    const member = detail.members.find((m) => m.relationCode !== '02')!;
    await page.goto(`${server.baseUrl}/households/${householdId}`);
    await page.locator('[data-test=members-as-of]').waitFor();
    await expect.poll(async () => page.textContent('[data-test=members-as-of]')).toContain(member.name);

    // A fact still open today must show its end once the death is recorded: the page reads the facts again.
    const facts = await agent.get<{ facts: { validTo: string | null; voidedAt: string | null }[] }>(
      `/api/persons/${member.personId}/facts?asOf=2026-12-01`,
    );
    const open = facts.facts.some((f) => f.validTo === null && f.voidedAt === null);
    await page.goto(`${server.baseUrl}/persons/${member.personId}`);
    await page.locator('[data-test=facts-table]').waitFor();
    const dialog = await openEdit('死亡登记');
    const date = dialog.locator('.el-date-editor input');
    await date.click();
    await date.fill('2026-01-15');
    await date.press('Enter');
    await dialog.locator('textarea').fill('死亡医学证明');
    await dialog.getByRole('button', { name: '确定办理' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(async () => page.textContent('[data-test=person-detail]')).toContain('2026-01-15');
    if (open) {
      await expect.poll(async () => page.textContent('[data-test=facts-table]')).toContain('至 2026-01-15');
    }
    await screenshot(page, 'registry-edits-3-death');
  });

  it('跨区迁移页：待接收的迁入', async () => {
    await page.goto(`${server.baseUrl}/transfers`);
    await page.locator('[data-test=transfer-table]').waitFor();
    expect(await page.textContent('[data-test=transfer-table]')).toContain('没有记录');
  });
});

async function patch(path: string, body: unknown): Promise<number> {
  const account = server.accounts.get('caseworker');
  const login = await fetch(`${server.baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'caseworker', password: account?.password }),
  });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';', 1)[0] ?? '';
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const reply = await fetch(`${server.baseUrl}${path}`, {
    method: 'PATCH',
    headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return reply.status;
}
