import type { Program } from '../../api/types.ts';
import type { Column } from '../../utils/columns.ts';
import { formatFen } from '../../utils/money.ts';
import type { HouseholdMember } from '../../api/types.ts';
import type {
  CaseDetail,
  CaseRow,
  CaseState,
  Determination,
  Entitlement,
  EntitlementState,
  Step,
} from './api.ts';

/**
 * 救助申请 and 待遇 pages: names, options, columns and the pure helpers behind them. The state and step names
 * are the server's (src/cases/cases.machine.ts, cases.steps.ts, cases.handles.ts); they are copied here
 * because those modules reach the server's parameters, and data.test.ts checks that the copies agree.
 */

export type TagType = 'primary' | 'success' | 'warning' | 'danger' | 'info';
export interface Option<V extends string = string> {
  value: V;
  label: string;
}

export const CASE_STATE_NAMES: Readonly<Record<CaseState, string>> = {
  draft: '待受理',
  returned: '已退回',
  not_accepted: '不予受理',
  accepted: '已受理',
  verifying: '核对中',
  visit: '入户调查',
  tekun_assessment: '特困人员认定',
  evaluation: '民主评议',
  review: '审核',
  publicity: '公示',
  deciding: '待审批',
  approved: '已批准',
  denied: '不予批准',
  withdrawn: '已撤回',
};

export const CASE_STATE_OPTIONS: Option<CaseState>[] = (
  Object.entries(CASE_STATE_NAMES) as [CaseState, string][]
).map(([value, label]) => ({ value, label }));

/** The programs a household applies for through a case (src/cases/cases.handles.ts CASE_PROGRAMS). */
export const CASE_PROGRAMS = ['dibao', 'dibao_edge', 'rigid_expense', 'temporary', 'tekun'] as const;

/** The case programs by the engine's names, in the server's order. */
export function programOptions(programs: readonly Program[]): Option[] {
  const names = new Map(programs.map((p) => [p.code, p.name]));
  return CASE_PROGRAMS.map((code) => ({ value: code, label: names.get(code) ?? code }));
}

/** The programs by name; a dash while the names are loading (a code is never shown in their place). */
export function programNames(codes: readonly string[], programs: readonly Program[]): string {
  if (programs.length === 0) return '—';
  const names = new Map(programs.map((p) => [p.code, p.name]));
  return codes.map((c) => names.get(c) ?? c).join('、');
}

/** 申请材料清单 at the counter (keys stored on the case, labels shown). */
export const MATERIALS: readonly Option[] = [
  { value: 'application', label: '救助申请书' },
  { value: 'identity', label: '申请人及家庭成员身份证、户口簿' },
  { value: 'authorisation', label: '家庭经济状况核对授权书' },
  { value: 'income', label: '收入证明' },
  { value: 'disability', label: '残疾证或病情证明' },
  { value: 'other', label: '其他证明材料' },
];

/** 入户调查 checklist items (keys stored on the visit record). */
export const VISIT_CHECKLIST: readonly Option[] = [
  { value: 'residence', label: '实际居住情况与申报一致' },
  { value: 'members', label: '共同生活的家庭成员与申报一致' },
  { value: 'living', label: '生活状况（住房、家电、车辆）已查看' },
  { value: 'health', label: '成员健康与劳动能力已了解' },
  { value: 'income', label: '收入来源已了解' },
];

export function checklistLabel(key: string, items: readonly Option[]): string {
  return items.find((i) => i.value === key)?.label ?? key;
}

/** The case's actions as the caseworker reads them (the machine's labels, src/cases/cases.machine.ts). */
export const ACTION_LABELS: Readonly<Record<string, string>> = {
  open_review: '开启复审',
  open_change: '报告变更',
  accept: '受理',
  not_accept: '不予受理',
  return: '退回网上申请',
  start_verification: '发起家庭经济状况核对',
  verified: '完成核对',
  record_visit: '登记入户调查',
  record_tekun_assessment: '登记特困人员认定',
  pay_first: '先行救助',
  record_evaluation: '登记民主评议',
  record_review: '登记审核意见',
  start_publicity: '开始公示',
  record_objection: '登记异议',
  end_publicity: '结束公示',
  declare_relatives: '确认近亲属备案',
  approve_first: '第一审批人同意',
  approve: '审批通过',
  deny: '不予批准',
  withdraw: '撤回申请',
};

/** The approve and deny buttons say 确认 for a case the street decides. */
export function actionLabel(action: string, decider: 'district' | 'street'): string {
  if (decider === 'street' && action === 'approve') return '确认';
  if (decider === 'street' && action === 'deny') return '不予确认';
  return ACTION_LABELS[action] ?? action;
}

/** Actions that need a reason written in the dialog (the server refuses them without one). */
export const REASON_ACTIONS = new Set(['not_accept', 'return', 'withdraw', 'deny', 'declare_relatives']);

/** Actions that end a case against the applicant: a danger button and a confirmation. */
export const DANGER_ACTIONS = new Set(['not_accept', 'return', 'withdraw', 'deny']);

export function caseTagType(state: CaseState): TagType {
  if (state === 'approved') return 'success';
  if (state === 'denied' || state === 'not_accepted' || state === 'returned') return 'danger';
  if (state === 'withdrawn') return 'info';
  if (state === 'deciding' || state === 'publicity') return 'warning';
  return 'primary';
}

const DAY_MS = 86_400_000;

/** Calendar days past the due day (0 when not overdue); dates are YYYY-MM-DD. */
export function daysOverdue(dueOn: string | null, today: string): number {
  if (!dueOn || dueOn >= today) return 0;
  return Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${dueOn}T00:00:00Z`)) / DAY_MS);
}

const STEP_STATE: Readonly<Record<Step, CaseState>> = {
  verify: 'verifying',
  visit: 'visit',
  tekun_assessment: 'tekun_assessment',
  evaluation: 'evaluation',
  review: 'review',
  publicity: 'publicity',
  decide: 'deciding',
};

export interface StepMark {
  title: string;
  status: 'finish' | 'process' | 'wait' | 'error';
}

/**
 * The steps bar: 受理, then the case's required steps (names from the server), done up to the current
 * one. A closed case marks all done when approved, and its last reached step as error otherwise.
 */
export function stepMarks(c: Pick<CaseRow, 'state' | 'requiredSteps' | 'stepNames'>): StepMark[] {
  const titles = ['受理', ...c.stepNames];
  const states: CaseState[] = ['draft', ...c.requiredSteps.map((s) => STEP_STATE[s])];
  if (c.state === 'approved') return titles.map((title) => ({ title, status: 'finish' }));
  let current = states.indexOf(c.state);
  if (c.state === 'accepted') current = 1;
  if (current < 0) {
    // Closed against the applicant: before acceptance (不予受理、退回) or somewhere on the way.
    const failedAt = c.state === 'not_accepted' || c.state === 'returned' ? 0 : titles.length - 1;
    return titles.map((title, i) => ({
      title,
      status: i < failedAt ? 'finish' : i === failedAt ? 'error' : 'wait',
    }));
  }
  return titles.map((title, i) => ({
    title,
    status: i < current ? 'finish' : i === current ? 'process' : 'wait',
  }));
}

/** Where a case stands for the caller: 逾期 N 天, the due day, or nothing once closed. */
export function dueText(c: Pick<CaseRow, 'dueOn' | 'dueProvisional' | 'overdue'>, today: string): string {
  if (!c.dueOn) return '—';
  if (c.overdue) return `逾期 ${daysOverdue(c.dueOn, today)} 天`;
  return c.dueProvisional ? `${c.dueOn}（暂定）` : c.dueOn;
}

export function yuan(fen: number): string {
  return `${formatFen(fen)} 元`;
}

export const caseColumns: Column<CaseRow>[] = [
  { prop: 'caseNo', label: '申请编号', minWidth: 170, slot: true },
  { prop: 'householdNo', label: '家庭户', minWidth: 140, slot: true },
  { prop: 'committeeCode', label: '街道 / 居委会', minWidth: 170, slot: true },
  { prop: 'programs', label: '申请项目', minWidth: 200, slot: true },
  { prop: 'channel', label: '渠道', width: 90, formatter: (r) => channelName(r.channel) },
  { prop: 'appliedOn', label: '申请日期', width: 110 },
  { prop: 'state', label: '状态', width: 110, slot: true },
  { prop: 'dueOn', label: '办理期限', width: 150, slot: true },
];

export function channelName(channel: string): string {
  return channel === 'online' ? '网上申请' : channel === 'counter' ? '窗口受理' : channel;
}

/** The approval queue: cases waiting for the caller's decision (first or second approver). */
export function waitingForMe(c: CaseRow): boolean {
  return (
    c.state === 'deciding' &&
    (c.allowedActions.includes('approve') || c.allowedActions.includes('approve_first'))
  );
}

/** The notices a case has by now (the server refuses one before its event with 409). */
export function noticeKinds(c: Pick<CaseDetail, 'state' | 'acceptedOn'>): Option[] {
  const kinds: Option[] = [];
  if (c.acceptedOn) kinds.push({ value: 'acceptance', label: '受理通知书' });
  if (c.state === 'not_accepted') kinds.push({ value: 'non-acceptance', label: '不予受理通知书' });
  if (c.state === 'approved') kinds.push({ value: 'approval', label: '审批（确认）通知书' });
  if (c.state === 'denied') kinds.push({ value: 'denial', label: '不予批准（确认）通知书' });
  return kinds;
}

export const ENTITLEMENT_STATE_NAMES: Readonly<Record<EntitlementState, string>> = {
  active: '发放中',
  suspended: '已暂停',
  stopped: '已停发',
};

export const ENTITLEMENT_STATE_OPTIONS: Option<EntitlementState>[] = (
  Object.entries(ENTITLEMENT_STATE_NAMES) as [EntitlementState, string][]
).map(([value, label]) => ({ value, label }));

export function entitlementTagType(state: EntitlementState): TagType {
  return state === 'active' ? 'success' : state === 'suspended' ? 'warning' : 'info';
}

/** 受益对象: the person of a person program, the household otherwise. */
export function beneficiaryText(e: Pick<Entitlement, 'beneficiaryKind' | 'person'>): string {
  return e.beneficiaryKind === 'person' && e.person ? e.person.name : '全户';
}

export function periodText(e: Pick<Entitlement, 'fromMonth' | 'toMonth'>): string {
  return `${e.fromMonth} 起${e.toMonth ? `，至 ${e.toMonth}` : ''}`;
}

export const entitlementColumns: Column<Entitlement>[] = [
  { prop: 'programName', label: '项目', minWidth: 150 },
  { prop: 'beneficiaryId', label: '受益对象', minWidth: 120, formatter: beneficiaryText },
  { prop: 'committeeCode', label: '街道 / 居委会', minWidth: 170, slot: true },
  {
    prop: 'payee',
    label: '收款人',
    minWidth: 130,
    formatter: (e) => `${e.payee.name}（${e.payee.roleName}）`,
  },
  { prop: 'amountFen', label: '金额', width: 130, align: 'right', formatter: (e) => yuan(e.amountFen) },
  { prop: 'scheduleName', label: '发放方式', width: 100 },
  { prop: 'fromMonth', label: '发放期间', minWidth: 150, formatter: periodText },
  { prop: 'state', label: '状态', width: 90, slot: true },
];

/** One beneficiary of a program the caseworker may grant, with the payee and account to be filled. */
export interface PayeeRow {
  program: string;
  programName: string;
  beneficiaryId: string;
  beneficiaryName: string;
  payeePersonId: string;
  bankName: string;
  accountNo: string;
}

/**
 * The beneficiaries of the applied programs the engine finds eligible: the household for a household
 * program (paid to the applicant), each member with an amount for a person program (paid to an adult
 * member themself, to the applicant for a child, whom the caseworker may change to a guardian).
 */
export function payeeRows(
  d: Pick<Determination, 'programs'>,
  householdId: string,
  members: readonly Pick<HouseholdMember, 'personId' | 'name' | 'age'>[],
  applicantPersonId: string,
): PayeeRow[] {
  const rows: PayeeRow[] = [];
  for (const p of d.programs) {
    if (!p.applied || !p.eligible) continue;
    const base = { program: p.program, programName: p.name, bankName: '', accountNo: '' };
    if (p.level === 'household') {
      rows.push({
        ...base,
        beneficiaryId: householdId,
        beneficiaryName: '全户',
        payeePersonId: applicantPersonId,
      });
      continue;
    }
    for (const m of p.members ?? []) {
      if (m.amountFen <= 0) continue;
      const adult = (members.find((x) => x.personId === m.personId)?.age ?? 0) >= 18;
      rows.push({
        ...base,
        beneficiaryId: m.personId,
        beneficiaryName: m.name,
        payeePersonId: adult ? m.personId : applicantPersonId,
      });
    }
  }
  return rows;
}
