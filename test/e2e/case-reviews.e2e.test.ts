import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from './support/browser.ts';
import {
  act,
  carryToDecision,
  caseState as state,
  field,
  prepareDecision,
  seedHousehold,
  signIn as signInTo,
  type Seeded,
} from './support/cases.ts';
import { startServer, type RunningServer } from './support/server.ts';

/**
 * 复审与变更 in the console: a 低保 case approved, the household then in the 定期复审 list of its review month
 * (six months on: a member able to work), a review opened from the list (复审申请, 核对 first), and a change
 * reported from the approved case (变更申请 with its report). Screenshots in artifacts/e2e/reviews-*.png.
 */
let server: RunningServer;
let browser: Browser;
let caseworker: Page;
let approver: Page;
let household: Seeded;
let casePath = '';

async function postAs(page: Page, path: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const me = (await (await page.request.get(`${server.baseUrl}/api/auth/me`)).json()) as {
    csrfToken: string;
  };
  const reply = await page.request.post(`${server.baseUrl}${path}`, {
    data: body,
    headers: { 'x-csrf-token': me.csrfToken },
  });
  return { status: reply.status(), json: await reply.json() };
}

function addMonths(month: string, n: number): string {
  const total = Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1 + n;
  return `${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, '0')}`;
}

beforeAll(async () => {
  server = await startServer({ persons: 200 });
  const committee = server.accounts.get('committee');
  const cw = server.accounts.get('caseworker');
  if (!committee || !cw) throw new Error('first start did not create the street accounts');
  browser = await launchBrowser();
  caseworker = await signInTo(server, browser, 'caseworker');
  approver = await signInTo(server, browser, 'approver');
  const me = (await (await caseworker.request.get(`${server.baseUrl}/api/auth/me`)).json()) as {
    user: { id: string };
  };
  household = await seedHousehold(
    server,
    { committeeCode: committee.divisionCode, street: cw.divisionCode, caseworkerId: me.user.id },
    '复',
    'R',
  );
  const created = await postAs(caseworker, '/api/cases', {
    householdId: household.householdId,
    programs: ['dibao'],
    applicantPersonId: household.adults[0],
    contactPhone: '13912345678',
    materials: { application: true },
  });
  expect(created.status).toBe(201);
  const c = created.json as { districtCode: string; id: string };
  casePath = `/cases/${c.districtCode}/${c.id}`;
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('复审与变更', () => {
  it('批准低保后，该户出现在其复审月份的定期复审名单中', async () => {
    await caseworker.goto(`${server.baseUrl}${casePath}`);
    await carryToDecision(caseworker);
    await prepareDecision(caseworker);
    await approver.goto(`${server.baseUrl}${casePath}`);
    await act(approver, 'approve');
    await expect.poll(() => state(approver)).toBe('已批准');
    const now = (await (await caseworker.request.get(`${server.baseUrl}/api/calendar`)).json()) as {
      today: string;
    };
    const due = addMonths(now.today.slice(0, 7), 6);
    await caseworker.goto(`${server.baseUrl}/cases/reviews?month=${due}`);
    const table = caseworker.locator('[data-test=review-table]');
    await expect.poll(() => table.textContent()).toContain(household.householdNo);
    expect(await table.textContent()).toContain('最低生活保障');
    expect(await table.textContent()).toContain('有劳动能力成员的家庭');
    expect(await table.textContent()).toContain(due);
    await screenshot(caseworker, 'reviews-1-due');
    await caseworker.locator('[data-test=review-open]').first().click();
    await caseworker.waitForURL(
      (url) => /^\/cases\/\d{6}\//.test(url.pathname) && !url.pathname.endsWith(casePath),
    );
    await expect.poll(() => caseworker.textContent('[data-test=case-no]')).toContain('复审申请');
    expect(await state(caseworker)).toBe('已受理');
    expect(await caseworker.textContent('[data-test=case-steps]')).toContain('入户调查');
    await screenshot(caseworker, 'reviews-2-opened');
  });

  it('从已批准的申请报告变更：生成变更申请，显示变更报告', async () => {
    await caseworker.goto(`${server.baseUrl}${casePath}`);
    await caseworker.locator('[data-test=case-report-change]').click();
    const form = caseworker.locator('[data-test=change-form]');
    await form.waitFor();
    await caseworker.locator('[data-test=change-submit]').click();
    await expect.poll(() => caseworker.textContent('[data-test=change-problem]')).toContain('情况说明');
    await field(caseworker, 'change-note').fill('申请人重新就业，月工资 2800 元');
    await screenshot(caseworker, 'reviews-3-change-dialog');
    await caseworker.locator('[data-test=change-submit]').click();
    await caseworker.waitForURL((url) => url.pathname !== casePath);
    await expect.poll(() => caseworker.textContent('[data-test=case-no]')).toContain('变更申请');
    const report = caseworker.locator('[data-test=change-report]');
    await expect.poll(() => report.textContent()).toContain('收入变化');
    expect(await report.textContent()).toContain('重新核算后决定');
    await screenshot(caseworker, 'reviews-4-change-case');
  });
});
