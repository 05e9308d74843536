import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL, divisionScope } from '../../src/auth/scope.ts';
import { addDays } from '../../src/calendar/days.ts';
import { shanghaiToday } from '../../src/core/clock.ts';
import { databaseFileStore } from '../../src/files/file-store.ts';
import { pdfBytes } from '../../src/files/files.fixtures.ts';
import { attachFile } from '../../src/files/files.service.ts';
import { discardStaged, newStagingPath, stageBytes } from '../../src/files/staging.ts';
import { makeIdNumber } from '../../src/registry/id-number.ts';
import { createHousehold } from '../../src/registry/registry.service.ts';
import { registerAuthorisation } from '../../src/verification/authorisation.service.ts';
import { inUnitOfWork, type ActingContext } from '../../src/workflow/unit-of-work.ts';
import { addUser, TEST_PASSWORD } from '../../src/http/test-helpers.ts';
import { launchBrowser, newPage, screenshot } from './support/browser.ts';
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
let serial = 0;

interface Seeded {
  householdId: string;
  householdNo: string;
  adults: string[];
  /** The head: name and ID number (a staff member declares them as a relative, or links to them). */
  head: { name: string; idNumber: string };
}

async function signIn(username: string): Promise<Page> {
  const account = server.accounts.get(username);
  if (!account) throw new Error(`first start did not create ${username}`);
  const page = await newPage(browser);
  await page.goto(`${server.baseUrl}/login`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', account.password);
  await page.click('[data-test=login-submit]');
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
  return page;
}

/** The input (or textarea) an Element Plus field renders for a data-test name. */
function field(page: Page, name: string) {
  const s = `[data-test=${name}]`;
  return page.locator(`input${s}, textarea${s}, ${s} input, ${s} textarea`).first();
}

/**
 * A household of the committee with low income (an unemployed adult and a pensioner on a small pension)
 * and its adults' signed 核对授权书 registered for 最低生活保障, as the street does before a verification.
 */
async function seedHousehold(tag: string, code: string): Promise<Seeded> {
  const actor: ActingContext = {
    userId: caseworkerId,
    divisionCode: street,
    reason: '端到端测试：登记申请家庭',
  };
  const person = (name: string, birthDate: string, sex: 1 | 2, extra: Record<string, unknown>) => {
    serial += 1;
    return {
      idNumber: makeIdNumber('310110', birthDate, 600 + serial * 2 + (sex === 1 ? 1 : 0)),
      name,
      sex,
      birthDate,
      hukouDivisionCode: street,
      ...extra,
    };
  };
  const householdNo = `E2E-CASE-${code}`;
  const headPerson = person(`周${tag}`, '1975-04-04', 1, { wageFen: 0, employed: false });
  const created = await inUnitOfWork(server.store, actor, (tx) =>
    createHousehold(tx, ALL, {
      householdNo,
      committeeCode,
      validFrom: '2016-01-01',
      members: [
        { person: headPerson, relationCode: '02' },
        { person: person(`吴${tag}`, '1950-06-06', 2, { pensionFen: 60_000 }), relationCode: '50' },
      ],
    }),
  );
  const householdId = created.value.id;
  const adults = created.changes.filter((c) => c.entityType === 'person').map((c) => c.entityId);
  const caller = { scope: divisionScope(street), role: 'street_caseworker' as const, userId: caseworkerId };
  const path = await newStagingPath(mkdtempSync(join(tmpdir(), 'mz-e2e-case-')));
  try {
    const staged = await stageBytes(pdfBytes(`authorisation ${tag}`), path);
    const attachment = await inUnitOfWork(server.store, actor, (tx) =>
      attachFile(tx, databaseFileStore(), caller, {
        entity: { entityType: 'household', districtCode: '310110', entityId: householdId },
        kind: 'authorisation',
        name: '核对授权书.pdf',
        staged,
        maxBytes: 1024 * 1024,
      }),
    );
    await inUnitOfWork(server.store, actor, (tx) =>
      registerAuthorisation(tx, caller, {
        districtCode: '310110',
        householdId,
        purpose: 'dibao',
        personIds: adults,
        signedOn: shanghaiToday(),
        standing: false,
        attachmentId: attachment.id,
      }),
    );
  } finally {
    await discardStaged(path);
  }
  return { householdId, householdNo, adults, head: { name: headPerson.name, idNumber: headPerson.idNumber } };
}

async function state(page: Page): Promise<string> {
  return (await page.textContent('[data-test=case-state]'))?.trim() ?? '';
}

/** Clicks one of the case's action buttons, fills the step's form, submits and waits for the dialog to close. */
async function act(page: Page, action: string, fill?: () => Promise<void>): Promise<void> {
  await page.locator(`[data-test=action-${action}]`).click();
  const dialog = page.locator('[data-test=case-action-dialog]');
  await dialog.waitFor();
  if (fill) await fill();
  await dialog.locator('[data-test=action-submit]').click();
  await dialog.waitFor({ state: 'hidden' });
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

/**
 * From 待受理 to 待审批 through whatever steps the case requires (dated parameters), each with its form:
 * the report is waited for (the gathering job answers from the simulated sources), the publicity starts
 * far enough back to have ended today.
 */
async function carryToDecision(
  page: Page,
  shots: boolean,
  beforeVerification?: () => Promise<void>,
): Promise<void> {
  await act(page, 'accept');
  await expect.poll(() => state(page)).toBe('已受理');
  if (beforeVerification) await beforeVerification();
  await act(page, 'start_verification');
  for (let guard = 0; guard < 12; guard += 1) {
    const now = await state(page);
    if (now === '待审批') return;
    if (now === '核对中') {
      await expect
        .poll(async () => {
          await page.locator('[data-test=case-refresh]').click();
          return page.textContent('[data-test=case-verification]');
        })
        .toMatch(/已出具报告|复核中|已复核/);
      await act(page, 'verified');
    } else if (now === '入户调查') {
      await act(page, 'record_visit', async () => {
        await field(page, 'visit-visitors').fill('张社工、李社工');
        await page.locator('[data-test=visit-checklist]').getByText('实际居住情况与申报一致').click();
        await field(page, 'visit-notes').fill('两人同住，无车辆，家电陈旧，与申报一致');
      });
      if (shots) await screenshot(page, 'cases-3-visit');
    } else if (now === '民主评议') {
      await act(page, 'record_evaluation', async () => {
        await field(page, 'eval-participants').fill('甲、乙、丙、丁、戊');
        await field(page, 'eval-for').fill('5');
        await field(page, 'eval-opinion').fill('一致同意');
      });
    } else if (now === '审核') {
      await act(page, 'record_review', async () => {
        await field(page, 'review-opinion').fill('材料齐全，符合条件，同意');
      });
    } else if (now === '公示') {
      await act(page, 'start_publicity', async () => {
        const start = field(page, 'publicity-start');
        await start.fill(addDays(shanghaiToday(), -10));
        await start.press('Enter');
      });
      await act(page, 'end_publicity');
    } else {
      throw new Error(`unexpected state ${now}`);
    }
  }
  throw new Error('the case did not reach 待审批');
}

/** 拟定决定: the engine's result kept, the household paid to the account given. */
async function prepareDecision(page: Page): Promise<void> {
  await page.locator('[data-test=open-prepare]').click();
  const dialog = page.locator('[data-test=prepare-dialog]');
  await dialog.waitFor();
  await field(page, 'payee-bank').fill('上海农商银行');
  await field(page, 'payee-account').fill('6228480012345678901');
  await dialog.locator('[data-test=prepare-submit]').click();
  await dialog.waitFor({ state: 'hidden' });
  await expect.poll(() => page.textContent('[data-test=decision-lines]')).toContain('最低生活保障');
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
    await carryToDecision(caseworker, true);
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
    await carryToDecision(caseworker, false);
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
    await carryToDecision(caseworker, false, async () => {
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
