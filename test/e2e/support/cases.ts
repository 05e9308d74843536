import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { ALL, divisionScope } from '../../../src/auth/scope.ts';
import { addDays } from '../../../src/calendar/days.ts';
import { shanghaiToday } from '../../../src/core/clock.ts';
import { databaseFileStore } from '../../../src/files/file-store.ts';
import { pdfBytes } from '../../../src/files/files.fixtures.ts';
import { attachFile } from '../../../src/files/files.service.ts';
import { discardStaged, newStagingPath, stageBytes } from '../../../src/files/staging.ts';
import { makeIdNumber } from '../../../src/registry/id-number.ts';
import { createHousehold } from '../../../src/registry/registry.service.ts';
import { registerAuthorisation } from '../../../src/verification/authorisation.service.ts';
import { inUnitOfWork, type ActingContext } from '../../../src/workflow/unit-of-work.ts';
import { newPage, screenshot } from './browser.ts';
import type { RunningServer } from './server.ts';

/**
 * 救助申请 steps shared by the browser tests (cases.e2e, online-application.e2e): signing in, a low-income
 * household with its signed 核对授权书, and carrying a case through its required steps to the decision.
 */

export interface Seeded {
  householdId: string;
  householdNo: string;
  adults: string[];
  /** The head: name and ID number (a staff member declares them as a relative, or links to them). */
  head: { name: string; idNumber: string };
}

/** Where a household is seeded: the committee, its street and the caseworker who registers it. */
export interface SeedPlace {
  committeeCode: string;
  street: string;
  caseworkerId: string;
}

let serial = 0;

export async function signIn(server: RunningServer, browser: Browser, username: string): Promise<Page> {
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
export function field(page: Page, name: string) {
  const s = `[data-test=${name}]`;
  return page.locator(`input${s}, textarea${s}, ${s} input, ${s} textarea`).first();
}

/**
 * A household of the committee with low income (an unemployed adult and a pensioner on a small pension)
 * and its adults' signed 核对授权书 registered for 最低生活保障, as the street does before a verification.
 */
export async function seedHousehold(
  server: RunningServer,
  place: SeedPlace,
  tag: string,
  code: string,
): Promise<Seeded> {
  const { committeeCode, street, caseworkerId } = place;
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

export async function caseState(page: Page): Promise<string> {
  return (await page.textContent('[data-test=case-state]'))?.trim() ?? '';
}

/** Clicks one of the case's action buttons, fills the step's form, submits and waits for the dialog to close. */
export async function act(page: Page, action: string, fill?: () => Promise<void>): Promise<void> {
  await page.locator(`[data-test=action-${action}]`).click();
  const dialog = page.locator('[data-test=case-action-dialog]');
  await dialog.waitFor();
  if (fill) await fill();
  await dialog.locator('[data-test=action-submit]').click();
  await dialog.waitFor({ state: 'hidden' });
}

/**
 * From 待受理 to 待审批 through whatever steps the case requires (dated parameters), each with its form:
 * the report is waited for (the gathering job answers from the simulated sources), the publicity starts
 * far enough back to have ended today. `visitShot` names the screenshot of the visit, when wanted.
 */
export async function carryToDecision(
  page: Page,
  visitShot?: string,
  beforeVerification?: () => Promise<void>,
): Promise<void> {
  await act(page, 'accept');
  await expect.poll(() => caseState(page)).toBe('已受理');
  if (beforeVerification) await beforeVerification();
  await act(page, 'start_verification');
  for (let guard = 0; guard < 12; guard += 1) {
    const now = await caseState(page);
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
      if (visitShot) await screenshot(page, visitShot);
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
export async function prepareDecision(page: Page): Promise<void> {
  await page.locator('[data-test=open-prepare]').click();
  const dialog = page.locator('[data-test=prepare-dialog]');
  await dialog.waitFor();
  await field(page, 'payee-bank').fill('上海农商银行');
  await field(page, 'payee-account').fill('6228480012345678901');
  await dialog.locator('[data-test=prepare-submit]').click();
  await dialog.waitFor({ state: 'hidden' });
  await expect.poll(() => page.textContent('[data-test=decision-lines]')).toContain('最低生活保障');
}
