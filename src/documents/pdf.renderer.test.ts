import { describe, expect, it } from 'vitest';
import { fields, heading, paragraphs, signatures, table, type PrintDocument } from './document.ts';
import { inspectPdf } from './pdf-inspect.test-helpers.ts';
import { pdfDefinition, renderPdf } from './pdf.renderer.ts';

const notice = (extra: PrintDocument['blocks'] = []): PrintDocument => ({
  kind: 'test.notice',
  issuer: '上海市杨浦区民政局',
  title: '测试通知书',
  subtitle: '编号：KJ-0001',
  blocks: [
    heading('一、基本情况'),
    fields(2, [
      { label: '户主', value: '张堃' },
      { label: '街道', value: '控江路街道' },
      { label: '住址', value: '控江路1000弄12号301室', span: true },
    ]),
    table(
      [{ header: '姓名' }, { header: '与户主关系' }, { header: '金额', align: 'right' }],
      [
        ['李喆', '配偶', '1650.00元'],
        ['龑𬌗', '子', '0.00元'],
      ],
    ),
    paragraphs(['本通知书仅供测试。'], { style: 'warning' }),
    signatures([{ label: '经办人' }, { label: '日期', value: '2026年5月6日' }]),
    ...extra,
  ],
  footer: '打印日期：2026年5月6日',
  fileName: '测试通知书',
});

describe('PDF renderer', () => {
  it('renders an A4 PDF with the Chinese text, the font embedded as a subset, tens of KB', async () => {
    const pdf = await renderPdf(notice());
    const read = inspectPdf(pdf);
    expect(read.header).toBe('%PDF-1.3');
    expect(pdf.subarray(-6).toString('latin1')).toContain('%%EOF');
    expect(read.pages).toHaveLength(1);
    const [page] = read.pages;
    for (const text of [
      '上海市杨浦区民政局',
      '测试通知书',
      '控江路1000弄12号301室',
      '李喆配偶1650.00元',
      // Outside GB 2312 and outside the Basic Multilingual Plane: still in the font, still readable.
      '龑𬌗',
      '本通知书仅供测试。',
      '第 1 页 / 共 1 页',
    ]) {
      expect(page, text).toContain(text);
    }
    expect(page).not.toContain('\ufffd');
    expect(read.fonts.length).toBeGreaterThan(0);
    for (const font of read.fonts) {
      expect(font.baseFont).toMatch(/^[A-Z]{6}\+NotoSansSC-(Regular|Bold)$/);
      expect(font.subset).toBe(true);
      expect(font.embedded).toBe(true);
      // A subset of a few dozen glyphs, not the 10 MB font.
      expect(font.programBytes).toBeLessThan(60_000);
    }
    expect(pdf.length).toBeGreaterThan(5_000);
    expect(pdf.length).toBeLessThan(100_000);
    expect(read.info).toMatchObject({ Title: '测试通知书', Author: '上海市杨浦区民政局' });
  });

  it('numbers the pages of a long document and repeats the issuer on each', async () => {
    const rows = Array.from({ length: 90 }, (_, i) => [`成员${i + 1}`, '子', `${i}.00元`]);
    const pdf = await renderPdf(
      notice([table([{ header: '姓名' }, { header: '关系' }, { header: '金额' }], rows)]),
    );
    const { pages } = inspectPdf(pdf);
    expect(pages.length).toBeGreaterThan(1);
    pages.forEach((page, i) => {
      expect(page).toContain(`第 ${i + 1} 页 / 共 ${pages.length} 页`);
      expect(page).toContain('上海市杨浦区民政局');
    });
    expect(pages.join('')).toContain('成员90');
  });

  it('prints the empty text of a table without rows, and a watermark when asked', async () => {
    const doc = {
      ...notice([table([{ header: '项目' }, { header: '金额' }], [], { empty: '（没有记录）' })]),
    };
    const { pages } = inspectPdf(await renderPdf({ ...doc, watermark: '测算' }));
    expect(pages[0]).toContain('（没有记录）');
    expect(pages[0]).toContain('测算');
    expect(pdfDefinition(doc).watermark).toBeUndefined();
  });

  it('lays every field grid out in full rows: a short row and a spanning field fill the width', () => {
    const definition = pdfDefinition({
      ...notice(),
      blocks: [
        fields(2, [
          { label: 'a', value: '1' },
          { label: 'b', value: '2' },
          { label: 'c', value: '3' },
          { label: 'd', value: '4', span: true },
          { label: 'e', value: '5' },
        ]),
      ],
    });
    const content = definition.content as { table?: { body: unknown[][] } }[];
    const body = content.find((c) => c.table)?.table?.body ?? [];
    expect(body).toHaveLength(4);
    for (const row of body) expect(row).toHaveLength(4);
    expect(body[1]?.[1]).toMatchObject({ text: '3', colSpan: 3 });
    expect(body[2]?.[1]).toMatchObject({ text: '4', colSpan: 3 });
  });
});
