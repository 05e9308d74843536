import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * The documents' typeface: Noto Sans SC (思源黑体's Google Fonts build, SIL Open Font License 1.1), as
 * TrueType files from the npm package @expo-google-fonts/noto-sans-sc, so that a fresh `npm ci` is all a
 * machine needs (no system fonts). Its 400 and 700 weights cover the 20,976 basic CJK ideographs and 220
 * of extension B and beyond (rare name characters such as 堃 喆 犇 龑 䶮 𬌗). pdfkit embeds only the glyphs
 * a document uses (a subset per document), so a one-page notice is some 20–40 KB, not the 10 MB of the file.
 *
 * TrueType (glyf) rather than the CFF OpenType of other packages: pdfkit subsets it in a few milliseconds;
 * a CFF CJK font took about 260 ms and 100 KB for the same page.
 */
export const FONT_PACKAGE = '@expo-google-fonts/noto-sans-sc';
const FILES = {
  regular: `${FONT_PACKAGE}/400Regular/NotoSansSC_400Regular.ttf`,
  bold: `${FONT_PACKAGE}/700Bold/NotoSansSC_700Bold.ttf`,
} as const;

export interface DocumentFonts {
  regular: Buffer;
  bold: Buffer;
}

let loaded: DocumentFonts | undefined;

/** The two weights, read once per process (about 21 MB held for the life of the server). */
export function documentFonts(): DocumentFonts {
  if (!loaded) {
    const require = createRequire(import.meta.url);
    const read = (file: string) => {
      try {
        return readFileSync(require.resolve(file));
      } catch (cause) {
        throw new Error(`打印字体缺失：请运行 npm ci 安装 ${FONT_PACKAGE}（${file}）`, { cause });
      }
    };
    loaded = { regular: read(FILES.regular), bold: read(FILES.bold) };
  }
  return loaded;
}
