import type {
  HouseholdDetail,
  HouseholdMember,
  HouseholdRow,
  MembershipHistoryRow,
} from '../../api/types.ts';
import { shanghaiToday } from '../../utils/clock.ts';
import type { Column } from '../../utils/columns.ts';
import { sexOf } from '../../utils/format.ts';
import { formatFen } from '../../utils/money.ts';

export const SEARCH_PLACEHOLDER = '户主姓名 / 拼音首字母 / 户编号';

export const householdColumns: Column<HouseholdRow>[] = [
  { prop: 'householdNo', label: '户编号', minWidth: 150, slot: true },
  { prop: 'headName', label: '户主', width: 110 },
  { prop: 'memberCount', label: '人数', width: 70, align: 'right' },
  { prop: 'streetName', label: '街道', minWidth: 120 },
  { prop: 'committeeName', label: '居委会', minWidth: 140 },
  { prop: 'address', label: '地址', minWidth: 220 },
];

export const memberColumns: Column<HouseholdMember>[] = [
  { prop: 'name', label: '姓名', width: 110, slot: true },
  { prop: 'relationName', label: '与户主关系', width: 110 },
  { prop: 'sex', label: '性别', width: 70, formatter: sexOf },
  { prop: 'birthDate', label: '出生日期', width: 120 },
  { prop: 'age', label: '年龄', width: 70, align: 'right' },
  { prop: 'idNumberMasked', label: '身份证号', minWidth: 190 },
  {
    prop: 'hukouDivisionName',
    label: '户籍地',
    minWidth: 290,
    ellipsis: true,
    formatter: (row) => (row.hukouDivisionName ? `${row.hukouDivisionName}（${row.hukouKind}）` : '—'),
  },
  {
    prop: 'disabilityCategoryName',
    label: '残疾',
    width: 140,
    formatter: (row) =>
      row.disabilityCategoryName ? `${row.disabilityCategoryName}${row.disabilityGradeName ?? ''}` : '无',
  },
];

export const historyColumns: Column<MembershipHistoryRow>[] = [
  { prop: 'name', label: '姓名', width: 110 },
  { prop: 'relationName', label: '与户主关系', width: 120 },
  { prop: 'validFrom', label: '入户日期', width: 120 },
  { prop: 'validTo', label: '离户日期', width: 120, formatter: (row) => row.validTo ?? '至今' },
  { prop: 'endReasonName', label: '离户原因', minWidth: 120 },
];

/** The household's descriptive fields (money in fen → 元). */
export function householdFields(detail: HouseholdDetail): { label: string; value: string }[] {
  const h = detail.household;
  const head = detail.members.find((member) => member.relationCode === '02');
  const money = (fen: number | undefined) => (fen === undefined ? '—' : `${formatFen(fen)} 元`);
  const flag = (value: boolean | undefined) => (value === undefined ? '—' : value ? '是' : '否');
  return [
    { label: '户主', value: h.headName ?? head?.name ?? '—' },
    { label: '当前人数', value: String(detail.members.length) },
    { label: '所在区划', value: [h.districtName, h.streetName].filter(Boolean).join(' ') || '—' },
    { label: '居委会', value: h.committeeName ?? '—' },
    { label: '地址', value: h.address ?? '—' },
    { label: '家庭货币财产', value: money(h.monetaryAssetsFen) },
    { label: '车辆 / 住房', value: `${h.vehicles ?? '—'} 辆 / ${h.homes ?? '—'} 套` },
    { label: '人均面积低于平均', value: flag(h.perCapitaFloorAreaBelowAverage) },
    { label: '近12个月医疗支出', value: money(h.medicalExpenseAnnualFen) },
    { label: '近12个月教育支出', value: money(h.educationExpenseAnnualFen) },
  ];
}

/** The history as timeline events, newest first (an entry, and an exit when the membership ended). */
export interface HouseholdEvent {
  date: string;
  text: string;
  current: boolean;
  /** A step of the household's 社区救助顾问 records. */
  adviser?: boolean;
}

export function historyEvents(history: MembershipHistoryRow[]): HouseholdEvent[] {
  const events = history.flatMap((row) => {
    const entry = {
      date: row.validFrom,
      text: `${row.name} 入户（${row.relationName}）`,
      current: row.validTo === null,
    };
    return row.validTo ? [entry, { date: row.validTo, text: `${row.name} 离户`, current: false }] : [entry];
  });
  return events.sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : 0));
}

/**
 * The adviser's steps on the household's timeline (分派、走访、评估、计划、转介), dated by the Shanghai day
 * they were recorded: "社区救助顾问 张三：记录走访（走访（上门，2026-11-30））".
 */
export function adviserEvents(
  record: { timeline: { at: string; subject: string; actionLabel: string; actorName: string }[] } | null,
): HouseholdEvent[] {
  return (record?.timeline ?? []).map((e) => ({
    date: shanghaiToday(new Date(e.at)),
    text: `社区救助顾问记录：${e.subject} ${e.actionLabel}（${e.actorName}）`,
    current: false,
    adviser: true,
  }));
}

/** How many cases and entitlements the household page lists (a household has a handful; more says so). */
export const HOUSEHOLD_LIST_LIMIT = 50;

/** A case's kind by name (src/cases: 申请, and the 复审/变更 cases opened for a household receiving benefits). */
export const CASE_KIND_NAMES: Readonly<Record<string, string>> = {
  application: '申请',
  review: '复审',
  change: '变更',
};
