import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, TEST_PASSWORD } from '../../src/http/test-helpers.ts';
import { apiLogin, type ApiAgent } from './support/api.ts';
import { launchBrowser, newPage, screenshot } from './support/browser.ts';
import { startServer, type RunningServer } from './support/server.ts';

/**
 * 社区救助顾问 in the console: the street caseworker assigns an adviser of the street to a household; the
 * adviser finds it in 我的救助对象, records a visit and drafts a support plan with an action, starts it, and
 * every step shows on the household's timeline. Screenshots in artifacts/e2e/advisers-*.png.
 */
let server: RunningServer;
let browser: Browser;
let agent: ApiAgent;
let household: { id: string; householdNo: string };

async function signIn(username: string, password: string): Promise<Page> {
  const page = await newPage(browser);
  await page.goto(`${server.baseUrl}/login`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('[data-test=login-submit]');
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
  return page;
}

beforeAll(async () => {
  server = await startServer({ persons: 300 });
  const account = server.accounts.get('caseworker');
  if (!account) throw new Error('first start did not create caseworker');
  agent = await apiLogin(server.baseUrl, 'caseworker', account.password);
  const me = await agent.get<{ user: { divisionCode: string } }>('/api/auth/me');
  await addUser(server.store, 'adviser1', 'assistance_adviser', me.user.divisionCode);
  const list = await agent.get<{ items: { id: string; householdNo: string; memberCount: number }[] }>(
    '/api/households?limit=50',
  );
  const found = list.items.find((h) => h.memberCount >= 2);
  if (!found) throw new Error('no household with two members');
  household = found;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('社区救助顾问', () => {
  it('the caseworker assigns an adviser; the adviser visits and plans, and the timeline shows each step', async () => {
    const caseworker = await signIn('caseworker', server.accounts.get('caseworker')?.password ?? '');
    await caseworker.click('[data-menu=adviser-assignments]');
    await caseworker.click('[data-test=open-assign]');
    await caseworker.click('[data-test=assign-household]');
    await caseworker.keyboard.type(household.householdNo);
    await caseworker
      .locator('.el-select-dropdown__item:visible', { hasText: household.householdNo })
      .first()
      .click();
    await caseworker.click('[data-test=assign-adviser]');
    await caseworker.locator('.el-select-dropdown__item:visible', { hasText: 'adviser1' }).first().click();
    await caseworker.fill('[data-test=assign-reason]', '困难家庭，安排救助顾问跟进');
    await caseworker.click('[data-test=assign-submit]');
    await expect
      .poll(() => caseworker.textContent('[data-test=caseload-table]'))
      .toContain(household.householdNo);
    await screenshot(caseworker, 'advisers-assignments');

    const adviser = await signIn('adviser1', TEST_PASSWORD);
    await adviser.click('[data-menu=adviser-caseload]');
    await adviser.locator('[data-test=caseload-open]', { hasText: household.householdNo }).click();
    await expect.poll(() => adviser.textContent('[data-test=adviser-members]')).toMatch(/[\u4e00-\u9fff]/);

    await adviser.click('[data-test=add-visit]');
    await adviser.fill('[data-test=visit-notes]', '上门了解家庭近况，老人行动不便，需要照料。');
    await adviser.click('[data-test=record-save]');
    await expect.poll(() => adviser.textContent('[data-test=visits]')).toContain('老人行动不便');

    await adviser.click('[data-test=add-plan]');
    await adviser.fill('[data-test=plan-goals]', '协助申请长护险评估，每月上门一次');
    await adviser
      .locator('.el-dialog .el-form-item', { hasText: '复评日期' })
      .locator('input')
      .fill('2099-06-30');
    await adviser.keyboard.press('Enter');
    await adviser.fill('[data-test=plan-action-0] input >> nth=0', '协助申请长护险评估');
    await adviser.fill('[data-test=plan-action-0] input >> nth=1', '2099-01-31');
    await adviser.keyboard.press('Enter');
    await adviser.click('[data-test=record-save]');
    await expect.poll(() => adviser.textContent('[data-test=plan-state]')).toContain('草拟');
    await adviser.click('[data-test=plan-start]');
    await adviser.click('.el-message-box__btns .el-button--primary');
    await expect.poll(() => adviser.textContent('[data-test=plan-state]')).toContain('执行中');

    const timeline = (await adviser.textContent('[data-test=adviser-timeline]')) ?? '';
    for (const step of ['分派救助顾问', '记录走访', '草拟帮扶计划', '开始执行'])
      expect(timeline).toContain(step);
    expect(timeline).toContain('困难家庭，安排救助顾问跟进');
    await screenshot(adviser, 'advisers-household');
  });

  it('the registry household page shows the adviser, visit and plan, and the adviser steps on its timeline', async () => {
    const caseworker = await signIn('caseworker', server.accounts.get('caseworker')?.password ?? '');
    await caseworker.goto(`${server.baseUrl}/households/${household.id}`);
    const panel = caseworker.locator('[data-test=household-adviser]');
    await expect.poll(() => panel.textContent()).toContain('adviser1');
    expect(await caseworker.textContent('[data-test=household-adviser-visits]')).toContain('老人行动不便');
    const plan = (await caseworker.textContent('[data-test=household-adviser-plan]')) ?? '';
    expect(plan).toContain('执行中');
    expect(plan).toContain('协助申请长护险评估');
    const steps = await caseworker.locator('[data-test=timeline-adviser]').allTextContents();
    expect(steps.join('\n')).toContain('记录走访');
    expect(steps.join('\n')).toContain('分派救助顾问');
    await screenshot(caseworker, 'advisers-registry-household');
    await caseworker.click('[data-test=household-adviser-open]');
    await caseworker.waitForURL((url) => url.pathname.startsWith('/advisers/households/'));
    await expect.poll(() => caseworker.textContent('[data-test=visits]')).toContain('老人行动不便');

    // The verification officer reads the registry, not advisers' records: no panel, no adviser steps.
    const verifier = await signIn('verifier', server.accounts.get('verifier')?.password ?? '');
    await verifier.goto(`${server.baseUrl}/households/${household.id}`);
    await verifier.locator('[data-test=household-no]').waitFor();
    await verifier.locator('[data-test=member-table]').waitFor();
    expect(await verifier.locator('[data-test=household-adviser]').count()).toBe(0);
    expect(await verifier.locator('[data-test=timeline-adviser]').count()).toBe(0);
  });
});
