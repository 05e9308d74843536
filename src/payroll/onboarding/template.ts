/**
 * 在保对象导入模板: the .xlsx staff fill in, generated from the columns (columns.ts) so that it always
 * matches what the import reads — the table with its header and a sample row, and a 说明 sheet.
 */
import ExcelJS from 'exceljs';
import { spreadsheetSafe } from '../../registry/export/roster-writer.ts';
import { RECIPIENT_COLUMNS } from './columns.ts';

export const RECIPIENT_SHEET = '在保对象';
export const RECIPIENT_TEMPLATE_NAME = '在保对象导入模板.xlsx';

/** The 说明 sheet: the rules first, then one line per column. */
export function recipientTemplateNotes(): string[][] {
  return [
    ['在保对象导入说明（系统上线时导入正在发放的待遇）'],
    ['1. 每行一项待遇：一个受益对象（按人的项目为本人，按户的项目为本户）的一个项目。'],
    ['2. 第2行是示例，导入前请删除或改为真实数据；不要修改、删除或增加表头列。'],
    ['3. 受益人、收款人和家庭户须已在本区人口信息库登记（请先导入户籍台账）。'],
    ['4. 金额以元为单位，至多两位小数；身份证号、账号、月份请以文本格式填写。'],
    ['5. “已发放至月份”是上线前最后一个已发放的月份：系统记为已发放（期初分类账），从其下一个月起发放。'],
    ['6. 文件中有任何一处错误，整份文件都不会写入；请按错误清单（行、列、原因）修改后重新导入。'],
    ['7. 已有未终止待遇的同一受益对象、同一项目不能重复导入。'],
    [],
    ['列名', '必填', '说明'],
    ...RECIPIENT_COLUMNS.map((c) => [
      c.header,
      c.required ? '是' : c.key === 'idNumber' || c.key === 'householdNo' ? '二选一' : '否',
      c.note,
    ]),
  ];
}

export async function recipientTemplate(): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet(RECIPIENT_SHEET, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = RECIPIENT_COLUMNS.map((c) => ({
    key: c.key,
    width: c.width,
    ...(c.text ? { style: { numFmt: '@' } } : {}),
  }));
  const header = sheet.addRow(RECIPIENT_COLUMNS.map((c) => c.header));
  header.font = { bold: true };
  sheet.addRow(RECIPIENT_COLUMNS.map((c) => spreadsheetSafe(c.example)));
  const notes = workbook.addWorksheet('说明');
  notes.columns = [{ width: 20 }, { width: 8 }, { width: 100 }];
  for (const row of recipientTemplateNotes()) notes.addRow(row.map(spreadsheetSafe));
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
