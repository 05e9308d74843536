import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pdfBytes, pngBytes } from '../../src/files/files.fixtures.ts';
import { apiLogin } from './support/api.ts';
import { launchBrowser, newPage, screenshot } from './support/browser.ts';
import { startServer, type RunningServer } from './support/server.ts';

/**
 * 附件材料 on the household page, as the 控江路街道 caseworker uses it: upload a PDF with its kind, see it
 * listed with its size and uploader, download it, be refused a picture named .pdf with the server's reason,
 * remove one with a reason and find it again under 显示已移除. Screenshots in artifacts/e2e/attachments-*.png.
 */
let server: RunningServer;
let browser: Browser;
let page: Page;
let householdId: string;

const table = async () => (await page.textContent('[data-test=attachment-table]')) ?? '';

async function chooseKind(name: string): Promise<void> {
  await page.click('[data-test=attachment-kind]');
  await page.locator('.el-select-dropdown__item', { hasText: name }).first().click();
}

async function pickFile(name: string, buffer: Buffer, mimeType: string): Promise<void> {
  await page.setInputFiles('[data-test=attachment-upload] input[type=file]', { name, mimeType, buffer });
}

beforeAll(async () => {
  server = await startServer({ persons: 300 });
  const account = server.accounts.get('caseworker');
  if (!account) throw new Error('first start did not create caseworker');
  const agent = await apiLogin(server.baseUrl, 'caseworker', account.password);
  const page1 = await agent.get<{ items: { id: string }[] }>('/api/households?limit=1');
  householdId = page1.items[0]?.id ?? '';
  browser = await launchBrowser();
  page = await newPage(browser);
  await page.goto(`${server.baseUrl}/login`);
  await page.fill('input[name=username]', 'caseworker');
  await page.fill('input[name=password]', account.password);
  await page.click('[data-test=login-submit]');
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('附件材料（家庭户详情页，街道经办人）', () => {
  it('上传 PDF 并在列表中显示类型、大小、上传人；可下载', async () => {
    await page.goto(`${server.baseUrl}/households/${householdId}`);
    await page.locator('[data-test=attachments]').waitFor();
    expect(await table()).toContain('暂无附件');
    await chooseKind('收入证明');
    const content = Buffer.concat([pdfBytes('e2e'), Buffer.alloc(3000, 0x20)]);
    await pickFile('2024年收入证明.pdf', content, 'application/pdf');
    await page.click('[data-test=attachment-submit]');
    await expect.poll(table).toContain('2024年收入证明.pdf');
    const text = await table();
    expect(text).toContain('收入证明');
    expect(text).toContain('PDF 文档');
    expect(text).toContain(`${(content.length / 1024).toFixed(1)} KB`);
    await screenshot(page, 'attachments-1-uploaded');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-test=attachment-table] button', { hasText: '下载' }).first().click(),
    ]);
    expect(download.suggestedFilename()).toBe('2024年收入证明.pdf');
  });

  it('内容与文件名不符的文件被拒绝，显示服务器给出的原因', async () => {
    await chooseKind('授权书');
    await pickFile('授权书.pdf', pngBytes(5), 'application/pdf');
    await page.click('[data-test=attachment-submit]');
    const error = page.locator('[data-test=attachment-error]');
    await error.waitFor();
    expect(await error.textContent()).toContain('文件名表明是PDF 文档，实际内容是PNG 图片');
    await screenshot(page, 'attachments-2-mismatch');
    expect(await table()).not.toContain('授权书.pdf');
  });

  it('填写原因后移除；移除的附件在“显示已移除”中仍可见', async () => {
    await page.locator('[data-test=attachment-table] button', { hasText: '移除' }).first().click();
    await page.click('[data-test=attachment-remove-confirm]');
    const dialog = page.locator('.el-dialog', { hasText: '移除附件' });
    await expect
      .poll(async () => (await dialog.textContent()) ?? '')
      .toContain('请填写移除原因（至少2个字）');
    await page.fill('textarea[data-test=attachment-remove-reason]', '上传错了年份');
    await page.click('[data-test=attachment-remove-confirm]');
    await expect.poll(table).toContain('暂无附件');
    await page.click('[data-test=attachments-show-removed]');
    await expect.poll(table).toContain('上传错了年份');
    expect(await table()).toContain('已移除');
    await screenshot(page, 'attachments-3-removed');
  });
});
