import { signatures, type DocumentBlock } from '../../documents/document.ts';
import { chineseDate, yuan } from '../../documents/format.ts';
import { issuerFor } from '../../documents/issuer.ts';
import { P, type ParamHandle } from '../../policy/engine/parameters.ts';
import { parseMonth } from '../../policy/index.ts';
import { divisionIndex } from '../../registry/divisions.ts';
import type { DecisionAuthority, PaymentSchedule } from './notice.types.ts';
import { parametersInForce } from '../../parameter-changes/parameters-in-force.ts';

/** "1234567.80元" → "1,234,567.80元": the documents' formatter, with the integer part grouped by thousands. */
export function groupedYuan(fen: number): string {
  return yuan(fen).replace(/^(-?)(\d+)/, (_, sign: string, whole: string) => {
    return sign + whole.replace(/\B(?=(\d{3})+$)/g, ',');
  });
}

export const SCHEDULE_NAMES: Readonly<Record<PaymentSchedule, string>> = {
  monthly: '按月发放',
  quarterly: '按季发放',
  once: '一次性发放',
};

/** What one payment is called in a table: the amount of a month, of a quarter, or the whole. */
export const AMOUNT_UNIT: Readonly<Record<PaymentSchedule, string>> = {
  monthly: '元/月',
  quarterly: '元/季',
  once: '元（一次性）',
};

function pathOf(code: string) {
  const path = divisionIndex().path(code);
  if (!path?.district || !path.street) throw new Error(`区划代码 ${code} 不是本市的街道（镇）或居委会`);
  return { district: path.district, street: path.street, committee: path.committee };
}

export function streetName(code: string): string {
  return pathOf(code).street.name;
}

export function committeeName(code: string): string {
  return pathOf(code).committee?.name ?? '—';
}

/**
 * A street's issuing name: a 街道 is an office of the district government (上海市杨浦区人民政府控江路街道办事处),
 * a 镇 has its own government (上海市闵行区七宝镇人民政府).
 */
export function streetOffice(code: string): string {
  const { district, street } = pathOf(code);
  return street.name.endsWith('镇')
    ? `上海市${district.name}${street.name}人民政府`
    : `上海市${district.name}人民政府${street.name}办事处`;
}

/** The body that decides: the district's civil-affairs bureau, or the street that confirms. */
export function deciderOf(authority: DecisionAuthority, code: string): string {
  return authority === 'district' ? issuerFor(code) : streetOffice(code);
}

/**
 * Where a resident asks for administrative review of a district bureau's or a street's decision: the
 * district government (行政复议法 2023 第二十四条: its departments and the offices it set up).
 */
export function reviewBody(code: string): string {
  return `上海市${pathOf(code).district.name}人民政府`;
}

function inForce(handle: ParamHandle, day: string): number {
  const resolution = parametersInForce().resolve(handle.path, parseMonth(day.slice(0, 7)));
  if (!resolution.entry) throw new Error(`参数 ${handle.path} 在 ${day} 尚无取值`);
  return resolution.entry.value;
}

/** The time limits for review and litigation in force on the day of the decision (dated parameters). */
export function remedyPeriods(day: string): { reviewDays: number; litigationMonths: number } {
  return {
    reviewDays: inForce(P.cases.notices.review_days, day),
    litigationMonths: inForce(P.cases.notices.litigation_months, day),
  };
}

/** The sentence every refusal ends with: the right to administrative review and to litigation. */
export function remedySentence(decidedOn: string, code: string): string {
  const { reviewDays, litigationMonths } = remedyPeriods(decidedOn);
  return (
    `如对本决定不服，可以自收到本通知书之日起${reviewDays}日内向${reviewBody(code)}申请行政复议，` +
    `也可以自收到本通知书之日起${litigationMonths}个月内依法向人民法院提起行政诉讼。`
  );
}

/**
 * The line every notice ends with: any signers, the issuing body (stamped on paper; `role` names it:
 * 发文机关, 受理机关, 公示单位) and the day.
 */
export function sealLine(
  issuer: string,
  day: string,
  role = '发文机关',
  signers: string[] = [],
): DocumentBlock {
  return signatures([
    ...signers.map((label) => ({ label })),
    { label: `${role}（盖章）`, value: issuer },
    { label: '日期', value: chineseDate(day) },
  ]);
}
