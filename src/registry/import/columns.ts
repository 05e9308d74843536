/**
 * 户籍台账 column layout: one row per person, grouped into households by 户编号. The import, the export,
 * the template and docs/import-export.md are all derived from this list, so they cannot drift apart.
 *
 * `level: 'household'` columns describe the household: they may be filled on every row of the household
 * (they must then agree) or only on one of them (usually the head's row).
 */
import { CATEGORY_NAMES } from '../codes.ts';

export type ColumnKey =
  | 'householdNo'
  | 'relation'
  | 'name'
  | 'idNumber'
  | 'sex'
  | 'birthDate'
  | 'hukouDivision'
  | 'committee'
  | 'address'
  | 'phone'
  | 'disabilityCategory'
  | 'disabilityGrade'
  | 'employed'
  | 'categories'
  | 'wage'
  | 'pension'
  | 'otherIncome'
  | 'monetaryAssets'
  | 'vehicles'
  | 'homes'
  | 'floorAreaBelowAverage'
  | 'joinDate';

export interface ColumnDef {
  readonly key: ColumnKey;
  readonly header: string;
  readonly level: 'person' | 'household';
  readonly required: boolean;
  /** Column width in the template and the export (characters). */
  readonly width: number;
  /** Written as text in xlsx so that Excel keeps leading zeros and all 18 digits. */
  readonly text: boolean;
  readonly example: string;
  /** The 说明 sheet and the docs: what the column holds and which values it accepts. */
  readonly note: string;
}

const col = (
  key: ColumnKey,
  header: string,
  options: Partial<Omit<ColumnDef, 'key' | 'header' | 'note' | 'example'>> & {
    example: string;
    note: string;
  },
): ColumnDef => ({
  key,
  header,
  level: options.level ?? 'person',
  required: options.required ?? false,
  width: options.width ?? 12,
  text: options.text ?? false,
  example: options.example,
  note: options.note,
});

export const COLUMNS: readonly ColumnDef[] = [
  col('householdNo', '户编号', {
    required: true,
    text: true,
    example: 'YP-000001',
    note: '同一户的各行填写相同的户编号；区内唯一；字母、数字、短横线或下划线，至多32位',
  }),
  col('relation', '与户主关系', {
    required: true,
    text: true,
    example: '户主',
    note: 'GB/T 4761 家庭关系代码（如 02）或其名称（如 户主、配偶、子、女）；每户有且只有一名户主（02）',
  }),
  col('name', '姓名', {
    required: true,
    example: '张三',
    note: '至多50个字；不能以 =、+、-、@ 开头（电子表格会把它当作公式），不能含换行',
  }),
  col('idNumber', '身份证号', {
    required: true,
    text: true,
    width: 22,
    // Sequence 991: the demo generator never numbers that far, so the template imports beside demo data.
    example: '310110195501019919',
    note: '18位公民身份号码（GB 11643），须以文本格式填写；在全市唯一',
  }),
  col('sex', '性别', {
    example: '男',
    note: '男/女 或 1/2（GB/T 2261.1）；可不填，由身份证号推出；填写时须与身份证号一致',
  }),
  col('birthDate', '出生日期', {
    width: 12,
    example: '1955-01-01',
    note: 'YYYY-MM-DD；可不填，由身份证号推出；填写时须与身份证号一致',
  }),
  col('hukouDivision', '户籍地区划代码', {
    required: true,
    text: true,
    width: 16,
    example: '310110001001',
    note: '上海市的区（6位）、街道（9位）或居委会（12位）代码，或外省市的6位区县代码',
  }),
  col('committee', '居住地居委会代码', {
    level: 'household',
    text: true,
    width: 16,
    example: '310110001001',
    note: '必填（同户至少一行）：12位居（村）委会代码，须在您的数据范围内；户级字段，同户各行须一致',
  }),
  col('address', '地址', {
    level: 'household',
    width: 30,
    example: '杨浦区示例路1号101室',
    note: '户级字段；不能以 =、+、-、@ 开头（如“-1层”写作“地下1层”）',
  }),
  col('phone', '联系电话', { text: true, width: 14, example: '13800000000', note: '手机或座机号码' }),
  col('disabilityCategory', '残疾类别', {
    example: '',
    note: 'GB/T 26341 残疾类别 1–7 或名称（视力残疾、听力残疾、言语残疾、肢体残疾、智力残疾、精神残疾、多重残疾）；与残疾等级同时填写或同时不填',
  }),
  col('disabilityGrade', '残疾等级', { example: '', note: '1–4 或 一级…四级（一级最重）' }),
  col('employed', '就业', { example: '否', note: '是/否，不填为否' }),
  col('categories', '特殊类别', {
    width: 16,
    example: '',
    note: `可多项，以“、”分隔，填名称或代码：${Object.entries(CATEGORY_NAMES)
      .map(([code, name]) => `${name}(${code})`)
      .join('、')}`,
  }),
  col('wage', '月工资(元)', { example: '0', note: '元，至多两位小数，不得为负；不填为0' }),
  col('pension', '月养老金(元)', { example: '1500.00', note: '元，至多两位小数，不得为负；不填为0' }),
  col('otherIncome', '月其他收入(元)', { example: '0', note: '元，至多两位小数，不得为负；不填为0' }),
  col('monetaryAssets', '家庭货币财产(元)', {
    level: 'household',
    width: 16,
    example: '20000.00',
    note: '户级字段；元，至多两位小数，不得为负；不填为0',
  }),
  col('vehicles', '车辆数', { level: 'household', example: '0', note: '户级字段；非负整数，不填为0' }),
  col('homes', '住房套数', { level: 'household', example: '1', note: '户级字段；非负整数，不填为1' }),
  col('floorAreaBelowAverage', '人均面积低于平均', {
    level: 'household',
    width: 16,
    example: '否',
    note: '户级字段；是/否，不填为否',
  }),
  col('joinDate', '入户日期', {
    example: '2020-01-01',
    note: 'YYYY-MM-DD，本人成为该户成员的日期；不填为导入当日；不得早于出生日期、不得晚于今天',
  }),
];

export const HEADERS: readonly string[] = COLUMNS.map((c) => c.header);

export const COLUMN_BY_KEY: Readonly<Record<ColumnKey, ColumnDef>> = Object.fromEntries(
  COLUMNS.map((c) => [c.key, c]),
) as Record<ColumnKey, ColumnDef>;

/** Headers compare after trimming and folding full-width brackets (Excel users type either). */
export function normalizeHeader(value: string): string {
  return value.trim().replaceAll('（', '(').replaceAll('）', ')').replaceAll(/\s+/g, '');
}
