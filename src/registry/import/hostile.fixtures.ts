/**
 * Hostile spreadsheets for the import tests and the hostile-upload benchmark, built byte by byte so that
 * a test can make a zip lie about its sizes: a tiny workbook whose one shared string inflates to 50 MB,
 * a sheet of hundreds of thousands of rows, an entry whose inflated size exceeds what the central
 * directory declares. Nothing here is used by the application.
 */
import { deflateRawSync } from 'node:zlib';
import { HEADERS } from './columns.ts';

export interface ZipEntrySpec {
  name: string;
  data: Buffer | string;
  /** The uncompressed size written into the headers; the true size when left out. */
  declaredSize?: number;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** A zip archive (deflate, UTF-8 names, no data descriptors) with the given entries in order. */
export function zipArchive(entries: readonly ZipEntrySpec[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const raw = typeof entry.data === 'string' ? Buffer.from(entry.data, 'utf8') : entry.data;
    const compressed = deflateRawSync(raw, { level: 9 });
    const name = Buffer.from(entry.name, 'utf8');
    const crc = crc32(raw);
    const size = entry.declaredSize ?? raw.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, compressed);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // version made by
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + compressed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const xmlEscape = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/** A1-style column letters for a 0-based index. */
function columnName(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  }
  return name;
}

/** A cell: text as an inline string, or `{ shared: n }` for shared string n. */
export type HostileCell = string | { shared: number };

function cellXml(cell: HostileCell, ref: string): string {
  if (typeof cell === 'string') {
    return cell === '' ? '' : `<c r="${ref}" t="inlineStr"><is><t>${xmlEscape(cell)}</t></is></c>`;
  }
  return `<c r="${ref}" t="s"><v>${cell.shared}</v></c>`;
}

export function rowXml(rowNumber: number, cells: readonly HostileCell[]): string {
  return `<row r="${rowNumber}">${cells.map((cell, i) => cellXml(cell, `${columnName(i)}${rowNumber}`)).join('')}</row>`;
}

const WORKBOOK =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
  '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ' +
  'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">' +
  '<sheets><sheet name="户籍台账" sheetId="1" r:id="rId1"/></sheets></workbook>';

const WORKBOOK_RELS =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
  '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
  '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>' +
  '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>' +
  '</Relationships>';

const CONTENT_TYPES =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
  '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
  '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
  '<Default Extension="xml" ContentType="application/xml"/>' +
  '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
  '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' +
  '</Types>';

export interface HostileWorkbook {
  /** Sheet XML rows (from rowXml); the header row is not added automatically. */
  rows: Iterable<string>;
  sharedStrings?: readonly string[];
  /** Declared uncompressed size of the sheet entry (a lie when smaller than the truth). */
  sheetDeclaredSize?: number;
}

/** An .xlsx with one worksheet, laid out as Excel writes it (shared strings before the sheet here). */
export function hostileXlsx(book: HostileWorkbook): Buffer {
  const sheet = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${[...book.rows].join('')}</sheetData></worksheet>`;
  const entries: ZipEntrySpec[] = [
    { name: '[Content_Types].xml', data: CONTENT_TYPES },
    { name: 'xl/workbook.xml', data: WORKBOOK },
    { name: 'xl/_rels/workbook.xml.rels', data: WORKBOOK_RELS },
  ];
  if (book.sharedStrings) {
    const items = book.sharedStrings.map((s) => `<si><t>${xmlEscape(s)}</t></si>`).join('');
    entries.push({
      name: 'xl/sharedStrings.xml',
      data: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="${book.sharedStrings.length}" uniqueCount="${book.sharedStrings.length}">${items}</sst>`,
    });
  }
  entries.push({
    name: 'xl/worksheets/sheet1.xml',
    data: sheet,
    ...(book.sheetDeclaredSize === undefined ? {} : { declaredSize: book.sheetDeclaredSize }),
  });
  return zipArchive(entries);
}

/** The roster header row as sheet XML (row 1). */
export const headerRowXml = (): string => rowXml(1, HEADERS);

/** Cells of a data row in template order, from values by header; blanks elsewhere. */
export function rosterCells(values: Readonly<Record<string, HostileCell>>): HostileCell[] {
  return HEADERS.map((header) => values[header] ?? '');
}

/**
 * The tester's amplification workbook: about 60 KB on disk; shared string 0 is `megabytes` MB of one
 * letter and is the 姓名 and 地址 of two otherwise ordinary rows.
 */
export function sharedStringBomb(megabytes: number, idNumbers: readonly [string, string]): Buffer {
  const huge = 'A'.repeat(megabytes * 1024 * 1024);
  const rows = [headerRowXml()];
  idNumbers.forEach((idNumber, i) => {
    rows.push(
      rowXml(
        i + 2,
        rosterCells({
          户编号: `BOMB-${i}`,
          与户主关系: '户主',
          姓名: { shared: 0 },
          身份证号: idNumber,
          户籍地区划代码: '310110001001',
          居住地居委会代码: '310110001001',
          地址: { shared: 0 },
        }),
      ),
    );
  });
  return hostileXlsx({ rows, sharedStrings: [huge] });
}

/** `count` data rows, each with only a (wrong) 户编号: every row fails several checks. */
export function* manyBadRows(count: number): Generator<string> {
  yield headerRowXml();
  for (let i = 0; i < count; i++) yield rowXml(i + 2, ['?']);
}
