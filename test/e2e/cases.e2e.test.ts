import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, TEST_PASSWORD } from '../../src/http/test-helpers.ts';
import { launchBrowser, newPage, screenshot } from './support/browser.ts';
import {
  act,
  carryToDecision,
  caseState as state,
  field,
  prepareDecision,
  seedHousehold as seed,
  signIn as signInTo,
  type Seeded,
} from './support/cases.ts';
import { startServer, type RunningServer } from './support/server.ts';

/**
 * 救助申请 in the console, as the street and the district work it: the caseworker registers a counter
 * application (household, applicant, 最低生活保障, materials), accepts it, starts the verification (simulated
 * sources), completes the steps the case requires with their forms, runs the publicity and prepares the
 * decision lines with the payee; the district approver approves from the queue; the entitlement appears
 * with its amount and the approval notice prints. A second case is denied with reasons, and the notice
 * of denial is there. Screenshots in artifacts/e2e/cases-*.png.
 */
let server: RunningServer;
let browser: Browser;
let caseworker: Page;
let approver: Page;
let committeeCode = '';
let street = '';
let caseworkerId = '';

function signIn(username: string): Promise<Page> {
  return signInTo(server, browser, username);
}

function seedHousehold(tag: string, code: string): Promise<Seeded> {
  return seed(server, { committeeCode, street, caseworkerId }, tag, code);
}

/** Registers an application for 最低生活保障 in the wizard; returns the case page's path. */
async function register(page: Page, household: Seeded): Promise<string> {
  await page.goto(`${server.baseUrl}/cases`);
  await page.locator('[data-test=open-intake]').click();
  await field(page, 'intake-household-search').fill(household.householdNo);
  await page.locator('[data-test=intake-search]').click();
  await expect.poll(() => page.textContent('[data-test=intake-households]')).toContain(household.householdNo);
  await page.locator('[data-test=intake-pick]').first().click();
  await page.locator('[data-test=intake-programs]').getByText('最低生活保障', { exact: true }).click();
  await page.locator('[data-test=intake-materials]').getByText('救助申请书').click();
  await page.locator('[data-test=intake-materials]').getByText('家庭经济状况核对授权书').click();
  // Without a phone the wizard says what is missing.
  await page.locator('[data-test=intake-submit]').click();
  await expect.poll(() => page.textContent('[data-test=intake-error]')).toContain('联系电话');
  await field(page, 'intake-phone').fill('13912345678');
  await page.locator('[data-test=intake-submit]').click();
  await page.locator('[data-test=intake-open-case]').click();
  await page.waitForURL((url) => /^\/cases\/\d{6}\//.test(url.pathname));
  return new URL(page.url()).pathname;
}

/** A POST from a signed-in page (its session cookie, the CSRF token from /api/auth/me). */
async function postAs(page: Page, path: string, body: unknown): Promise<number> {
  const me = (await (await page.request.get(`${server.baseUrl}/api/auth/me`)).json()) as {
    csrfToken: string;
  };
  const reply = await page.request.post(`${server.baseUrl}${path}`, {
    data: body,
    headers: { 'x-csrf-token': me.csrfToken },
  });
  return reply.status();
}

beforeAll(async () => {
  server = await startServer({ persons: 200 });
  const account = server.accounts.get('committee');
  const cw = server.accounts.get('caseworker');
  if (!account || !cw) throw new Error('first start did not create the street accounts');
  committeeCode = account.divisionCode;
  street = cw.divisionCode;
  browser = await launchBrowser();
  caseworker = await signIn('caseworker');
  const me = (await (await caseworker.request.get(`${server.baseUrl}/api/auth/me`)).json()) as {
    user: { id: string };
  };
  caseworkerId = me.user.id;
  approver = await signIn('approver');
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('救助申请：窗口受理到批准', () => {
  let casePath = '';
  let caseNo = '';

  it('街道经办人在向导中登记申请，进入申请详情（家庭成员按姓名，材料清单，受理通知书待受理后）', async () => {
    const household = await seedHousehold('甲', 'A');
    await screenshot(caseworker, 'cases-0-list');
    casePath = await register(caseworker, household);
    expect(await state(caseworker)).toBe('待受理');
    caseNo = (await caseworker.textContent('[data-test=case-no]'))?.replace('救助申请', '').trim() ?? '';
    expect(caseNo).toMatch(/^SA310110-\d{4}-\d{6}$/);
    const facts = await caseworker.textContent('[data-test=case-facts]');
    expect(facts).toContain(household.householdNo);
    expect(facts).toContain('最低生活保障');
    expect(facts).toContain('救助申请书');
    expect(await caseworker.textContent('[data-test=case-members]')).toContain('周甲');
    await screenshot(caseworker, 'cases-1-registered');
  });

  it('受理、核对、入户调查、评议、审核、公示，拟定决定明细（收款人与账户）', async () => {
    await carryToDecision(caseworker, 'cases-3-visit');
    expect(await caseworker.textContent('[data-test=case-steps]')).toContain('审批');
    await prepareDecision(caseworker);
    expect(await caseworker.textContent('[data-test=decision-lines]')).toMatch(/[\d,]+\.\d{2} 元/);
    await screenshot(caseworker, 'cases-4-decision');
  });

  it('区审批人在审批队列中看到该申请，审批通过；待遇与审批通知书', async () => {
    await approver.goto(`${server.baseUrl}/cases/queue`);
    const queue = approver.locator('[data-test=case-table]');
    await expect.poll(() => queue.textContent()).toContain(caseNo);
    expect(await queue.textContent()).toContain('最低生活保障');
    await screenshot(approver, 'cases-5-queue');
    await queue.getByText(caseNo).click();
    await approver.waitForURL((url) => url.pathname === casePath);
    await act(approver, 'approve');
    await expect.poll(() => state(approver)).toBe('已批准');
    await approver.getByRole('tab', { name: '通知书' }).click();
    const link = approver.locator('[data-test=notice-approval]');
    const href = await link.getAttribute('href');
    const pdf = await approver.request.get(`${server.baseUrl}${href ?? ''}`);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toContain('application/pdf');
    await screenshot(approver, 'cases-6-approved');
    await approver.getByRole('tab', { name: '认定与决定' }).click();
    await approver.locator('[data-test=case-entitlements]').click();
    const table = approver.locator('[data-test=entitlement-table]');
    await expect.poll(() => table.textContent()).toContain('最低生活保障');
    expect(await table.textContent()).toContain('发放中');
    expect(await table.textContent()).toMatch(/[\d,]+\.\d{2} 元/);
    await screenshot(approver, 'cases-7-entitlements');
  });
});

describe('救助申请：不予批准', () => {
  it('第二件申请走到待审批，区审批人不予批准须写理由；不予批准通知书', async () => {
    const household = await seedHousehold('乙', 'B');
    const path = await register(caseworker, household);
    await carryToDecision(caseworker);
    await approver.goto(`${server.baseUrl}${path}`);
    await approver.locator('[data-test=action-deny]').click();
    const dialog = approver.locator('[data-test=case-action-dialog]');
    await dialog.locator('[data-test=action-submit]').click();
    await expect.poll(() => dialog.textContent()).toContain('请写明理由');
    await field(approver, 'action-reason').fill('经核查，申请人家庭有未申报的出租房屋收入');
    await dialog.locator('[data-test=action-submit]').click();
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => state(approver)).toBe('不予批准');
    expect(await approver.textContent('[data-test=case-facts]')).toContain('未申报的出租房屋收入');
    await approver.getByRole('tab', { name: '通知书' }).click();
    expect(await approver.locator('[data-test=notice-denial]').count()).toBe(1);
    await screenshot(approver, 'cases-8-denied');
  });
});

describe('救助申请：工作人员的近亲属', () => {
  it('居委会助理员备案的近亲属申请：提示是谁、什么关系，确认备案后须两名审批人', async () => {
    const staff = await seedHousehold('丁', 'D');
    const household = await seedHousehold('丙', 'C');
    const committee = await signIn('committee');
    expect(await postAs(committee, '/api/relatives/me/link', { idNumber: staff.head.idNumber })).toBe(201);
    expect(
      await postAs(committee, '/api/relatives/me', {
        relationCode: '73',
        relativeName: household.head.name,
        idNumber: household.head.idNumber,
      }),
    ).toBe(201);
    await committee.close();

    const path = await register(caseworker, household);
    await carryToDecision(caseworker, undefined, async () => {
      const flag = caseworker.locator('[data-test=case-relatives]');
      await expect.poll(() => flag.textContent()).toContain(household.head.name);
      expect(await flag.textContent()).toContain('弟');
      expect(await flag.textContent()).toContain('两名审批人');
      await screenshot(caseworker, 'cases-9-relatives');
      await act(caseworker, 'declare_relatives', async () => {
        await field(caseworker, 'action-reason').fill('申请人系居委会助理员之弟，已书面备案');
      });
      await expect
        .poll(() => caseworker.textContent('[data-test=case-relatives]'))
        .toContain('近亲属备案已确认');
    });
    await prepareDecision(caseworker);

    await approver.goto(`${server.baseUrl}${path}`);
    await act(approver, 'approve_first');
    await expect.poll(() => state(approver)).toBe('待审批');
    // The same approver cannot be the second one: the server's message in the dialog.
    await approver.locator('[data-test=action-approve]').click();
    const dialog = approver.locator('[data-test=case-action-dialog]');
    await dialog.locator('[data-test=action-submit]').click();
    await expect.poll(() => dialog.textContent()).toContain('第二审批人须与第一审批人不同');
    await dialog.getByRole('button', { name: '取消' }).click();

    await addUser(server.store, 'approver2', 'district_approver', '310110');
    const second = await newPage(browser);
    await second.goto(`${server.baseUrl}/login`);
    await second.fill('input[name=username]', 'approver2');
    await second.fill('input[name=password]', TEST_PASSWORD);
    await second.click('[data-test=login-submit]');
    await second.waitForURL((url) => !url.pathname.startsWith('/login'));
    await second.goto(`${server.baseUrl}${path}`);
    await act(second, 'approve');
    await expect.poll(() => state(second)).toBe('已批准');
    await screenshot(second, 'cases-10-second-approver');
    await second.close();
  });
});

describe('各角色看到的页面', () => {
  it('居委会助理员与审计员：列表有名称而无代码，审计员没有办理按钮', async () => {
    for (const username of ['committee', 'auditor']) {
      const page = await signIn(username);
      await page.goto(`${server.baseUrl}/cases`);
      const table = page.locator('[data-test=case-table]');
      await expect.poll(() => table.textContent()).toContain('E2E-CASE-A');
      await expect.poll(() => table.textContent()).toContain('最低生活保障');
      expect(await table.textContent()).not.toMatch(/\b3101\d{8}\b|dibao/);
      await screenshot(page, `cases-11-${username}-list`);
      await table.locator('tr', { hasText: 'E2E-CASE-A' }).locator('a').first().click();
      await page.locator('[data-test=case-no]').waitFor();
      if (username === 'auditor') {
        expect(await page.locator('[data-test=case-actions] button').count()).toBe(1);
      }
      await screenshot(page, `cases-11-${username}-detail`);
      await page.close();
    }
  });
});
