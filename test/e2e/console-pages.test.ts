import { sql } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectRows } from '../../src/db/sql.ts';
import { placeName } from '../../src/registry/place-names.ts';
import { launchBrowser, newPage, screenshot } from './support/browser.ts';
import { startServer, type RunningServer } from './support/server.ts';

/**
 * The pages a caseworker uses every day, as the roles that use them: a street caseworker (控江路街道),
 * a committee assistant and a finance officer. What a person reads must be names, not codes or ids;
 * charts say so when they are empty; the calculator never shows a stale result. Screenshots go to
 * artifacts/e2e/ (prefix p-).
 */
const KONGJIANG = '310110012';
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

let server: RunningServer;
let browser: Browser;
/** Responses the browser got a 404 for (a missing favicon shows up here on every page). */
const missing: string[] = [];

function password(username: string): string {
  const account = server.accounts.get(username);
  if (!account) throw new Error(`first start did not create ${username}`);
  return account.password;
}

async function signIn(username: string): Promise<Page> {
  const page = await newPage(browser);
  page.on('response', (response) => {
    if (response.status() === 404) missing.push(`${username} ${response.url()}`);
  });
  await page.goto(`${server.baseUrl}/login`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password(username));
  await page.click('[data-test=login-submit]');
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
  return page;
}

/** A resident of 控江路 whose 户籍 is outside Shanghai, and their household. */
async function migrantOfKongjiang(): Promise<{ personId: string; householdId: string; hukou: string }> {
  const [row] = await selectRows<{ person_id: string; household_id: string; hukou: string }>(
    server.store.db,
    sql`select p.id as person_id, m.household_id, p.hukou_division_code as hukou
        from persons p join household_members m on m.district_code = p.district_code and m.person_id = p.id
        where p.district_code = '310110' and left(p.residence_division_code, 9) = ${KONGJIANG}
          and left(p.hukou_division_code, 2) <> '31' and m.valid_to is null
        order by p.id limit 1`,
  );
  if (!row) throw new Error('the demo population has no non-Shanghai 户籍 in 控江路');
  return { personId: row.person_id, householdId: row.household_id, hukou: row.hukou };
}

/** A household of 控江路 with a Shanghai 户籍 member of 70 or more (so some programs pay). */
async function elderlyHouseholdOfKongjiang(): Promise<string> {
  const [row] = await selectRows<{ household_id: string }>(
    server.store.db,
    sql`select m.household_id
        from persons p join household_members m on m.district_code = p.district_code and m.person_id = p.id
        where p.district_code = '310110' and left(p.residence_division_code, 9) = ${KONGJIANG}
          and left(p.hukou_division_code, 2) = '31' and p.birth_date < current_date - interval '70 years'
          and m.valid_to is null
        order by m.household_id limit 1`,
  );
  if (!row) throw new Error('the demo population has no elderly Shanghai 户籍 in 控江路');
  return row.household_id;
}

/** The whole dashboard in one picture: the console scrolls inside its layout, out of a full-page shot. */
async function tallScreenshot(page: Page, name: string): Promise<void> {
  const size = page.viewportSize() ?? { width: 1440, height: 900 };
  await page.setViewportSize({ width: size.width, height: 2000 });
  await page.waitForTimeout(800); // charts resize and settle
  await screenshot(page, name);
  await page.setViewportSize(size);
}

/** Every chart card either draws a chart or says in words why it has none. */
async function chartsHaveContentOrWords(page: Page): Promise<void> {
  const cards = await page.locator('[data-test^=chart-]:not([data-test=chart-empty])').all();
  expect(cards.length).toBe(6);
  for (const card of cards) {
    const drawn = await card.locator('canvas').count();
    const empty = card.locator('[data-test=chart-empty]');
    const words = (await empty.count()) > 0 ? ((await empty.textContent()) ?? '') : '';
    expect(drawn > 0 || /没有/.test(words), (await card.getAttribute('data-test')) ?? '').toBe(true);
  }
}

beforeAll(async () => {
  server = await startServer({ persons: 3000 });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('街道经办人（控江路街道）', () => {
  let page: Page;
  beforeAll(async () => {
    page = await signIn('caseworker');
  });

  it('首页：常住与本市户籍分开统计，各居委会人口，空图有文字，网页图标存在', async () => {
    await page.goto(`${server.baseUrl}/dashboard`);
    await page.locator('[data-test=stat-persons]').waitFor();
    const number = async (test: string) =>
      Number(((await page.textContent(`[data-test=${test}] .el-statistic__number`)) ?? '').replace(/,/g, ''));
    await expect.poll(() => number('stat-persons')).toBeGreaterThan(0);
    const persons = await number('stat-persons');
    const hukou = await number('stat-hukou');
    expect(hukou).toBeGreaterThan(0);
    expect(hukou).toBeLessThan(persons);
    expect(await page.textContent('[data-test=stat-persons]')).toContain('常住人口');
    expect(await page.textContent('[data-test=chart-area]')).toContain('各居委会常住人口');
    await chartsHaveContentOrWords(page);
    await tallScreenshot(page, 'p-01-dashboard-caseworker');

    const icon = await page.getAttribute('link[rel=icon]', 'href');
    expect(icon).toBe('/favicon.svg');
    const svg = await page.request.get(`${server.baseUrl}/favicon.svg`);
    expect(svg.status()).toBe(200);
    expect(svg.headers()['content-type']).toContain('image/svg+xml');
    expect((await page.request.get(`${server.baseUrl}/favicon.ico`)).status()).toBe(200);
    expect(missing).toEqual([]);
  });

  it('人员详情：户籍地、居住地、民族、婚姻状况都是名称，不是代码', async () => {
    const migrant = await migrantOfKongjiang();
    await page.goto(`${server.baseUrl}/persons/${migrant.personId}`);
    const detail = page.locator('[data-test=person-detail]');
    await detail.waitFor();
    const text = (await detail.textContent()) ?? '';
    expect(text).toContain(placeName(migrant.hukou));
    expect(text).toContain('外省市户籍');
    expect(text).toContain('控江路街道');
    expect(text).toMatch(/民族\s*\S+族/);
    expect(text).toMatch(/婚姻状况\s*(未婚|已婚|丧偶|离婚|初婚|再婚|复婚)/);
    // No bare division code where a name belongs (the masked ID number and the 户编号 have their own shapes).
    expect(text).not.toMatch(/(?<![\d*A-Z])\d{6}(?:\d{3}|\d{6})?(?![\d*A-Z])/);
    expect(text).not.toMatch(UUID);
    await screenshot(page, 'p-02-person-detail');

    await page.goto(`${server.baseUrl}/households/${migrant.householdId}`);
    const members = page.locator('[data-test=member-table]');
    await members.locator('tbody tr').first().waitFor();
    const table = (await members.textContent()) ?? '';
    expect(table).toContain('户主');
    expect(table).not.toMatch(/户主（02）/);
    expect(table).toContain(placeName(migrant.hukou));
    await screenshot(page, 'p-03-household-detail');
  });

  it('政策计算器（登记家庭户）：先列符合的项目与金额、理由，不符合的折叠；成员以姓名称呼', async () => {
    await page.goto(`${server.baseUrl}/households/${await elderlyHouseholdOfKongjiang()}`);
    await page.click('[data-test=calculate-household]');
    await page.waitForURL(/\/calculator\?household=/);
    const results = page.locator('[data-test=calc-results]');
    await results.waitFor();
    await page.locator('[data-test=calc-eligible] tbody tr', { hasText: '老年综合津贴' }).waitFor();
    const text = (await results.textContent()) ?? '';
    expect(text).toMatch(/（户主）[^：]*：本市户籍老年人/);
    expect(text).toContain('符合的项目');
    expect(text).toMatch(/不符合的项目（\d+ 项）/);
    expect(text).not.toMatch(UUID);
    // Folded: the ineligible programs are listed but not shown until opened.
    const folded = page.locator('[data-test=calc-ineligible] .el-collapse-item__wrap');
    expect(await folded.isVisible()).toBe(false);
    await page.click('[data-test=calc-ineligible] .el-collapse-item__header');
    await expect.poll(() => folded.isVisible()).toBe(true);
    const reasons = (await folded.textContent()) ?? '';
    expect(reasons).toContain('不符合的原因');
    expect(reasons).not.toMatch(UUID);
    await tallScreenshot(page, 'p-04-calculator-registered');
  });

  it('政策计算器（手工录入）：成员有姓名；录入有误时清除旧结果并在字段旁提示', async () => {
    await page.goto(`${server.baseUrl}/calculator`);
    await page.click('[data-test=mode-manual]');
    await page.fill('[data-test=member-editor] .member-name input', '王阿姨');
    const birth = page.locator('[data-test=member-editor] .birth-date input').first();
    await birth.fill('1950-06-01');
    await birth.press('Enter');
    await page.click('[data-test=calc-run]');
    const eligible = page.locator('[data-test=calc-eligible] tbody tr', { hasText: '老年综合津贴' });
    await eligible.waitFor();
    expect(await eligible.textContent()).toContain('王阿姨');
    const results = (await page.textContent('[data-test=calc-results]')) ?? '';
    expect(results).not.toMatch(/\bm1\b/);
    await tallScreenshot(page, 'p-05-calculator-manual');

    // Editing the input takes the old answer off the screen.
    await page.fill('[data-test=member-editor] .wage input', 'abc');
    await expect.poll(() => page.locator('[data-test=calc-results]').count()).toBe(0);
    await page.click('[data-test=calc-run]');
    const fieldError = page.locator('[data-test=member-editor] [data-test=field-error]');
    await expect.poll(() => fieldError.textContent()).toContain('王阿姨月工资：“abc”不是有效金额');
    expect(await page.locator('[data-test=calc-results]').count()).toBe(0);
    expect(await page.textContent('[data-test=calc-errors]')).toContain('请修改以下内容');
    await screenshot(page, 'p-06-calculator-invalid');
  });
});

describe('居委会助理员', () => {
  it('首页：本居委会按家庭户规模分，不是只有一根柱子', async () => {
    const page = await signIn('committee');
    await page.goto(`${server.baseUrl}/dashboard`);
    await page.locator('[data-test=stat-persons]').waitFor();
    await expect.poll(() => page.textContent('[data-test=chart-area]')).toContain('家庭户规模');
    await chartsHaveContentOrWords(page);
    await tallScreenshot(page, 'p-07-dashboard-committee');
  });
});

describe('财务人员', () => {
  it('政策计算器直接打开手工录入（财务无权查看登记家庭户），没有 403', async () => {
    const page = await signIn('finance');
    const forbidden: string[] = [];
    page.on('response', (response) => {
      if (response.status() === 403) forbidden.push(response.url());
    });
    await page.goto(`${server.baseUrl}/calculator`);
    await page.locator('[data-test=member-editor]').waitFor();
    expect(await page.locator('[data-test=mode-registered]').count()).toBe(0);
    const birth = page.locator('[data-test=member-editor] .birth-date input').first();
    await birth.fill('1948-02-01');
    await birth.press('Enter');
    await page.click('[data-test=calc-run]');
    await page.locator('[data-test=calc-results]').waitFor();
    expect(await page.textContent('[data-test=calc-results]')).toContain('第1名成员');
    expect(forbidden).toEqual([]);
    expect(await page.locator('.el-message--error').count()).toBe(0);
    await screenshot(page, 'p-08-calculator-finance');

    await page.goto(`${server.baseUrl}/dashboard`);
    await page.locator('[data-test=stat-persons]').waitFor();
    await expect.poll(() => page.textContent('[data-test=chart-area]')).toContain('各街道常住人口');
    await tallScreenshot(page, 'p-09-dashboard-finance');
    expect(missing).toEqual([]);
  });
});
