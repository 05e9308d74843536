import { addDays } from '../../../../src/calendar/days.ts';
import type {
  Authorisation,
  SourceStatus,
  VerificationOrigin,
  VerificationRequest,
  VerificationState,
} from '../../api/verifications.ts';
import type { HouseholdMember, ParameterInfo, Program } from '../../api/types.ts';
import type { Column } from '../../utils/columns.ts';
import { shanghaiDateTime } from '../../utils/clock.ts';

/**
 * 核对委托 pages: filters, columns and the pure helpers behind them. The state, origin and other-purpose
 * names are the server's (verification.machine.ts, request.service.ts, purposes.ts); they are copied here
 * because those modules reach the database, and data.test.ts checks that the copies agree.
 */

export type TagType = 'primary' | 'success' | 'warning' | 'danger' | 'info';
export interface Option<V extends string = string> {
  value: V;
  label: string;
}

export const STATE_NAMES: Readonly<Record<VerificationState, string>> = {
  received: '已受理',
  gathering: '信息获取中',
  reported: '已出具报告',
  in_review: '复核中',
  reviewed: '已复核',
  withdrawn: '已撤销',
};

export const ORIGIN_NAMES: Readonly<Record<VerificationOrigin, string>> = {
  application: '申请核对',
  recheck: '定期复核',
  exchange: '异地协查',
};

/** Purposes that are not programs of the engine (other bureaus' housing schemes, 其他). */
export const OTHER_PURPOSES: Readonly<Record<string, string>> = {
  housing_lianzu: '廉租住房',
  housing_gongyou: '共有产权保障住房',
  other: '其他',
};

/** Filter options; no choice (the select's placeholder, 全部状态) lists every state. */
export const STATE_OPTIONS: Option<VerificationState>[] = (
  Object.entries(STATE_NAMES) as [VerificationState, string][]
).map(([value, label]) => ({ value, label }));

export const ORIGIN_OPTIONS: Option<VerificationOrigin>[] = (
  Object.entries(ORIGIN_NAMES) as [VerificationOrigin, string][]
).map(([value, label]) => ({ value, label }));

/** What a verification may be for: the engine's programs (by their names), then the other purposes. */
export function purposeOptions(programs: readonly Program[]): Option[] {
  return [
    ...programs.map((p) => ({ value: p.code, label: p.name })),
    ...Object.entries(OTHER_PURPOSES).map(([value, label]) => ({ value, label })),
  ];
}

export function stateTagType(state: VerificationState | string): TagType {
  switch (state) {
    case 'received':
    case 'gathering':
      return 'primary';
    case 'reported':
    case 'reviewed':
      return 'success';
    case 'in_review':
      return 'warning';
    default:
      return 'info';
  }
}

/** "7/9": the sources that answered of those asked; the failed and unanswered are said in words beside it. */
export function progressText(p: VerificationRequest['progress']): string {
  return `${p.answered}/${p.total}`;
}

/** The words beside the count: which sources failed or have yet to answer. */
export function progressNote(r: Pick<VerificationRequest, 'progress' | 'state'>): string {
  const parts: string[] = [];
  if (r.progress.failed > 0) parts.push(`${r.progress.failed} 个失败或超时`);
  if (r.progress.waiting > 0 && r.state !== 'withdrawn') parts.push(`${r.progress.waiting} 个待答复`);
  return parts.join('，');
}

/** The street and committee in one cell. */
export function areaText(r: Pick<VerificationRequest, 'streetName' | 'committeeName'>): string {
  return [r.streetName, r.committeeName].filter(Boolean).join(' / ') || '—';
}

export const requestColumns: Column<VerificationRequest>[] = [
  { prop: 'requestNo', label: '委托编号', width: 215, slot: true },
  { prop: 'householdNo', label: '家庭户（户编号、地址）', minWidth: 200, slot: true },
  { prop: 'committeeName', label: '街道 / 居委', minWidth: 130, slot: true },
  { prop: 'purposeName', label: '用途', width: 110 },
  { prop: 'originName', label: '来源', width: 86 },
  { prop: 'state', label: '状态', width: 150, slot: true },
  { prop: 'progress', label: '部门答复进度', width: 110, slot: true },
  { prop: 'due', label: '应出具日期', width: 116, slot: true },
  { prop: 'createdAt', label: '受理时间', width: 150, formatter: (r) => shanghaiDateTime(r.createdAt) },
];

export const sourceColumns: Column<SourceStatus>[] = [
  { prop: 'sourceName', label: '部门', minWidth: 200 },
  { prop: 'state', label: '状态', width: 140, slot: true },
  { prop: 'attempts', label: '次数', width: 70, align: 'right' },
  {
    prop: 'answeredAt',
    label: '答复时间',
    width: 150,
    formatter: (s) => (s.answeredAt ? shanghaiDateTime(s.answeredAt) : '—'),
  },
  { prop: 'error', label: '说明', minWidth: 220, formatter: sourceNote },
];

/** 说明: the source's error when it failed, else what the state means for the caseworker. */
export function sourceNote(s: SourceStatus): string {
  if (s.error) return s.error;
  if (s.state === 'pending') return '等待发送';
  if (s.state === 'sent')
    return s.sentAt ? `已于 ${shanghaiDateTime(s.sentAt)} 发送，等待答复` : '已发送，等待答复';
  return '—';
}

export function sourceTagType(state: string): TagType {
  if (state === 'answered') return 'success';
  if (state === 'failed' || state === 'timed_out') return 'danger';
  return 'info';
}

/** 有效期: "2026-11-01 至 2027-10-31" (validUntil is exclusive), 随待遇延续, or ended. */
export function authorisationPeriod(a: Authorisation): string {
  if (a.endedOn) return `${a.signedOn} 起，已于 ${a.endedOn} 终止${a.endReason ? `（${a.endReason}）` : ''}`;
  if (a.standing || a.validUntil === null) return `${a.signedOn} 起，随待遇延续`;
  return `${a.signedOn} 至 ${addDays(a.validUntil, -1)}`;
}

export function signerNames(a: Authorisation): string {
  return a.signers.map((s) => s.name).join('、');
}

export const authorisationColumns: Column<Authorisation>[] = [
  { prop: 'purposeName', label: '用途', width: 150 },
  { prop: 'signers', label: '签署人', minWidth: 160, formatter: signerNames },
  { prop: 'signedOn', label: '有效期', minWidth: 220, formatter: authorisationPeriod },
  { prop: 'current', label: '今天', width: 90, slot: true },
];

/** The adult age in force this month (parameter verification.adult_age), from the parameters list. */
export function adultAgeOf(parameters: readonly ParameterInfo[]): number | null {
  const value = parameters.find((p) => p.name === 'verification.adult_age')?.current?.value;
  return typeof value === 'number' ? value : null;
}

export interface Coverage {
  /** Each adult member, and the current authorisation for the purpose that covers them (if any). */
  adults: { personId: string; name: string; age: number; coveredBy: Authorisation | null }[];
  uncovered: { personId: string; name: string }[];
}

/**
 * Which adults a current authorisation for the purpose covers (the server's rule: every adult member, on
 * today, signed one that holds today). The server decides on submit; this only tells the caseworker first.
 */
export function coverageOf(
  members: readonly Pick<HouseholdMember, 'personId' | 'name' | 'age'>[],
  authorisations: readonly Authorisation[],
  purpose: string,
  adultAge: number,
): Coverage {
  const current = authorisations.filter((a) => a.current && a.purpose === purpose);
  const adults = members
    .filter((m) => m.age >= adultAge)
    .map((m) => ({
      personId: m.personId,
      name: m.name,
      age: m.age,
      coveredBy: current.find((a) => a.signers.some((s) => s.personId === m.personId)) ?? null,
    }));
  return {
    adults,
    uncovered: adults.filter((a) => a.coveredBy === null).map(({ personId, name }) => ({ personId, name })),
  };
}

/** A reason of at least two characters (the server's rule for every step). */
export function reasonProblem(text: string, what = '原因'): string {
  return text.trim().length < 2 ? `请填写${what}（至少 2 个字）` : '';
}

/** The request's header facts, in words. */
export function requestFields(r: VerificationRequest): { label: string; value: string }[] {
  return [
    { label: '用途', value: r.purposeName },
    { label: '来源', value: r.originName },
    { label: '街道 / 居委', value: areaText(r) },
    { label: '地址', value: r.address ?? '—' },
    { label: '核对基准日', value: r.asOf },
    { label: '受理时间', value: shanghaiDateTime(r.createdAt) },
    {
      label: '应出具日期',
      value: `${r.due.due}（受理后 ${r.due.workingDays} 个工作日${r.due.provisional ? '，按暂定日历计算' : ''}）`,
    },
    { label: '出具报告时间', value: r.reportedAt ? shanghaiDateTime(r.reportedAt) : '尚未出具' },
    {
      label: '部门答复',
      value: [`${progressText(r.progress)} 个部门已答复`, progressNote(r)].filter(Boolean).join('，'),
    },
  ];
}

/** What a re-verification job found, in one sentence (its result: households, reported, changes, …). */
export function recheckSummary(result: Record<string, unknown> | null): string {
  if (!result) return '';
  const n = (key: string) => (typeof result[key] === 'number' ? (result[key] as number) : null);
  const parts: string[] = [];
  if (n('households') !== null) parts.push(`在保家庭 ${n('households')} 户`);
  if (n('reported') !== null) parts.push(`已出具报告 ${n('reported')} 户`);
  if (n('waiting')) parts.push(`${n('waiting')} 户待部门答复`);
  if (n('changes') !== null) parts.push(`变更 ${n('changes')} 项`);
  if (n('affecting') !== null) parts.push(`其中影响资格或金额 ${n('affecting')} 项`);
  return parts.join('，');
}
