import type { PersonDetail, PersonRow } from '../../api/types.ts';
import { formatFen } from '../../utils/money.ts';
import type { Column } from '../../utils/columns.ts';
import { dash, sexOf } from '../../utils/format.ts';

export const SEARCH_PLACEHOLDER = '姓名 / 拼音首字母（如 zs）/ 身份证号后4位或完整号码';

export const personColumns: Column<PersonRow>[] = [
  { prop: 'name', label: '姓名', width: 110, slot: true },
  { prop: 'sex', label: '性别', width: 70, formatter: sexOf },
  { prop: 'birthDate', label: '出生日期', width: 120 },
  { prop: 'age', label: '年龄', width: 70, align: 'right' },
  { prop: 'idNumberMasked', label: '身份证号', width: 200 },
  { prop: 'streetName', label: '街道', minWidth: 120 },
  { prop: 'committeeName', label: '居委会', minWidth: 140 },
  { prop: 'householdNo', label: '户编号', minWidth: 140, slot: true },
];

/** SPEC.md category codes → the names caseworkers use. */
export const CATEGORY_NAMES: Record<string, string> = {
  tekun: '特困供养',
  kunjing_child: '困境儿童',
  orphan: '散居孤儿',
  traditional: '传统民政对象',
  rural_youth: '农婚知青',
  anhui_resettled_1: '赴皖一类',
  anhui_resettled_2: '赴皖二类',
};

export function categoryName(code: string): string {
  return CATEGORY_NAMES[code] ?? code;
}

type DetailValue = PersonDetail[string];

function yesNo(value: DetailValue): string {
  return value === true ? '是' : value === false ? '否' : '—';
}

function categoryList(value: DetailValue): string {
  if (!Array.isArray(value) || value.length === 0) return '—';
  return value
    .map((item: unknown) =>
      typeof item === 'string'
        ? categoryName(item)
        : ((item as { name?: string; code: string }).name ?? categoryName((item as { code: string }).code)),
    )
    .join('、');
}

/** 户籍地 as a person reads it: the place's name and whether it is a Shanghai 户籍, never a bare code. */
function hukouText(_value: DetailValue, person: PersonDetail): string {
  const place = person.hukouDivisionName ?? person.hukouDivisionCode ?? '—';
  return person.hukouKind ? `${place}（${person.hukouKind}）` : place;
}

/** 居住地: street and committee (the district is the user's own), else the full name the API sends. */
function residenceText(_value: DetailValue, person: PersonDetail): string {
  const local = [person.streetName, person.committeeName].filter(Boolean).join(' ');
  return local || person.residenceDivisionName || '—';
}

/** Fields of GET /api/persons/:id shown in the detail page, in order: names for every code. */
export const personDetailFields: {
  key: string;
  label: string;
  format?: (value: DetailValue, person: PersonDetail) => string;
}[] = [
  { key: 'name', label: '姓名' },
  { key: 'sex', label: '性别', format: (_value, person) => sexOf(person) },
  { key: 'birthDate', label: '出生日期' },
  {
    key: 'age',
    label: '年龄',
    // The server gives a deceased person's age at death.
    format: (value, person) =>
      typeof value !== 'number' ? '—' : person.deathDate ? `享年${value}岁` : `${value}岁`,
  },
  { key: 'ethnicityName', label: '民族' },
  { key: 'maritalStatusName', label: '婚姻状况' },
  { key: 'idNumberMasked', label: '身份证号' },
  { key: 'phoneMasked', label: '联系电话' },
  { key: 'hukouDivisionName', label: '户籍地', format: hukouText },
  { key: 'residenceDivisionName', label: '居住地', format: residenceText },
  { key: 'disabilityCategoryName', label: '残疾类别', format: (value) => dash(value ?? '无') },
  { key: 'disabilityGradeName', label: '残疾等级', format: (value) => dash(value ?? '无') },
  { key: 'employed', label: '就业', format: yesNo },
  { key: 'seriousIllness', label: '重病', format: yesNo },
  { key: 'hasSupporter', label: '有赡养人', format: yesNo },
  { key: 'categories', label: '特殊类别', format: categoryList },
  { key: 'wageFen', label: '月工资（元）', format: money },
  { key: 'pensionFen', label: '月养老金（元）', format: money },
  { key: 'otherIncomeFen', label: '月其他收入（元）', format: money },
];

function money(value: DetailValue): string {
  return typeof value === 'number' ? formatFen(value) : '—';
}

export function detailValue(
  field: { key: string; format?: (value: DetailValue, person: PersonDetail) => string },
  person: PersonDetail,
): string {
  const value = person[field.key];
  return field.format ? field.format(value, person) : dash(value);
}
