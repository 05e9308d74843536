import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkContent, sniffFile, typeOfName } from './content-type.ts';
import { FilesError } from './files.errors.ts';
import { docxBytes, jpegBytes, ofdBytes, pdfBytes, pngBytes, xlsxBytes, zipBytes } from './files.fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'mz-sniff-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function onDisk(bytes: Buffer): { path: string; size: number } {
  const path = join(dir, `f${n++}`);
  writeFileSync(path, bytes);
  return { path, size: bytes.length };
}

async function refusal(bytes: Buffer, name: string): Promise<FilesError> {
  const file = onDisk(bytes);
  try {
    await checkContent(file.path, file.size, name);
  } catch (error) {
    if (error instanceof FilesError) return error;
    throw error;
  }
  throw new Error(`${name} was accepted`);
}

describe('content types by their bytes', () => {
  it.each([
    ['申请书.pdf', pdfBytes(), 'pdf'],
    ['身份证.JPG', jpegBytes(), 'jpeg'],
    ['身份证.jpeg', jpegBytes(), 'jpeg'],
    ['户口簿.png', pngBytes(), 'png'],
    ['电子证照.ofd', ofdBytes(), 'ofd'],
    ['情况说明.docx', docxBytes(), 'docx'],
    ['收入明细.xlsx', xlsxBytes(), 'xlsx'],
  ] as const)('accepts %s', async (name, bytes, type) => {
    const file = onDisk(bytes);
    expect(await checkContent(file.path, file.size, name)).toBe(type);
  });

  it('refuses content that is not what the name says, naming both', async () => {
    const png = await refusal(pngBytes(), '收入证明.pdf');
    expect(png.code).toBe('content_mismatch');
    expect(png.message).toBe(
      '文件「收入证明.pdf」的内容与文件名不符：文件名表明是PDF 文档，实际内容是PNG 图片。请确认文件没有被改名或损坏后重新上传',
    );
    expect((await refusal(docxBytes(), '表.xlsx')).message).toContain('实际内容是Word 文档（.docx）');
    expect((await refusal(Buffer.from('just text'), 'a.pdf')).message).toContain('实际内容是无法识别的内容');
    expect((await refusal(Buffer.from('MZ\x90\x00', 'latin1'), '照片.jpg')).message).toContain(
      'Windows 可执行程序',
    );
    expect((await refusal(zipBytes({ 'a.txt': 'x' }), '说明.docx')).message).toContain(
      '实际内容是ZIP 压缩包',
    );
    const broken = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(40)]);
    expect((await refusal(broken, '说明.docx')).message).toContain('已损坏、加密或不完整的 ZIP 文件');
  });

  it('refuses names without an accepted extension and empty files', async () => {
    expect(() => typeOfName('setup.exe')).toThrow(
      '不支持「.exe」类型的文件：只能上传PDF、JPEG、PNG、OFD、Word（.docx）、Excel（.xlsx）文件',
    );
    expect(() => typeOfName('身份证')).toThrow('没有扩展名');
    expect(() => typeOfName('.pdf')).toThrow('没有扩展名');
    const empty = await refusal(Buffer.alloc(0), '空.pdf');
    expect(empty.code).toBe('invalid');
    expect(empty.message).toBe('文件「空.pdf」是空文件');
  });

  it('sniffs files shorter than any signature without failing', async () => {
    const file = onDisk(Buffer.from([0xff]));
    expect(await sniffFile(file.path, file.size)).toEqual({ unknown: true });
  });
});
