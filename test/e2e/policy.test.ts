import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newPage, screenshot } from './support/browser.ts';
import { startServer, type RunningServer } from './support/server.ts';

/**
 * The parameters page as a caseworker and as finance reads it (元 with units, Chinese statuses with
 * their citations, the value a calculation for the month uses), and the 政策测算 page: baseline and a
 * reform entered in 元, by program with Chinese names. Screenshots go to artifacts/e2e/.
 */
let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  server = await startServer({ persons: 3000 });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function loginAs(username: string): Promise<Page> {
  const account = server.accounts.get(username);
  if (!account) throw new Error(`first start did not create ${username}`);
  const page = await newPage(browser);
  await page.goto(`${server.baseUrl}/login`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', account.password);
  await page.click('[data-test=login-submit]');
  await page.locator('[data-test=current-user]').waitFor();
  return page;
}

/** The main table's rows (not those of an expanded history). */
const parameterRows = (page: Page) =>
  page.locator('[data-test=parameter-table] > .el-table__inner-wrapper > .el-table__body-wrapper tbody tr');

async function menusOf(page: Page): Promise<(string | null)[]> {
  const items = await page.locator('[data-menu]').all();
  return Promise.all(items.map((item) => item.getAttribute('data-menu')));
}

describe('政策参数（街道经办人）', () => {
  it('金额以元、比例和人数带单位；状态为中文并附出处；现行值与计算所用一致', async () => {
    const page = await loginAs('caseworker');
    expect(await menusOf(page)).not.toContain('simulate');
    await page.goto(`${server.baseUrl}/parameters?month=2026-03`);
    await parameterRows(page).first().waitFor();
    const table = (await page.textContent('[data-test=parameter-table]')) ?? '';
    expect(table).toContain('现行值（2026年03月）');
    expect(table).toContain('1,650.00 元');
    expect(table).toContain('30,000.00 元');
    expect(table).toContain('40%');
    expect(table).toContain('3 个月');
    expect(table).not.toMatch(/\b(165000|3000000)\b/);
    expect(table).not.toMatch(/memory|unverified|secondary/);
    // SPEC v1.1: 2026 reads 2024's city income (2025 not entered), and the page says so.
    const city = parameterRows(page).filter({ hasText: 'city.per_capita_disposable_income' });
    expect(await city.textContent()).toContain('88,366.00 元/年');
    expect(await city.locator('[data-test=parameter-fallback]').textContent()).toContain(
      '2025 年数值未录入，计算时使用 2024 年数值',
    );
    // 定期定量: changed from 2022-07-01 with the amount not found — 待核实, with where it was read.
    await page.fill('[data-test=parameter-filter]', 'traditional.standard');
    await expect.poll(() => parameterRows(page).count()).toBe(1);
    await parameterRows(page).first().locator('.el-table__expand-icon').click();
    const history = page.locator('[data-test=parameter-values]');
    await history.waitFor();
    const text = (await history.textContent()) ?? '';
    expect(text).toContain('待核实');
    expect(text).toContain('沪民办发〔2023〕2号');
    expect(text).toContain('新金额未查到，暂沿用2065元');
    await screenshot(page, 'policy-01-parameters-caseworker');
    await page.context().close();
  });
});

describe('政策参数与政策测算（财务人员）', () => {
  let page: Page;
  beforeAll(async () => {
    page = await loginAs('finance');
  });
  afterAll(async () => {
    await page?.context().close();
  });

  it('参数页按项目分组，可按项目筛选', async () => {
    await page.goto(`${server.baseUrl}/parameters`);
    await parameterRows(page).first().waitFor();
    await page.waitForTimeout(800); // chart entry animation
    await screenshot(page, 'policy-02-parameters-finance');
    await page.click('[data-test=parameter-group]');
    await page.locator('.el-select-dropdown__item', { hasText: '粮油帮困' }).click();
    await expect.poll(() => parameterRows(page).count()).toBe(5);
    expect(await parameterRows(page).first().textContent()).toContain('粮油帮困');
  });

  it('政策测算：未测算时有提示；现行政策按项目列出中文名称、户数、人数和金额', async () => {
    expect(await menusOf(page)).toContain('simulate');
    await page.goto(`${server.baseUrl}/simulate?month=2026-11`);
    const result = page.locator('[data-test=simulate-result]');
    await expect.poll(() => result.textContent()).toContain('点击“开始测算”');
    await expect.poll(() => page.textContent('[data-test=simulate-division]')).toContain('杨浦区（全部）');
    await page.click('[data-test=simulate-run]');
    const rows = page.locator('[data-test=simulate-table] tbody tr');
    await expect.poll(() => rows.count()).toBe(15);
    const dibao = rows.filter({ hasText: '最低生活保障' }).first();
    expect(await dibao.textContent()).toContain('dibao');
    expect(await page.textContent('[data-test=simulate-summary]')).toMatch(
      /2026年11月，杨浦区.*在册 [\d,]+ 户/,
    );
    await screenshot(page, 'policy-03-simulate-baseline');
  });

  it('政策测算：低保标准按元输入调整值，列出现行、调整后和差额', async () => {
    await page.click('[data-test=reform-parameter]');
    await page.keyboard.type('城乡居民最低生活保障标准');
    await page.locator('.el-select-dropdown__item:visible', { hasText: '城乡居民最低生活保障标准' }).click();
    const value = page.locator('[data-test=reform-value]');
    await expect.poll(() => value.inputValue()).toBe('1650.00');
    await value.fill('1800');
    await page.click('[data-test=simulate-run]');
    const table = page.locator('[data-test=simulate-table]');
    await expect.poll(() => table.textContent()).toContain('差额（调整后 − 现行）');
    const dibao = page
      .locator('[data-test=simulate-table] tbody tr')
      .filter({ hasText: '最低生活保障' })
      .first();
    expect(await dibao.textContent()).toMatch(/\+[\d,]+\.\d\d/);
    expect(await page.textContent('[data-test=simulate-summary]')).toContain('调整后');
    // By street: the reform's program first, a street per line by name, a 合计 line, and the chart.
    const areas = page.locator('[data-test=simulate-areas]');
    expect(await areas.textContent()).toContain('按街道（镇）对比');
    await expect.poll(() => page.textContent('[data-test=simulate-area-program]')).toContain('最低生活保障');
    const areaRows = page.locator('[data-test=simulate-area-table] .el-table__body-wrapper tbody tr');
    const names = (await areaRows.locator('td:first-child').allTextContents()).map((t) => t.trim());
    expect(names.length).toBeGreaterThan(2);
    expect(names.at(-1)).toBe('合计');
    expect(names.slice(0, -1).every((n) => /(街道|镇)$/.test(n))).toBe(true);
    expect(await areaRows.last().textContent()).toMatch(/\+[\d,]+\.\d\d/);
    await page.locator('[data-test=simulate-area-chart] canvas').waitFor();
    await screenshot(page, 'policy-04-simulate-reform');
    await areas.scrollIntoViewIfNeeded();
    await page.waitForTimeout(800); // chart entry animation
    await screenshot(page, 'policy-05-simulate-by-street');

    await value.fill('一千八');
    await page.click('[data-test=simulate-run]');
    await expect
      .poll(() => page.textContent('[data-test=reform-line]'))
      .toContain('请输入金额（元），最多两位小数');
    expect(await page.textContent('[data-test=simulate-result]')).toContain('点击“开始测算”');
  });
});
