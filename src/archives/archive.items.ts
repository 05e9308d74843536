import { shanghaiToday } from '../core/clock.ts';
import { chineseMonth, DASH, orDash, yuan } from '../documents/format.ts';
import type { DecisionLineView } from '../entitlements/decision.service.ts';
import {
  PARAMETER_UNITS,
  type ParameterStatus,
  type ParameterUnit,
} from '../policy/engine/parameter.schema.ts';
import { formatParameterValue, STATUS_NAMES } from '../policy/engine/units.ts';
import { baselineParameters } from '../policy/index.ts';
import type { ChangeView, EntitlementView } from '../entitlements/entitlement.present.ts';
import { programName } from '../entitlements/entitlement.present.ts';
import type { PaymentRow, RecoveryRow } from '../payroll/archive.repository.ts';
import type { ArchiveEntry, ArchiveItem } from './archive.types.ts';

/**
 * Each record of another module as one archive item: final Chinese text, names not codes. Pure functions;
 * archive.service.ts reads the records and the names.
 */

/** The Shanghai day of a stored instant. */
export function dayOf(stamp: string): string {
  return shanghaiToday(new Date(stamp));
}

/** `2026-05` → 2026年5月; `2026-Q3` → 2026年第3季度. */
export function periodText(period: string): string {
  const q = /^(\d{4})-Q([1-4])$/.exec(period);
  return q ? `${q[1]}年第${q[2]}季度` : chineseMonth(period);
}

/** A parameter's Chinese description by its path (the shipped files: the description never changes by date). */
let descriptions: Map<string, string> | undefined;
function parameterDescription(path: string): string | undefined {
  descriptions ??= new Map(
    baselineParameters()
      .list()
      .map((s) => [s.path, s.description]),
  );
  return descriptions.get(path);
}

/** A parameter value as a reader reads it: the engine's own formatting (元, %, 周岁 …). */
export function parameterValueText(value: number, unit: string): string {
  return isUnit(unit) ? formatParameterValue(unit, value) : String(value);
}

function isUnit(unit: string): unit is ParameterUnit {
  return (PARAMETER_UNITS as readonly string[]).includes(unit);
}

interface ParameterLike {
  parameter: string;
  value: number;
  unit: string;
  effective: string;
  status: string;
  source: string;
}

function isParameterLike(value: unknown): value is ParameterLike {
  return typeof value === 'object' && value !== null && 'parameter' in value && 'value' in value;
}

/** A decision line: outcome, amount, the engine's result, its explanation and the parameters it read. */
export function decisionItem(
  districtCode: string,
  caseNo: string,
  caseId: string,
  line: DecisionLineView,
  names: (id: string | null) => string,
): ArchiveItem {
  const parameters = Array.isArray(line.parameters) ? line.parameters.filter(isParameterLike) : [];
  const beneficiaries = line.beneficiaries.map(
    (b) => `${b.name}：${yuan(b.amountFen)}，收款人（${b.payeeRoleName}）${b.bankName} ${b.accountNo}`,
  );
  return {
    kind: 'decision',
    date: dayOf(line.decidedAt ?? line.preparedAt),
    title: `${line.programName}：${line.outcomeName}${line.decidedAt ? '' : '（待决定）'}`,
    fields: [
      { label: '救助申请', value: caseNo },
      { label: '决定', value: line.decidedAt ? line.outcomeName : `拟${line.outcomeName}（尚未决定）` },
      { label: '金额', value: line.outcome === 'granted' ? yuan(line.amountFen) : DASH },
      { label: '起始月份', value: chineseMonth(line.startMonth) },
      {
        label: '政策引擎结果',
        value:
          line.engineEligible === null
            ? DASH
            : line.engineEligible
              ? `符合，${yuan(line.engineAmountFen ?? 0)}`
              : '不符合',
      },
      { label: '发放周期', value: orDash(line.scheduleName) },
      { label: '依据核对报告', value: line.report ? line.report.reportNo : DASH },
      { label: '拟定人', value: names(line.preparedBy) },
      { label: '决定人', value: line.decidedBy ? names(line.decidedBy) : DASH },
      ...(line.reasons.length > 0 ? [{ label: '理由', value: line.reasons.join('；') }] : []),
      ...(beneficiaries.length > 0 ? [{ label: '受益与收款', value: beneficiaries.join('\n') }] : []),
    ],
    entries: parameters.map((p) => ({
      date: p.effective,
      text: `${parameterDescription(p.parameter) ?? p.parameter}（${p.parameter}）：${parameterValueText(
        p.value,
        p.unit,
      )}，${p.effective} 起，${STATUS_NAMES[p.status as ParameterStatus] ?? p.status}；出处：${p.source}`,
    })),
    note: line.explanation || null,
    link: { page: 'case', districtCode, caseId },
    amountFen: line.outcome === 'granted' ? line.amountFen : null,
  };
}

function changeEntry(change: ChangeView, names: (id: string | null) => string): ArchiveEntry {
  const after = change.after as { amountFen?: number; state?: string } | null;
  const amount = after && typeof after.amountFen === 'number' ? `，金额 ${yuan(after.amountFen)}` : '';
  const month = change.effectiveMonth ? `，自${chineseMonth(change.effectiveMonth)}起` : '';
  return {
    date: change.changedOn,
    text: `${change.kindName}${amount}${month}：${change.reason}（${names(change.actorId)}）`,
  };
}

/** An entitlement with its change records. */
export function entitlementItem(
  e: EntitlementView,
  history: readonly ChangeView[],
  names: (id: string | null) => string,
  caseNos: ReadonlyMap<string, string>,
): ArchiveItem {
  const basis =
    e.basis.kind === 'rule'
      ? `自动纳入规则 ${e.basis.rule}`
      : `救助申请 ${caseNos.get(e.basis.caseId) ?? e.basis.caseId.slice(0, 8)}${
          e.basis.kind === 'pay_first' ? '（先行救助）' : ''
        }`;
  return {
    kind: 'entitlement',
    date: dayOf(e.createdAt),
    title: `${e.programName}${e.person ? `（${e.person.name}）` : ''}：${e.stateName}`,
    fields: [
      { label: '受益对象', value: e.person ? `${e.person.name} ${e.person.idNumberMasked}` : '本户' },
      { label: '金额', value: `${yuan(e.amountFen)}（${e.scheduleName}）` },
      {
        label: '发放期间',
        value: `${chineseMonth(e.fromMonth)}起${e.toMonth ? `，至${chineseMonth(e.toMonth)}` : ''}`,
      },
      {
        label: '收款人',
        value:
          `${e.payee.name}（${e.payee.roleName}）${e.payee.bankName ?? ''} ${e.payee.accountNo ?? ''}`.trim(),
      },
      { label: '依据', value: basis },
      { label: '状态', value: e.stateName },
    ],
    entries: history.map((h) => changeEntry(h, names)),
    note: null,
    link: { page: 'entitlement', districtCode: e.districtCode, entitlementId: e.id },
    amountFen: e.amountFen,
  };
}

const LINE_STATE: Readonly<Record<string, string>> = {
  held: '待复核',
  pending: '待银行发放',
  released: '复核放行，待银行发放',
  excluded: '复核后不予发放',
  paid: '已发放',
  failed: '发放失败',
};
const LINE_KIND: Readonly<Record<string, string>> = {
  regular: '当期发放',
  arrears: '补发',
  carried: '重发（上次发放失败）',
  offset: '追缴抵扣',
};
const RUN_STATE: Readonly<Record<string, string>> = {
  approved: '已审批',
  exported: '已导出银行文件',
  closed: '已结束',
};

/** A payment: one line of an approved run, with the bank's answer. */
export function paymentItem(
  districtCode: string,
  p: PaymentRow,
  payeeName: string,
  accountNo: string | null,
): ArchiveItem {
  const bank =
    p.state === 'paid'
      ? `已发放${p.paidOn ? `（${p.paidOn}）` : ''}${p.bankRef ? `，银行流水 ${p.bankRef}` : ''}`
      : p.state === 'failed'
        ? `发放失败：${p.failureReason ?? '未说明原因'}`
        : '尚无银行回盘';
  return {
    kind: 'payment',
    date: p.paidOn ?? (p.approvedAt ? dayOf(p.approvedAt) : `${p.runMonth}-01`),
    title: `${programName(p.program)} ${periodText(p.period)}：${yuan(p.amountFen)}（${LINE_STATE[p.state] ?? p.state}）`,
    fields: [
      {
        label: '发放批次',
        value: `${chineseMonth(p.runMonth)}批次（${RUN_STATE[p.runState] ?? p.runState}）`,
      },
      { label: '所属期间', value: periodText(p.period) },
      { label: '类别', value: LINE_KIND[p.kind] ?? p.kind },
      { label: '金额', value: yuan(p.amountFen) },
      { label: '收款人', value: `${payeeName} ${orDash(p.bankName)} ${orDash(accountNo)}` },
      { label: '银行结果', value: bank },
    ],
    entries: [],
    note: null,
    link: { page: 'payroll_run', districtCode, runId: p.runId },
    amountFen: p.amountFen,
  };
}

const RECOVERY_CAUSE: Readonly<Record<string, string>> = {
  death: '死亡后多发',
  ineligible: '不再符合条件',
  stopped: '停发后多发',
  other: '其他',
};
const RECOVERY_STATE: Readonly<Record<string, string>> = {
  open: '待追缴',
  offset: '已从后续发放中抵扣',
  collected: '已收回',
  written_off: '已核销',
  cancelled: '已撤销',
};

export function recoveryItem(r: RecoveryRow, names: (id: string | null) => string): ArchiveItem {
  return {
    kind: 'recovery',
    date: dayOf(r.raisedAt),
    title: `${programName(r.program)} ${periodText(r.period)}追缴 ${yuan(r.amountFen)}（${
      RECOVERY_STATE[r.state] ?? r.state
    }）`,
    fields: [
      { label: '原因', value: RECOVERY_CAUSE[r.cause] ?? r.cause },
      { label: '说明', value: orDash(r.note) },
      { label: '应追缴', value: yuan(r.amountFen) },
      { label: '已追回', value: yuan(r.recoveredFen) },
      { label: '状态', value: RECOVERY_STATE[r.state] ?? r.state },
      { label: '登记人', value: names(r.raisedBy) },
      ...(r.closedAt ? [{ label: '办结', value: `${dayOf(r.closedAt)}（${names(r.closedBy)}）` }] : []),
    ],
    entries: [],
    note: null,
    link: null,
    amountFen: r.amountFen,
  };
}
