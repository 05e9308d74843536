/**
 * The roster templates staff fill in (templates/household-roster.xlsx and .csv), generated from the
 * column definitions so that they always match what the import reads.
 * Regenerate with: ./bin/minzheng import template --out templates
 */
import { join } from 'node:path';
import { createRosterWriter, type RosterValues } from '../export/roster-writer.ts';
import { COLUMNS } from './columns.ts';
import { DEFAULT_IMPORT_LIMITS } from './limits.ts';

const count = (n: number) => n.toLocaleString('en-US');

export const TEMPLATE_XLSX = 'household-roster.xlsx';
export const TEMPLATE_CSV = 'household-roster.csv';

export function exampleRow(): RosterValues {
  return Object.fromEntries(COLUMNS.map((c) => [c.key, c.example]));
}

/** The 说明 sheet: general rules first, then one line per column. */
export function templateNotes(): string[][] {
  return [
    ['户籍台账导入说明'],
    ['1. 每行一人；同一户的成员填写相同的“户编号”，每户有且只有一名户主（与户主关系填 02 或 户主）。'],
    ['2. 第2行是示例，导入前请删除或改为真实数据；不要修改、删除或增加表头列。'],
    ['3. 金额以元为单位，至多两位小数；身份证号、代码类列请保持文本格式。'],
    ['4. 文件中有任何一处错误，整份文件都不会写入；请按错误清单（行、列、原因）修改后重新导入。'],
    ['5. 已登记的身份证号或户编号不能重复导入。'],
    [
      `6. 单元格不能含控制字符；姓名、地址不能以 =、+、-、@ 开头。每格至多 ${count(DEFAULT_IMPORT_LIMITS.maxCellChars)} 个字符，每个文件至多 ${count(DEFAULT_IMPORT_LIMITS.maxRows)} 行（默认上限，管理员可调整）。`,
    ],
    [],
    ['列名', '级别', '必填', '说明'],
    ...COLUMNS.map((c) => [
      c.header,
      c.level === 'household' ? '户' : '人',
      c.required || c.key === 'committee' ? '是' : '否',
      c.note,
    ]),
  ];
}

export async function writeTemplates(dir: string): Promise<string[]> {
  const xlsx = join(dir, TEMPLATE_XLSX);
  const writer = createRosterWriter(xlsx, { styled: true });
  writer.addRow(exampleRow());
  writer.addNotesSheet('说明', templateNotes());
  await writer.commit();
  const csv = join(dir, TEMPLATE_CSV);
  const csvWriter = createRosterWriter(csv, { format: 'csv' });
  csvWriter.addRow(exampleRow());
  await csvWriter.commit();
  return [xlsx, csv];
}
