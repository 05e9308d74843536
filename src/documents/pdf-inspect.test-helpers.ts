import { inflateSync } from 'node:zlib';

/**
 * Test support (not a test file): reads back what a PDF from pdf.renderer.ts holds, with no PDF library:
 * its objects, its fonts (name, subset tag, embedded or not) and its text per page, decoded through each
 * font's ToUnicode map. It reads only what pdfkit writes (unencrypted, uncompressed object table,
 * FlateDecode streams, Identity-H text shown with Tj / TJ); it is no general PDF parser.
 */

interface PdfObject {
  dict: string;
  stream: Buffer | null;
}

export interface PdfFont {
  baseFont: string;
  /** The six capital letters and + of a subset font's name (ISO 32000 9.6.4). */
  subset: boolean;
  /** A FontFile2 (TrueType) stream is in the file. */
  embedded: boolean;
  /** Bytes of the embedded font program (compressed as stored). */
  programBytes: number;
}

export interface PdfInspection {
  header: string;
  pages: string[];
  fonts: PdfFont[];
  info: Record<string, string>;
}

/** The end of the dictionary that opens at `from` (`<<`), nested dictionaries included. */
function dictEnd(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length - 1; i++) {
    if (text[i] === '<' && text[i + 1] === '<') {
      depth += 1;
      i += 1;
    } else if (text[i] === '>' && text[i + 1] === '>') {
      depth -= 1;
      i += 1;
      if (depth === 0) return i + 1;
    }
  }
  return text.length;
}

/** Every `N 0 obj`, its dictionary and its stream (read by /Length, so binary data can say anything). */
function objectsOf(pdf: Buffer): Map<number, PdfObject> {
  const text = pdf.toString('latin1');
  const objects = new Map<number, PdfObject>();
  const start = /(\d+) 0 obj\s*/g;
  for (let m = start.exec(text); m; m = start.exec(text)) {
    const at = m.index + m[0].length;
    if (!text.startsWith('<<', at)) {
      const close = text.indexOf('endobj', at);
      objects.set(Number(m[1]), { dict: text.slice(at, close), stream: null });
      continue;
    }
    const end = dictEnd(text, at);
    const dict = text.slice(at, end);
    const streamAt = /^\s*stream\r?\n/.exec(text.slice(end, end + 20));
    if (!streamAt) {
      objects.set(Number(m[1]), { dict, stream: null });
      continue;
    }
    const length = Number(/\/Length\s+(\d+)(?!\s+0\s+R)/.exec(dict)?.[1] ?? NaN);
    if (!Number.isFinite(length)) throw new Error(`object ${m[1]}: no direct /Length`);
    const dataAt = end + streamAt[0].length;
    const bytes = pdf.subarray(dataAt, dataAt + length);
    objects.set(Number(m[1]), { dict, stream: /\/FlateDecode/.test(dict) ? inflateSync(bytes) : bytes });
    start.lastIndex = dataAt + length;
  }
  return objects;
}

const ref = (dict: string, key: string): number | null => {
  const m = new RegExp(`/${key}\\s+(\\d+) 0 R`).exec(dict);
  return m ? Number(m[1]) : null;
};

/** A ToUnicode CMap (bfrange with arrays or a start value, bfchar) as code → text. */
function toUnicode(cmap: string): Map<number, string> {
  const map = new Map<number, string>();
  const utf16 = (spaced: string) => {
    // A character outside the BMP is a surrogate pair, written <d870 df17>.
    const hex = spaced.replace(/\s+/g, '');
    const units: number[] = [];
    for (let i = 0; i < hex.length; i += 4) units.push(parseInt(hex.slice(i, i + 4), 16));
    return String.fromCharCode(...units);
  };
  for (const section of cmap.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    const lines = section[1] ?? '';
    for (const m of lines.matchAll(/<([0-9a-f]+)>\s*<([0-9a-f]+)>\s*(\[[^\]]*\]|<[0-9a-f\s]+>)/gi)) {
      const from = parseInt(m[1] ?? '0', 16);
      const to = parseInt(m[2] ?? '0', 16);
      const target = m[3] ?? '';
      if (target.startsWith('[')) {
        const values = [...target.matchAll(/<([0-9a-f\s]+)>/gi)].map((v) => v[1] ?? '');
        values.forEach((hex, i) => map.set(from + i, utf16(hex)));
      } else {
        const start = parseInt(target.slice(1, -1).replace(/\s+/g, ''), 16);
        for (let code = from; code <= to; code++) map.set(code, String.fromCharCode(start + code - from));
      }
    }
  }
  for (const section of cmap.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
    for (const m of (section[1] ?? '').matchAll(/<([0-9a-f]+)>\s*<([0-9a-f\s]+)>/gi)) {
      map.set(parseInt(m[1] ?? '0', 16), utf16(m[2] ?? ''));
    }
  }
  return map;
}

export function inspectPdf(pdf: Buffer): PdfInspection {
  const objects = objectsOf(pdf);
  const fonts: PdfFont[] = [];
  const unicodeOf = new Map<number, Map<number, string>>();
  for (const [id, object] of objects) {
    if (!/\/Type\s*\/Font\b/.test(object.dict) || !/\/Subtype\s*\/Type0/.test(object.dict)) continue;
    const baseFont = /\/BaseFont\s*\/([^\s/>]+)/.exec(object.dict)?.[1] ?? '';
    const descendant = Number(/\/DescendantFonts\s*\[\s*(\d+) 0 R/.exec(object.dict)?.[1] ?? -1);
    const descriptor = ref(objects.get(descendant)?.dict ?? '', 'FontDescriptor');
    const file = descriptor === null ? null : ref(objects.get(descriptor)?.dict ?? '', 'FontFile2');
    const program = file === null ? undefined : objects.get(file);
    const stored = program ? Number(/\/Length\s+(\d+)/.exec(program.dict)?.[1] ?? 0) : 0;
    fonts.push({
      baseFont,
      subset: /^[A-Z]{6}\+/.test(baseFont),
      embedded: program !== undefined,
      programBytes: stored,
    });
    const cmapId = ref(object.dict, 'ToUnicode');
    const cmap = cmapId === null ? undefined : objects.get(cmapId)?.stream;
    if (cmap) unicodeOf.set(id, toUnicode(cmap.toString('latin1')));
  }

  const pages: string[] = [];
  for (const object of objects.values()) {
    if (!/\/Type\s*\/Page\b/.test(object.dict)) continue;
    const resourcesId = ref(object.dict, 'Resources');
    const resources = resourcesId === null ? object.dict : (objects.get(resourcesId)?.dict ?? '');
    const fontNames = new Map<string, number>();
    const fontDict = /\/Font\s*<<([\s\S]*?)>>/.exec(resources)?.[1] ?? '';
    for (const m of fontDict.matchAll(/\/(\S+)\s+(\d+) 0 R/g)) fontNames.set(m[1] ?? '', Number(m[2]));
    const contentId = ref(object.dict, 'Contents');
    const content = contentId === null ? '' : (objects.get(contentId)?.stream?.toString('latin1') ?? '');
    let map: Map<number, string> | undefined;
    let text = '';
    const ops = /\/(\S+)\s+[\d.]+\s+Tf|\[([^\]]*)\]\s*TJ|<([0-9a-fA-F]*)>\s*Tj/g;
    for (const m of content.matchAll(ops)) {
      if (m[1] !== undefined) {
        map = unicodeOf.get(fontNames.get(m[1]) ?? -1);
        continue;
      }
      const hexes =
        m[2] !== undefined ? [...m[2].matchAll(/<([0-9a-fA-F]*)>/g)].map((h) => h[1] ?? '') : [m[3] ?? ''];
      for (const hex of hexes) {
        for (let i = 0; i + 4 <= hex.length; i += 4)
          text += map?.get(parseInt(hex.slice(i, i + 4), 16)) ?? '\ufffd';
      }
    }
    pages.push(text);
  }

  const info: Record<string, string> = {};
  const trailerInfo = /\/Info\s+(\d+) 0 R/.exec(pdf.toString('latin1'))?.[1];
  const infoDict = trailerInfo ? (objects.get(Number(trailerInfo))?.dict ?? '') : '';
  for (const m of infoDict.matchAll(/\/(\w+)\s+(\d+) 0 R/g)) {
    const raw = /\(([\s\S]*)\)/.exec(objects.get(Number(m[2]))?.dict ?? '')?.[1] ?? '';
    info[m[1] ?? ''] = pdfString(raw);
  }
  return { header: pdf.subarray(0, 8).toString('latin1'), pages, fonts, info };
}

/** A literal string as pdfkit writes it: UTF-16BE with a byte-order mark, or PDFDocEncoding. */
function pdfString(raw: string): string {
  const bytes = Buffer.from(
    raw.replace(/\\([nrtbf()\\]|[0-7]{1,3})/g, (_, e: string) => {
      const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' };
      if (simple[e]) return simple[e];
      if (/^[0-7]+$/.test(e)) return String.fromCharCode(parseInt(e, 8));
      return e;
    }),
    'latin1',
  );
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return bytes.subarray(2).swap16().toString('utf16le');
  return bytes.toString('latin1');
}
