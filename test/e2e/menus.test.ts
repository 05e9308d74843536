import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { menusOf, type Role } from '../../src/auth/roles.ts';
import { launchBrowser, newPage, SCREENSHOTS, screenshot } from './support/browser.ts';
import { startServer, type RunningServer } from './support/server.ts';

/**
 * The side menu is the server's: for three roles the console shows exactly the entries /api/auth/me sends
 * (src/auth declarations), titles in Chinese, in order, and a page whose menu the role lacks sends it to
 * its first entry. The parameters page shows district values beside the city's. Screenshots of the side
 * menus and the page go to artifacts/e2e/.
 */
let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  server = await startServer({ persons: 500 });
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

async function sideMenu(page: Page): Promise<{ id: string | null; title: string }[]> {
  const items = await page.locator('.aside [data-menu]').all();
  return Promise.all(
    items.map(async (item) => ({
      id: await item.getAttribute('data-menu'),
      title: ((await item.textContent()) ?? '').trim(),
    })),
  );
}

describe('侧边菜单来自服务器（按角色）', () => {
  const roles: [string, Role][] = [
    ['caseworker', 'street_caseworker'],
    ['finance', 'finance_officer'],
    ['auditor', 'auditor'],
  ];

  it.each(roles)('%s：菜单与服务器声明一致（编号、中文名称、顺序）', async (username, role) => {
    const page = await loginAs(username);
    const expected = menusOf(role).map(({ id, title }) => ({ id, title }));
    await expect.poll(() => sideMenu(page)).toEqual(expected);
    // Lands on the first entry of its menu.
    expect(new URL(page.url()).pathname).toBe(menusOf(role)[0]?.path);
    await page.locator('.aside').screenshot({ path: `${SCREENSHOTS}/menus-${username}.png` });
    await page.close();
  });

  it('财务人员打开没有菜单的页面时回到本人首个菜单；点击菜单进入对应页面', async () => {
    const page = await loginAs('finance');
    await page.goto(`${server.baseUrl}/persons`);
    await page.waitForURL(/\/dashboard$/);
    await page.click('.aside [data-menu=parameters]');
    await page.waitForURL(/\/parameters$/);
    await expect
      .poll(() => page.getAttribute('.aside [data-menu=parameters]', 'class'))
      .toContain('is-active');
    await page.close();
  });
});

describe('政策参数：区级取值', () => {
  it('有区级取值的参数在全市取值旁列出各区的现行值与生效日期，展开后各区取值另列', async () => {
    const page = await loginAs('caseworker');
    // The shipped parameter files set no district values yet: the page is shown the API's answer with
    // districts added to one parameter (the server's side is tested in parameters.presenter.test.ts).
    await page.route('**/api/policy/parameters*', async (route) => {
      const response = await route.fetch();
      const body = (await response.json()) as { name: string; districts?: unknown }[];
      const standard = body.find((p) => p.name === 'dibao.standard');
      if (standard) {
        standard.districts = [
          {
            code: '310107',
            name: '普陀区',
            values: [{ from: '2025-07-01', value: 170000, status: 'found', source: '普陀区民政局文件' }],
            current: {
              from: '2025-07-01',
              value: 170000,
              status: 'found',
              source: '普陀区民政局文件',
              month: '2026-03',
            },
          },
          {
            code: '310115',
            name: '浦东新区',
            values: [{ from: '2026-07-01', value: 175000, status: 'unverified', source: '浦东新区文件' }],
            current: null,
          },
        ];
      }
      await route.fulfill({ response, json: body });
    });
    await page.goto(`${server.baseUrl}/parameters?month=2026-03`);
    const row = page
      .locator('[data-test=parameter-table] > .el-table__inner-wrapper > .el-table__body-wrapper tbody tr')
      .filter({ hasText: 'dibao.standard' })
      .first();
    await row.waitFor();
    const districts = row.locator('[data-test=parameter-districts]');
    await expect.poll(() => districts.textContent()).toContain('区级取值');
    const text = (await districts.textContent()) ?? '';
    expect(text).toContain('普陀区');
    expect(text).toContain('1,700.00 元');
    expect(text).toContain('2025-07-01 起');
    expect(text).toMatch(/浦东新区\s*该月无取值/);
    expect((await row.locator('[data-test=parameter-current]').textContent()) ?? '').toContain('全市');

    await row.locator('.el-table__expand-icon').click();
    const expanded = page.locator('[data-district="310107"].value-heading');
    await expanded.waitFor();
    expect(await expanded.textContent()).toContain('普陀区取值');
    expect(await page.textContent('.el-table__expanded-cell')).toContain('普陀区民政局文件');
    await screenshot(page, 'parameters-districts');
    await page
      .locator('.el-table__expanded-cell')
      .screenshot({ path: `${SCREENSHOTS}/parameters-districts-expanded.png` });
    await page.close();
  });
});
