import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectRows } from '../../src/db/sql.ts';
import { launchBrowser, newPage, screenshot } from './support/browser.ts';
import { startServer, type RunningServer } from './support/server.ts';

/**
 * 打印文书 in the console, as a street caseworker of 控江路街道: the household page's 打印信息表 opens the
 * 家庭基本信息表 as a page (ID numbers masked; in full after stating a purpose), 下载 PDF saves the same
 * document as a PDF with its Chinese name; the calculator's 打印测算单 opens the 测算单 in a new tab, for
 * a registered household and for one typed in. Screenshots go to artifacts/e2e/ (prefix d-).
 */
const KONGJIANG = '310110012';
/** 18 characters of an ID number in a row (the sheet's text runs cells together, so no word boundaries). */
const FULL_ID = /\d{17}[\dX]/;
const MASKED_ID = /\d{6}\*{8}[\dX]{4}/;

let server: RunningServer;
let browser: Browser;
let page: Page;

async function householdOfKongjiang(): Promise<{ id: string; householdNo: string }> {
  const [row] = await selectRows<{ id: string; household_no: string }>(
    server.store.db,
    sql`select h.id, h.household_no from households h
        where h.district_code = '310110' and left(h.committee_code, 9) = ${KONGJIANG}
          and exists (select 1 from household_members m
                      where m.district_code = h.district_code and m.household_id = h.id and m.valid_to is null)
        order by h.id limit 1`,
  );
  if (!row) throw new Error('the demo population has no household in 控江路');
  return { id: row.id, householdNo: row.household_no };
}

beforeAll(async () => {
  server = await startServer({ persons: 1500 });
  browser = await launchBrowser();
  page = await newPage(browser);
  const account = server.accounts.get('caseworker');
  if (!account) throw new Error('first start did not create caseworker');
  await page.goto(`${server.baseUrl}/login`);
  await page.fill('input[name=username]', account.username);
  await page.fill('input[name=password]', account.password);
  await page.click('[data-test=login-submit]');
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('打印文书', () => {
  it('家庭基本信息表：从家庭户页面打开，身份证号脱敏，下载的 PDF 用中文文件名', async () => {
    const household = await householdOfKongjiang();
    await page.goto(`${server.baseUrl}/households/${household.id}`);
    await page.click('[data-test=print-info-sheet]');
    await page.waitForURL(/\/documents\/households\/.+\/info-sheet$/);
    const sheet = page.locator('[data-test=document-sheet]');
    await sheet.waitFor();
    const text = (await sheet.textContent()) ?? '';
    expect(text).toContain('家庭基本信息表');
    expect(text).toContain('上海市杨浦区民政局');
    expect(text).toContain(household.householdNo);
    expect(text).toContain('户主');
    expect(text).toMatch(MASKED_ID);
    expect(text).not.toMatch(FULL_ID);
    await screenshot(page, 'd-01-info-sheet');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-test=document-download]'),
    ]);
    expect(download.suggestedFilename()).toBe(`家庭基本信息表-${household.householdNo}.pdf`);
    const file = await download.path();
    expect(readFileSync(file).subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  it('完整显示身份证号：须说明用途，之后整表显示完整号码', async () => {
    await page.click('[data-test=document-unmask]');
    const input = page.locator('.el-message-box input');
    await input.fill('看');
    await page.click('.el-message-box .el-button--primary');
    await expect.poll(() => page.textContent('.el-message-box')).toContain('请说明用途');
    await input.fill('打印申请材料核对身份');
    await page.click('.el-message-box .el-button--primary');
    await expect
      .poll(async () => (await page.textContent('[data-test=document-sheet]')) ?? '')
      .toMatch(FULL_ID);
    expect(await page.textContent('[data-test=document-sheet]')).toContain('记入审计日志');
  });

  it('测算单：政策计算器的结果可打印，登记家庭户与手工录入的家庭都在新标签页打开', async () => {
    const household = await householdOfKongjiang();
    await page.goto(`${server.baseUrl}/calculator?household=${household.id}`);
    await page.locator('[data-test=calc-results]').waitFor();
    const [registered] = await Promise.all([
      page.context().waitForEvent('page'),
      page.click('[data-test=calc-print]'),
    ]);
    const sheet = registered.locator('[data-test=document-sheet]');
    await sheet.waitFor();
    const text = (await sheet.textContent()) ?? '';
    expect(text).toContain('社会救助测算单');
    expect(text).toContain(`户编号：${household.householdNo}`);
    expect(text).toContain('（户主）');
    expect(text).toContain('不是救助审批决定');
    await screenshot(registered, 'd-02-calculation-registered');
    await registered.close();

    await page.goto(`${server.baseUrl}/calculator`);
    await page.click('[data-test=mode-manual]');
    await page.fill('[data-test=member-editor] .member-name input', '王阿姨');
    const birth = page.locator('[data-test=member-editor] .birth-date input').first();
    await birth.fill('1950-06-01');
    await birth.press('Enter');
    await page.click('[data-test=calc-run]');
    await page.locator('[data-test=calc-results]').waitFor();
    const [manual] = await Promise.all([
      page.context().waitForEvent('page'),
      page.click('[data-test=calc-print]'),
    ]);
    await manual.locator('[data-test=document-sheet]').waitFor();
    const manualText = (await manual.textContent('[data-test=document-sheet]')) ?? '';
    expect(manualText).toContain('家庭信息：手工录入');
    expect(manualText).toContain('王阿姨');
    expect(manualText).toContain('老年综合津贴');
    // The typed household never travels in the address.
    expect(manual.url()).not.toContain(encodeURIComponent('王阿姨'));
    await screenshot(manual, 'd-03-calculation-manual');
    const [download] = await Promise.all([
      manual.waitForEvent('download'),
      manual.click('[data-test=document-download]'),
    ]);
    expect(download.suggestedFilename()).toMatch(/^社会救助测算单-\d{4}-\d{2}-手工录入\.pdf$/);
    await manual.close();
  });
});
