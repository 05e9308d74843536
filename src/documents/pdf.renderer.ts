import type PdfmakeModule from 'pdfmake';
import type { Content, CustomTableLayout, TableCell, TDocumentDefinitions } from 'pdfmake/interfaces.js';
import type { DocumentBlock, DocumentField, PrintDocument } from './document.ts';
import { documentFonts } from './fonts.ts';

/**
 * PrintDocument → A4 PDF, with pdfmake (pure JavaScript over pdfkit: no browser, no system fonts). The
 * layout is fixed here, once, for every document: issuer in the page header, title, blocks, footer text
 * and 第 N 页 / 共 M 页 on every page. Templates never see pdfmake.
 */

const FONT = 'NotoSansSC';
const GREY = '#555555';
const LINE = '#888888';
const FILL = '#f0f0f0';
/** A4 is 595.28 pt wide; the margins are 56 pt each side. */
const MARGIN = 56;
const TEXT_WIDTH = 595.28 - 2 * MARGIN;
const CELL_PADDING = 5;
const RULE = 0.5;

const REGULAR_FILE = 'NotoSansSC-Regular.ttf';
const BOLD_FILE = 'NotoSansSC-Bold.ttf';

/** pdfmake's in-memory file system (not in its type declarations). */
interface VirtualFs {
  writeFileSync(name: string, content: Buffer): void;
}

type Pdfmake = typeof PdfmakeModule;
let loading: Promise<Pdfmake> | undefined;

/**
 * pdfmake, loaded on the first document (it and its font engine take a few hundred ms to load: the server
 * does not pay for them at start) and configured once for the process: fonts are in-memory files, and it
 * may read neither local files nor URLs (a document's text can never make the server fetch anything).
 */
function loadPdfmake(): Promise<Pdfmake> {
  loading ??= import('pdfmake')
    .then(({ default: pdfmake }) => {
      const { regular, bold } = documentFonts();
      // Fonts are named files of pdfmake's in-memory file system (it takes no Buffer in a font descriptor).
      const vfs = (pdfmake as unknown as { virtualfs: VirtualFs }).virtualfs;
      vfs.writeFileSync(REGULAR_FILE, regular);
      vfs.writeFileSync(BOLD_FILE, bold);
      pdfmake.setFonts({
        [FONT]: { normal: REGULAR_FILE, bold: BOLD_FILE, italics: REGULAR_FILE, bolditalics: BOLD_FILE },
      });
      pdfmake.setUrlAccessPolicy(() => false);
      pdfmake.setLocalAccessPolicy(() => false);
      return pdfmake;
    })
    .catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
  return loading;
}

const grid: CustomTableLayout = {
  hLineWidth: () => RULE,
  vLineWidth: () => RULE,
  hLineColor: () => LINE,
  vLineColor: () => LINE,
  paddingLeft: () => CELL_PADDING,
  paddingRight: () => CELL_PADDING,
  paddingTop: () => 2,
  paddingBottom: () => 2,
};

function fieldsBlock(columns: number, items: readonly DocumentField[]): Content {
  const width = columns * 2;
  const body: TableCell[][] = [];
  const label = (field: DocumentField): TableCell => ({ text: field.label, fillColor: FILL, color: GREY });
  // pdfmake wants a placeholder for every cell a span covers.
  const spanning = (text: string, span: number): TableCell[] => [
    { text, colSpan: span },
    ...Array<TableCell>(span - 1).fill(''),
  ];
  let row: TableCell[] = [];
  const close = () => {
    if (row.length === 0) return;
    if (row.length < width) {
      // The row's last value stretches over the rest of the row.
      const last = row.pop() as { text: string };
      row.push(...spanning(last.text, width - row.length));
    }
    body.push(row);
    row = [];
  };
  for (const field of items) {
    if (field.span) {
      close();
      body.push([label(field), ...spanning(field.value, width - 1)]);
      continue;
    }
    row.push(label(field), { text: field.value });
    if (row.length === width) close();
  }
  close();
  const widths: (number | string)[] = [];
  for (let i = 0; i < columns; i++) widths.push(columns === 3 ? 64 : columns === 2 ? 108 : 120, '*');
  return { table: { widths, body, dontBreakRows: true }, layout: grid, margin: [0, 0, 0, 6] };
}

function tableBlock(block: Extract<DocumentBlock, { type: 'table' }>): Content {
  // pdfmake has no weighted star widths: shares of the text width, less each column's padding and rules.
  const shares = block.columns.map((c) => c.width ?? 1);
  const total = shares.reduce((a, b) => a + b, 0);
  const text = TEXT_WIDTH - block.columns.length * (2 * CELL_PADDING + RULE) - RULE;
  const widths = shares.map((share) => Math.floor((text * share) / total));
  const header: TableCell[] = block.columns.map((c) => ({
    text: c.header,
    bold: true,
    fillColor: FILL,
    alignment: c.align === 'right' ? 'right' : 'center',
  }));
  const rows: TableCell[][] = block.rows.map((r) =>
    block.columns.map((c, i) => ({ text: r[i] ?? '', alignment: c.align ?? 'left' })),
  );
  if (rows.length === 0) {
    const span = block.columns.length;
    const cells: TableCell[] = [
      { text: block.empty ?? '（无）', colSpan: span, alignment: 'center', color: GREY },
    ];
    for (let i = 1; i < span; i++) cells.push('');
    rows.push(cells);
  }
  return {
    table: { headerRows: 1, widths, body: [header, ...rows], dontBreakRows: true },
    layout: grid,
    fontSize: block.small ? 8.5 : 9.5,
    margin: [0, 0, 0, 6],
  };
}

function paragraphsBlock(block: Extract<DocumentBlock, { type: 'paragraphs' }>): Content {
  const style = block.style ?? 'normal';
  const small = style !== 'normal';
  const body: Content = block.numbered
    ? { ol: block.items.map((text) => ({ text, margin: [0, 1, 0, 1] })) }
    : { stack: block.items.map((text) => ({ text, margin: [0, 1, 0, 3] })) };
  const text: Content = {
    stack: [body],
    fontSize: small ? 9 : 10.5,
    color: style === 'note' ? GREY : '#000000',
    lineHeight: 1.3,
  };
  if (style !== 'warning') return { stack: [text], margin: [0, 2, 0, 6] };
  return {
    table: { widths: ['*'], body: [[{ stack: [text], fillColor: '#fff7e6' }]] },
    layout: { ...grid, hLineColor: () => '#d48806', vLineColor: () => '#d48806' },
    margin: [0, 4, 0, 8],
  };
}

function signaturesBlock(block: Extract<DocumentBlock, { type: 'signatures' }>): Content {
  return {
    columns: block.items.map((item) => ({
      text: [
        `${item.label}：`,
        item.value ? { text: item.value } : { text: '\u3000'.repeat(10), decoration: 'underline' },
      ],
    })),
    columnGap: 24,
    margin: [0, 20, 0, 0],
  };
}

function blockContent(block: DocumentBlock): Content {
  switch (block.type) {
    case 'heading':
      return { text: block.text, bold: true, fontSize: 12, margin: [0, 8, 0, 4] };
    case 'fields':
      return fieldsBlock(block.columns, block.fields);
    case 'table':
      return tableBlock(block);
    case 'paragraphs':
      return paragraphsBlock(block);
    case 'signatures':
      return signaturesBlock(block);
  }
}

/** The pdfmake definition of a document (exported for tests). */
export function pdfDefinition(doc: PrintDocument): TDocumentDefinitions {
  return {
    pageSize: 'A4',
    pageMargins: [MARGIN, 64, MARGIN, 56],
    info: { title: doc.title, author: doc.issuer, subject: doc.subtitle ?? doc.title, creator: '智慧民政' },
    defaultStyle: { font: FONT, fontSize: 10.5, lineHeight: 1.15 },
    header: () => ({
      stack: [
        { text: doc.issuer, alignment: 'center', fontSize: 9, color: GREY },
        {
          canvas: [{ type: 'line', x1: 0, y1: 4, x2: TEXT_WIDTH, y2: 4, lineWidth: 0.5, lineColor: LINE }],
        },
      ],
      margin: [MARGIN, 28, MARGIN, 0],
    }),
    footer: (currentPage: number, pageCount: number) => ({
      columns: [
        { text: doc.footer, fontSize: 8.5, color: GREY },
        { text: `第 ${currentPage} 页 / 共 ${pageCount} 页`, alignment: 'right', fontSize: 8.5, color: GREY },
      ],
      margin: [MARGIN, 20, MARGIN, 0],
    }),
    ...(doc.watermark
      ? { watermark: { text: doc.watermark, color: '#999999', opacity: 0.12, bold: true, fontSize: 96 } }
      : {}),
    content: [
      { text: doc.title, fontSize: 18, bold: true, alignment: 'center', margin: [0, 0, 0, 4] },
      ...(doc.subtitle
        ? [{ text: doc.subtitle, alignment: 'center', fontSize: 9.5, color: GREY, margin: [0, 0, 0, 10] }]
        : [{ text: '', margin: [0, 0, 0, 6] }]),
      ...doc.blocks.map(blockContent),
    ] as Content[],
  };
}

/** Renders a document to PDF bytes (A4, the font subset embedded). */
export async function renderPdf(doc: PrintDocument): Promise<Buffer> {
  const pdfmake = await loadPdfmake();
  return pdfmake.createPdf(pdfDefinition(doc)).getBuffer();
}
