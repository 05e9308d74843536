import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pdfBytes } from '../../src/files/files.fixtures.ts';
import { apiLogin, type ApiAgent } from './support/api.ts';
import { launchBrowser, newPage, screenshot } from './support/browser.ts';
import { startServer, type RunningServer } from './support/server.ts';

/**
 * 核对 in the console: the street caseworker starts a verification from a household (refused while the
 * adults have not signed, the server's message shown as it says it), registers the signed authorisation,
 * submits, reads the report when the simulated sources have answered, and files an objection with evidence;
 * the verification officer reads the raw answers and decides. Screenshots in artifacts/e2e/verifications-*.png.
 */
let server: RunningServer;
let browser: Browser;
let caseworker: Page;
let agent: ApiAgent;
let household: { id: string; householdNo: string };
let requestPath = '';

interface HouseholdDetail {
  members: { personId: string; name: string; age: number }[];
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

async function choose(page: Page, select: Locator, option: string): Promise<void> {
  await select.click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: option }).first().click();
}

/** The detail page, refreshed until the request has its report (the gathering job runs in the server). */
async function untilReported(page: Page): Promise<void> {
  await expect
    .poll(async () => {
      await page.getByRole('button', { name: '刷新' }).click();
      return page.textContent('[data-test=request-state]');
    })
    .toMatch(/已出具报告|复核中|已复核/);
}

beforeAll(async () => {
  server = await startServer({ persons: 300 });
  const account = server.accounts.get('caseworker');
  if (!account) throw new Error('first start did not create caseworker');
  agent = await apiLogin(server.baseUrl, 'caseworker', account.password);
  const list = await agent.get<{ items: { id: string; householdNo: string; memberCount: number }[] }>(
    '/api/households?limit=50',
  );
  const found = list.items.find((h) => h.memberCount >= 2);
  if (!found) throw new Error('no household of two or more in the caseworker’s street');
  household = found;
  browser = await launchBrowser();
  caseworker = await signIn('caseworker');
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('核对委托（街道经办人）', () => {
  it('发起核对：成年成员未签署授权书时，显示服务器列出的未签署者', async () => {
    const detail = await agent.get<HouseholdDetail>(`/api/households/${household.id}`);
    const adult = detail.members.find((m) => m.age >= 18);
    if (!adult) throw new Error('no adult in the household');
    await caseworker.goto(`${server.baseUrl}/households/${household.id}`);
    const panel = caseworker.locator('[data-test=household-verifications]');
    await expect.poll(() => panel.textContent()).toContain('本户还没有登记核对授权书');
    await panel.locator('[data-test=start-verification]').click();
    const dialog = caseworker.locator('[data-test=new-request-dialog]');
    await choose(caseworker, dialog.locator('[data-test=request-purpose]'), '最低生活保障');
    await expect.poll(() => dialog.textContent()).toContain('未签署');
    await dialog.locator('[data-test=request-submit]').click();
    const error = dialog.locator('[data-test=request-error]');
    await expect.poll(() => error.textContent()).toContain(adult.name);
    await screenshot(caseworker, 'verifications-1-unsigned');
  });

  it('登记授权书（上传签署的授权书）后提交，进入委托详情', async () => {
    const dialog = caseworker.locator('[data-test=new-request-dialog]');
    await dialog.locator('[data-test=open-authorisation]').click();
    const form = caseworker.locator('[data-test=authorisation-dialog]');
    await form.waitFor();
    // The adults who have not signed are ticked already; the signed paper is uploaded with the record.
    await caseworker.setInputFiles('[data-test=auth-upload] input[type=file]', {
      name: '核对授权书.pdf',
      mimeType: 'application/pdf',
      buffer: pdfBytes('authorisation'),
    });
    await screenshot(caseworker, 'verifications-2-authorisation');
    await form.locator('[data-test=auth-submit]').click();
    await form.waitFor({ state: 'hidden' });
    await expect.poll(() => dialog.textContent()).not.toContain('未签署');
    await dialog.locator('[data-test=request-submit]').click();
    await caseworker.waitForURL((url) => url.pathname.startsWith('/verifications/'));
    requestPath = new URL(caseworker.url()).pathname;
    await expect
      .poll(() => caseworker.textContent('[data-test=request-facts]'))
      .toContain(household.householdNo);
    expect(await caseworker.textContent('[data-test=request-facts]')).toContain('最低生活保障');
  });

  it('各部门答复后出具报告：申报、核对、差额与政策测算结论，没有原始答复页', async () => {
    await untilReported(caseworker);
    const sources = await caseworker.textContent('[data-test=source-table]');
    expect(sources).toContain('税务部门');
    expect(sources).toContain('已答复');
    await caseworker.getByRole('tab', { name: '核对报告' }).click();
    await caseworker.locator('[data-test=report-figures]').first().waitFor();
    const report = await caseworker.textContent('[data-test=report]');
    expect(report).toContain('工资性收入（月）');
    expect(await caseworker.textContent('[data-test=report-conclusion]')).toContain('最低生活保障');
    expect(await caseworker.getByRole('tab', { name: '各部门原始答复' }).count()).toBe(0);
    await screenshot(caseworker, 'verifications-3-report');
  });

  it('列表：委托编号、户编号与进度；只看逾期时说明没有逾期委托', async () => {
    const requestNo = (await caseworker.textContent('[data-test=request-no]'))
      ?.replace('核对委托', '')
      .trim();
    await caseworker.goto(`${server.baseUrl}/verifications`);
    const table = caseworker.locator('[data-test=verification-table]');
    await expect.poll(() => table.textContent()).toContain(requestNo ?? '—');
    expect(await table.textContent()).toContain(household.householdNo);
    await screenshot(caseworker, 'verifications-4-list');
    await caseworker.locator('[data-test=filter-overdue]').click();
    await expect.poll(() => table.textContent()).toContain('没有逾期未出具报告的核对委托');
  });

  it('复核申请：指出项目与主张的数值，上传证明材料后提交，委托进入复核', async () => {
    await caseworker.goto(`${server.baseUrl}${requestPath}`);
    await caseworker.locator('[data-test=request-object]').click();
    const dialog = caseworker.locator('[data-test=objection-dialog]');
    await dialog.waitFor();
    await choose(caseworker, dialog.locator('[data-test=objection-claim] .el-select').first(), '工资性收入');
    await dialog.locator('[data-test=objection-claim] input').nth(1).fill('0');
    await dialog.locator('textarea').first().fill('申请人已于十月离职，附离职证明');
    // Without evidence the server refuses and says why.
    await dialog.locator('[data-test=objection-submit]').click();
    await expect.poll(() => dialog.textContent()).toContain('请上传证明材料');
    await choose(caseworker, dialog.locator('[data-test=attachment-kind]'), '收入证明');
    await caseworker.setInputFiles(
      '[data-test=objection-dialog] [data-test=attachment-upload] input[type=file]',
      {
        name: '离职证明.pdf',
        mimeType: 'application/pdf',
        buffer: pdfBytes('leave'),
      },
    );
    await dialog.locator('[data-test=attachment-submit]').click();
    await expect
      .poll(() => dialog.locator('[data-test=attachment-table]').textContent())
      .toContain('离职证明.pdf');
    await dialog.locator('[data-test=objection-submit]').click();
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => caseworker.textContent('[data-test=request-state]')).toContain('复核中');
    await caseworker.getByRole('tab', { name: '结果复核' }).click();
    await expect
      .poll(() => caseworker.textContent('[data-test=open-objection]'))
      .toContain('申请人已于十月离职');
    await screenshot(caseworker, 'verifications-5-objection');
  });
});

describe('核对员', () => {
  it('查看各部门原始答复，作出复核决定（更正），报告出第 2 版', async () => {
    const officer = await signIn('verifier');
    await officer.goto(`${server.baseUrl}${requestPath}`);
    await officer.getByRole('tab', { name: '各部门原始答复' }).click();
    await expect.poll(() => officer.textContent('[data-test=raw-answers]')).toContain('公安户籍');
    await screenshot(officer, 'verifications-6-raw');
    await officer.locator('[data-test=request-decide]').click();
    const dialog = officer.locator('[data-test=decision-dialog]');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('主张 0.00 元');
    await dialog.getByText('更正报告').click();
    await dialog.locator('textarea').fill('离职证明属实，按申请人主张更正');
    await dialog.locator('[data-test=decision-submit]').click();
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => officer.textContent('[data-test=request-state]')).toContain('已复核');
    await officer.getByRole('tab', { name: '核对报告' }).click();
    await expect.poll(() => officer.textContent('[data-test=report]')).toContain('第 2 版，共 2 版');
    expect(await officer.textContent('[data-test=report]')).toContain('复核更正');
    await screenshot(officer, 'verifications-7-revised');
    await officer.close();
  });

  it('定期复核：发起后跟踪任务进度，完成后可看变更清单', async () => {
    const officer = await signIn('verifier');
    await officer.goto(`${server.baseUrl}/verifications`);
    await officer.locator('[data-test=open-rechecks]').click();
    await choose(officer, officer.locator('[data-test=recheck-program]'), '最低生活保障');
    await officer.locator('[data-test=recheck-start]').click();
    const jobs = officer.locator('[data-test=recheck-jobs]');
    await expect.poll(() => jobs.textContent()).toContain('已完成');
    expect(await jobs.textContent()).toMatch(/在保家庭 \d+ 户/);
    await officer.getByRole('button', { name: '变更清单' }).first().click();
    await officer.locator('[data-test=recheck-changes]').waitFor();
    await screenshot(officer, 'verifications-8-recheck');
    // The same program again in the same month: the server's refusal, as it says it.
    await officer.locator('[data-test=recheck-start]').click();
    await expect.poll(() => officer.textContent('[data-test=recheck-error]')).toContain('已完成');
    await officer.close();
  });
});
