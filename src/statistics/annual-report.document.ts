import ExcelJS from 'exceljs';
import {
  heading,
  paragraphs,
  table,
  type DocumentColumn,
  type PrintDocument,
} from '../documents/document.ts';
import { chineseDate, fileNamePart, yuan } from '../documents/format.ts';
import { issuerFor } from '../documents/issuer.ts';
import { COMPOSITION_PARTS, percent, type AnnualReport, type ProgramYear } from './annual-report.ts';

/**
 * 年度统计报告 as a printable document (A4 PDF through src/documents) and as .xlsx (one sheet per section):
 * both from the same AnnualReport, so they say the same thing.
 */

const PROGRAM_COLUMNS: DocumentColumn[] = [
  { header: '项目', width: 2.4 },
  { header: '户次', width: 1, align: 'right' },
  { header: '人次', width: 1, align: 'right' },
  { header: '金额', width: 1.6, align: 'right' },
];

const programRow = (p: ProgramYear, name = p.name) => [
  name,
  String(p.households),
  String(p.persons),
  yuan(p.amountFen),
];

const SECTION_TITLES = {
  livelihood: '一、生活救助',
  grainOil: '二、粮油帮困',
  tekun: '三、特困人员救助供养',
  medical: '四、医疗救助',
  temporary: '五、临时救助',
  elderly: '六、老年人口年龄结构',
  disability: '七、残疾人分类',
} as const;

export function annualReportDocument(r: AnnualReport, context: { printedOn: string }): PrintDocument {
  const composition = r.livelihood.composition;
  return {
    kind: 'statistics.annual_report',
    issuer: issuerFor(r.division.code === '310000' ? null : r.division.code),
    title: `${r.division.name}${r.year}年社会救助统计报告`,
    subtitle: `统计年度：${r.year}年${'\u3000'}统计范围：${r.division.name}`,
    blocks: [
      heading(SECTION_TITLES.livelihood),
      table(PROGRAM_COLUMNS, [
        ...r.livelihood.programs.map((p) => programRow(p)),
        programRow(r.livelihood.total, '合计'),
      ]),
      paragraphs([`生活救助对象构成（人次，共 ${composition[0]?.whole ?? 0} 人次）`]),
      table(
        [
          { header: '类别', width: 2.6 },
          { header: '户次', width: 1, align: 'right' },
          { header: '人次', width: 1, align: 'right' },
          { header: '占比', width: 1, align: 'right' },
        ],
        composition.map((c) => [c.name, String(c.households), String(c.part), percent(c.basisPoints)]),
      ),
      paragraphs(
        COMPOSITION_PARTS.map((p) => `${p.name}：${p.definition}。`),
        { style: 'note' },
      ),
      heading(SECTION_TITLES.grainOil),
      table(PROGRAM_COLUMNS, [programRow(r.grainOil)]),
      heading(SECTION_TITLES.tekun),
      table(PROGRAM_COLUMNS, [programRow(r.tekun)]),
      heading(SECTION_TITLES.medical),
      paragraphs([r.medical.note]),
      heading(SECTION_TITLES.temporary),
      table(PROGRAM_COLUMNS, [programRow(r.temporary)]),
      heading(SECTION_TITLES.elderly),
      paragraphs([
        `${chineseDate(r.elderly.asOf)}登记在册人员 ${r.elderly.persons} 人，其中 60 岁及以上 ${r.elderly.aged60plus} 人。`,
      ]),
      table(
        [
          { header: '年龄段', width: 2 },
          { header: '人数', width: 1, align: 'right' },
          { header: '占60岁及以上', width: 1.4, align: 'right' },
        ],
        r.elderly.bands.map((b) => [`${b.band.replace('-', '–')}岁`, String(b.part), percent(b.basisPoints)]),
      ),
      heading(SECTION_TITLES.disability),
      table(
        [
          { header: '残疾类别', width: 2 },
          { header: '人数', width: 1, align: 'right' },
          { header: '占比', width: 1, align: 'right' },
        ],
        [
          ...r.disability.byCategory.map((c) => [c.name, String(c.part), percent(c.basisPoints)]),
          ['合计', String(r.disability.total), r.disability.total > 0 ? '100.00%' : '0.00%'],
        ],
      ),
      heading('说明'),
      paragraphs(r.notes, { style: 'note', numbered: true }),
    ],
    footer: `打印日期：${chineseDate(context.printedOn)}${'\u3000'}智慧民政`,
    fileName: `社会救助统计报告-${fileNamePart(r.division.name)}-${r.year}`,
  };
}

const MONEY = '#,##0.00';

/** One sheet per section, as the PDF's sections; money in 元 (fen / 100 is the exact yuan value's double). */
export async function annualReportWorkbook(r: AnnualReport): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const programSheet = (name: string, rows: { p: ProgramYear; label?: string }[], extra?: () => void) => {
    const sheet = workbook.addWorksheet(name);
    sheet.columns = [{ width: 34 }, { width: 12 }, { width: 12 }, { width: 18 }];
    sheet.addRow([`${r.division.name}${r.year}年 ${name}`]).font = { bold: true, size: 13 };
    sheet.addRow(['项目', '户次', '人次', '金额（元）']).font = { bold: true };
    for (const { p, label } of rows)
      sheet.addRow([label ?? p.name, p.households, p.persons, p.amountFen / 100]).getCell(4).numFmt = MONEY;
    extra?.();
    return sheet;
  };
  const livelihood = programSheet(
    '生活救助',
    [...r.livelihood.programs.map((p) => ({ p })), { p: r.livelihood.total, label: '合计' }],
    () => undefined,
  );
  livelihood.addRow([]);
  livelihood.addRow(['生活救助对象构成', '户次', '人次', '占比（%）']).font = { bold: true };
  for (const c of r.livelihood.composition)
    livelihood.addRow([c.name, c.households, c.part, c.basisPoints / 100]).getCell(4).numFmt = '0.00';
  for (const p of COMPOSITION_PARTS) livelihood.addRow([`${p.name}：${p.definition}`]);
  programSheet('粮油帮困', [{ p: r.grainOil }]);
  programSheet('特困供养', [{ p: r.tekun }]);
  workbook.addWorksheet('医疗救助').addRow([r.medical.note]);
  programSheet('临时救助', [{ p: r.temporary }]);
  const elderly = workbook.addWorksheet('老年人口');
  elderly.columns = [{ width: 16 }, { width: 12 }, { width: 16 }];
  elderly.addRow([
    `${r.elderly.asOf} 登记在册人员 ${r.elderly.persons} 人，60岁及以上 ${r.elderly.aged60plus} 人`,
  ]);
  elderly.addRow(['年龄段', '人数', '占60岁及以上（%）']).font = { bold: true };
  for (const b of r.elderly.bands)
    elderly.addRow([b.band, b.part, b.basisPoints / 100]).getCell(3).numFmt = '0.00';
  const disability = workbook.addWorksheet('残疾人');
  disability.columns = [{ width: 16 }, { width: 12 }, { width: 12 }];
  disability.addRow(['残疾类别', '人数', '占比（%）']).font = { bold: true };
  for (const c of r.disability.byCategory)
    disability.addRow([c.name, c.part, c.basisPoints / 100]).getCell(3).numFmt = '0.00';
  disability.addRow(['合计', r.disability.total]);
  const notes = workbook.addWorksheet('说明');
  notes.columns = [{ width: 120 }];
  for (const n of r.notes) notes.addRow([n]);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** The download's name without extension: 社会救助统计报告-杨浦区-2020. */
export const annualReportName = (r: AnnualReport): string =>
  `社会救助统计报告-${fileNamePart(r.division.name)}-${r.year}`;
