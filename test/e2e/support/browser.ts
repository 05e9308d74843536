import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium (scripts/ensure-system-deps.sh installs it); a browser is never downloaded. */
export const CHROMIUM = '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export const SCREENSHOTS = resolve('artifacts/e2e');

export function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `未找到 ${CHROMIUM}：请先运行 scripts/ensure-system-deps.sh（安装 chromium 与 fonts-noto-cjk）`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
}

export async function newPage(browser: Browser): Promise<Page> {
  // The bureau's staff sit in Shanghai: the browser's own "today" (date pickers) is Shanghai's, whatever the
  // test machine's zone — around midnight UTC+8 a UTC browser would pick yesterday.
  const context = await browser.newContext({
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    viewport: { width: 1440, height: 900 },
  });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  // Script errors in the console surface in the test output (they are the usual cause of a missing element).
  page.on('pageerror', (error) => process.stderr.write(`浏览器页面错误：${error.message}\n`));
  return page;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // Finish CSS transitions first (Element Plus tags zoom in), so that the picture shows the settled page.
  await page.screenshot({
    path: resolve(SCREENSHOTS, `${name}.png`),
    fullPage: true,
    animations: 'disabled',
  });
}
