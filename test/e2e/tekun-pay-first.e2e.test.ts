import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { divisionScope } from '../../src/auth/scope.ts';
import { calendarOf } from '../../src/calendar/calendar.service.ts';
import { intakeCase } from '../../src/cases/case.service.ts';
import { databaseFileStore } from '../../src/files/file-store.ts';
import { pdfBytes } from '../../src/files/files.fixtures.ts';
import { attachFile } from '../../src/files/files.service.ts';
import { discardStaged, newStagingPath, stageBytes } from '../../src/files/staging.ts';
import { inUnitOfWork } from '../../src/workflow/unit-of-work.ts';
import { launchBrowser, screenshot } from './support/browser.ts';
import { act, caseState, field, seedHousehold, signIn } from './support/cases.ts';
import { startServer, type RunningServer } from './support/server.ts';

/**
 * 特困人员认定 and 先行救助 in the console, as a street caseworker does them: a household applies for 特困供养
 * and 临时救助; after 受理 the caseworker pays 临时救助 first (the form shows this month's limit), then carries
 * the case through the verification and the visit to the 特困 assessment, where the mother's supporter (her
 * son, by name and relation) is found unable and she is assessed 符合. Screenshots in
 * artifacts/e2e/tekun-*.png.
 */
let server: RunningServer;
let browser: Browser;
let page: Page;
let casePath = '';

beforeAll(async () => {
  server = await startServer({ persons: 50 });
  const cw = server.accounts.get('caseworker');
  const committee = server.accounts.get('committee');
  if (!cw || !committee) throw new Error('first start did not create the street accounts');
  browser = await launchBrowser();
  page = await signIn(server, browser, 'caseworker');
  const me = (await (await page.request.get(`${server.baseUrl}/api/auth/me`)).json()) as {
    user: { id: string };
  };
  const place = { committeeCode: committee.divisionCode, street: cw.divisionCode, caseworkerId: me.user.id };
  const household = await seedHousehold(server, place, '特', 'TK');
  const caller = {
    scope: divisionScope(cw.divisionCode),
    role: 'street_caseworker' as const,
    userId: me.user.id,
  };
  const actor = { userId: me.user.id, divisionCode: cw.divisionCode, reason: '端到端测试：特困与先行救助' };
  const calendar = await calendarOf(server.store);
  const view = await inUnitOfWork(server.store, actor, (tx) =>
    intakeCase(
      tx,
      caller,
      { calendar },
      {
        districtCode: '310110',
        householdId: household.householdId,
        programs: ['dibao', 'tekun', 'temporary'],
        applicantPersonId: household.adults[0]!,
        contactPhone: '13912345678',
        materials: { application: true },
      },
    ),
  );
  const path = await newStagingPath(mkdtempSync(join(tmpdir(), 'mz-e2e-tekun-')));
  try {
    const staged = await stageBytes(pdfBytes('生活自理能力评估表'), path);
    await inUnitOfWork(server.store, actor, (tx) =>
      attachFile(tx, databaseFileStore(), caller, {
        entity: { entityType: 'case', districtCode: '310110', entityId: view.id },
        kind: 'other',
        name: '生活自理能力评估表.pdf',
        staged,
        maxBytes: 1024 * 1024,
      }),
    );
  } finally {
    await discardStaged(path);
  }
  casePath = `/cases/310110/${view.id}`;
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('特困人员认定与先行救助', () => {
  it('受理后先行救助临时救助：金额以元填写，页面显示本月上限；超过上限时显示服务端的说明', async () => {
    await page.goto(`${server.baseUrl}${casePath}`);
    await act(page, 'accept');
    await expect.poll(() => caseState(page)).toBe('已受理');
    await page.locator('[data-test=action-pay_first]').click();
    const dialog = page.locator('[data-test=pay-first-dialog]');
    await dialog.waitFor();
    await expect
      .poll(() => page.textContent('[data-test=pay-first-limit]'))
      .toContain('本月上限 2,000.00 元');
    await field(page, 'pay-first-amount').fill('2500');
    await page.locator('[data-test=pay-first-payee]').click();
    await page.getByRole('option', { name: /周特/ }).click();
    await field(page, 'pay-first-bank').fill('上海农商银行');
    await field(page, 'pay-first-account').fill('6228480012345678901');
    await field(page, 'pay-first-reason').fill('突发火灾，家中财物损毁，基本生活陷入困境');
    await dialog.locator('[data-test=pay-first-submit]').click();
    await expect.poll(() => page.textContent('[data-test=pay-first-error]')).toContain('超过');
    await screenshot(page, 'tekun-1-pay-first-over');
    await field(page, 'pay-first-amount').fill('1500');
    await dialog.locator('[data-test=pay-first-submit]').click();
    await dialog.waitFor({ state: 'hidden' });
    await expect
      .poll(() => page.textContent('[data-test=pay-first-record]'))
      .toContain('已先行救助（临时救助）1,500.00 元');
    await screenshot(page, 'tekun-2-paid-first');
  });

  it('核对、入户调查后登记特困人员认定：义务人按姓名和关系列出，认定符合', async () => {
    await act(page, 'start_verification');
    await expect
      .poll(async () => {
        await page.locator('[data-test=case-refresh]').click();
        return page.textContent('[data-test=case-verification]');
      })
      .toMatch(/已出具报告|复核中|已复核/);
    await act(page, 'verified');
    await act(page, 'record_visit', async () => {
      await field(page, 'visit-visitors').fill('张社工、李社工');
      await field(page, 'visit-notes').fill('母子同住，母亲行动不便');
    });
    await expect.poll(() => caseState(page)).toBe('特困人员认定');
    await page.locator('[data-test=action-record_tekun_assessment]').click();
    const dialog = page.locator('[data-test=tekun-dialog]');
    await dialog.waitFor();
    await page.locator('[data-test=tekun-members]').getByText('吴特').click();
    const member = page.locator('[data-test="tekun-member-吴特"]');
    await expect.poll(() => member.textContent()).toContain('周特（儿子）');
    await member.getByText('无履行能力').click();
    await field(page, 'tekun-reason-周特').fill('无收入，本人为低保对象');
    await member.getByText('部分丧失生活自理能力').click();
    await member.getByText('符合特困供养条件', { exact: true }).click();
    await field(page, 'tekun-conclusion-吴特').fill('无劳动能力、无生活来源，唯一赡养人无履行能力');
    await field(page, 'tekun-assessor').fill('社区评估员 周敏');
    await page.locator('[data-test=tekun-files]').getByText('生活自理能力评估表.pdf').click();
    await screenshot(page, 'tekun-3-form');
    await dialog.locator('[data-test=tekun-submit]').click();
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => caseState(page)).toBe('民主评议');
    await page.getByRole('tab', { name: '办理记录' }).click();
    const record = await page.textContent('[data-test=tekun-record]');
    expect(record).toContain('符合特困供养条件');
    expect(record).toContain('周特（儿子）：无履行能力');
    await screenshot(page, 'tekun-4-recorded');
  });
});
