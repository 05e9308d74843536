import { mayAct } from '../../auth/roles.ts';
import { ALL } from '../../auth/scope.ts';
import { visibleLength } from '../../core/text.ts';
import type { Db } from '../../db/store.ts';
import { decisionOf } from '../../entitlements/decision.service.ts';
import { programName } from '../../entitlements/entitlement.present.ts';
import { adultAge } from '../../entitlements/entitlements.parameters.ts';
import { entitle } from '../../entitlements/entitlement.service.ts';
import { scheduleOf } from '../../entitlements/schedules.ts';
import { formatYuan } from '../../policy/engine/exact.ts';
import { ageOn, dateKey } from '../../policy/engine/month.ts';
import { PROGRAMS, type ParameterStore } from '../../policy/index.ts';
import { householdMemberRows } from '../../registry/household.repository.ts';
import type { WorkTx } from '../../workflow/unit-of-work.ts';
import { ConflictError } from '../../workflow/workflow.errors.ts';
import type { CaseCaller } from '../case.deps.ts';
import { bumpCaseVersion, type CaseRow } from '../case.repository.ts';
import type { CaseProgram } from '../cases.handles.ts';
import { CasesError } from '../cases.errors.ts';
import { CASE_STATE_NAMES, type CaseState } from '../cases.machine.ts';
import { isCaseProgram, payFirstLimitFen } from '../cases.parameters.ts';
import { insertPayFirst, payFirstRows, settlePayFirstRow, type PayFirstRow } from './pay-first.repository.ts';
import { parametersInForce } from '../../parameter-changes/parameters-in-force.ts';

/**
 * 先行救助 (pay first, verify after): for 急难 cases the street pays a one-off amount up to the program's dated
 * limit before the verification report exists. Allowed once the case is accepted (受理 has checked the
 * application and the household) and while the verification runs (核对中): after the report the ordinary
 * decision is as quick, and paying first would no longer be "before verification". The payment is a one-off
 * entitlement whose basis is the case (rule pay_first); the decision then counts it (grantDecision pays only
 * the rest of what the engine allows), and a case that ends without granting it leaves what was paid as
 * overpaid, with why, for recovery (issue 11).
 */

export const PAY_FIRST_STATES: readonly CaseState[] = ['accepted', 'verifying'];

const ACCOUNT_RE = /^\d{8,32}$/;

/** The case's programs that may be paid first on `day`: a limit above 0, one-off and paid to the household. */
export function payFirstPrograms(
  row: Pick<CaseRow, 'programs'>,
  day: string,
  parameters?: ParameterStore,
): CaseProgram[] {
  return row.programs
    .filter(isCaseProgram)
    .filter(
      (p) =>
        PROGRAMS[p].level === 'household' &&
        scheduleOf(p) === 'once' &&
        payFirstLimitFen(p, day, parameters) > 0,
    );
}

/** Whether the page may offer 先行救助 on the case now (the action checks everything again). */
export function mayPayFirst(row: CaseRow, caller: CaseCaller, day: string): boolean {
  return (
    mayAct(caller.role, 'cases.process') &&
    PAY_FIRST_STATES.includes(row.state as CaseState) &&
    !row.payFirst &&
    payFirstPrograms(row, day).length > 0
  );
}

export interface PayFirstInput {
  version: number;
  reason: string;
  record: Record<string, unknown> | undefined;
}

function stale(row: CaseRow, message: string, code: 'stale_version' | 'wrong_state'): ConflictError {
  return new ConflictError(code, message, { state: row.state, version: row.version, allowedActions: [] });
}

/** 先行救助: records the payment, creates its one-off entitlement and marks the case paid first. */
export async function payFirst(
  tx: WorkTx,
  caller: CaseCaller,
  row: CaseRow,
  input: PayFirstInput,
  today: string,
  parameters: ParameterStore = parametersInForce(),
): Promise<{ districtCode: string; id: string; state: CaseState; version: number }> {
  if (!mayAct(caller.role, 'cases.process')) throw new CasesError('forbidden', '您没有权限办理先行救助');
  const state = row.state as CaseState;
  if (input.version !== row.version) {
    throw stale(
      row,
      `记录已被他人修改（当前状态「${CASE_STATE_NAMES[state]}」，版本 ${row.version}），请刷新后重新操作`,
      'stale_version',
    );
  }
  if (!PAY_FIRST_STATES.includes(state)) {
    throw stale(
      row,
      `当前状态为「${CASE_STATE_NAMES[state]}」，不能先行救助：先行救助须在受理后、核对报告出具前办理`,
      'wrong_state',
    );
  }
  const rec = input.record;
  const problems: string[] = [];
  if (visibleLength(input.reason.trim()) === 0) problems.push('请写明先行救助的理由（急难情形）');
  const allowed = payFirstPrograms(row, today, parameters);
  const asked = typeof rec?.program === 'string' ? rec.program : allowed.length === 1 ? allowed[0] : '';
  const program = allowed.find((p) => p === asked);
  if (!program) {
    problems.push(
      allowed.length === 0
        ? '该申请的项目不能先行救助'
        : `请选择先行救助的项目：${allowed.map((p) => PROGRAMS[p].name).join('、')}`,
    );
  }
  const existing = await payFirstRows(tx.db, { districtCode: row.districtCode, caseId: row.id });
  if (program && existing.some((r) => r.program === program)) {
    problems.push(`${PROGRAMS[program].name}已先行救助，不能再次先行救助`);
  }
  const amountFen = rec?.amountFen;
  const limitFen = program ? payFirstLimitFen(program, today, parameters) : 0;
  if (typeof amountFen !== 'number' || !Number.isSafeInteger(amountFen) || amountFen <= 0) {
    problems.push('先行救助金额应为大于 0 的整数（分）');
  } else if (program && amountFen > limitFen) {
    problems.push(
      `先行救助金额 ${formatYuan(amountFen)} 元超过${PROGRAMS[program].name}先行救助上限 ${formatYuan(limitFen)} 元（${today} 适用）`,
    );
  }
  const payeePersonId = typeof rec?.payeePersonId === 'string' ? rec.payeePersonId : '';
  const members = await householdMemberRows(tx.db, row.districtCode, row.householdId, true);
  const payee = members.find((m) => m.person.id === payeePersonId);
  const todayKey = dateKey(today)!;
  if (!payee) problems.push('请选择本户家庭成员作为收款人');
  else if (ageOn(dateKey(payee.person.birthDate)!, todayKey) < adultAge(today, parameters)) {
    problems.push(`收款人${payee.person.name}未成年，不能作为收款人`);
  }
  const bankName = typeof rec?.bankName === 'string' ? rec.bankName.trim() : '';
  const accountNo = typeof rec?.accountNo === 'string' ? rec.accountNo.trim() : '';
  if (visibleLength(bankName) < 2 || visibleLength(bankName) > 40)
    problems.push('开户银行名称应为 2–40 个字');
  if (!ACCOUNT_RE.test(accountNo)) problems.push('银行账号应为 8–32 位数字');
  if (problems.length > 0) throw new CasesError('invalid', problems.join('；'), problems);
  const key = { districtCode: row.districtCode, id: row.id };
  if (!(await bumpCaseVersion(tx, key, { state, version: row.version }, { payFirst: true }))) {
    throw stale(row, '记录已被他人修改，请刷新后重新操作', 'stale_version');
  }
  const reason = input.reason.trim();
  const month = today.slice(0, 7);
  const entitlement = await entitle(tx, {
    districtCode: row.districtCode,
    householdId: row.householdId,
    committeeCode: row.committeeCode,
    program: program!,
    schedule: 'once',
    startMonth: month,
    basis: { caseId: row.id, program: program!, payFirst: true },
    reason: `救助申请 ${row.caseNo} 先行救助：${reason}`,
    beneficiary: {
      kind: 'household',
      id: row.householdId,
      amountFen: amountFen as number,
      payeePersonId,
      payeeRole: 'household_member',
      bankName,
      accountNo,
    },
  });
  await insertPayFirst(tx, {
    districtCode: row.districtCode,
    caseId: row.id,
    program: program!,
    amountFen: amountFen as number,
    limitFen,
    reason,
    paidOn: today,
    month,
    entitlementId: entitlement.id,
    recordedBy: caller.userId ?? 'system',
    recordedAt: tx.now.toISOString(),
    settledOutcome: null,
    countedFen: null,
    overpaidFen: null,
    overpaidReason: null,
    settledAt: null,
  });
  tx.record({
    action: 'cases.recorded',
    entityType: 'case',
    entityId: row.id,
    district: row.committeeCode,
    before: { state, version: row.version, payFirst: false },
    after: {
      state,
      version: row.version + 1,
      action: 'pay_first',
      program,
      amountFen,
      limitFen,
      entitlementId: entitlement.id,
    },
  });
  return { ...key, state, version: row.version + 1 };
}

/** What was paid first and is not settled yet, by program: the approval counts it toward the grant. */
export async function paidFirstFen(
  db: Db,
  key: { districtCode: string; caseId: string },
): Promise<Record<string, number>> {
  const rows = await payFirstRows(db, key);
  return Object.fromEntries(rows.filter((r) => r.settledAt === null).map((r) => [r.program, r.amountFen]));
}

/**
 * Settles what was paid first when the case ends: approved, the granted amount of the program absorbs it up
 * to that amount; what exceeds it, or everything when the program or the case is not granted, is overpaid and
 * kept with why (a recovery note for issue 11's recovery items).
 */
export async function settlePayFirst(
  tx: WorkTx,
  row: CaseRow,
  outcome: PayFirstOutcome,
  why: string,
): Promise<void> {
  const key = { districtCode: row.districtCode, caseId: row.id };
  const rows = (await payFirstRows(tx.db, key, true)).filter((r) => r.settledAt === null);
  if (rows.length === 0) return;
  const lines = outcome === 'granted' ? (await decisionOf(tx.db, ALL, key)).lines : [];
  for (const r of rows) {
    const name = programName(r.program);
    const paid = `先行救助 ${formatYuan(r.amountFen)} 元`;
    const line = lines.find((l) => l.program === r.program);
    let counted = 0;
    let reason: string;
    if (outcome === 'denied') reason = `申请不予批准（${why}），${paid}应予追回`;
    else if (outcome === 'withdrawn') reason = `申请已撤回（${why}），${paid}应予追回`;
    else if (!line || line.outcome !== 'granted') {
      reason = `${name}不予批准（${line?.reasons.join('；') || '未批准'}），${paid}应予追回`;
    } else {
      counted = Math.min(r.amountFen, line.amountFen);
      reason = `批准的${name} ${formatYuan(line.amountFen)} 元少于${paid}，多发部分应予追回`;
    }
    const overpaid = r.amountFen - counted;
    const values = {
      settledOutcome: outcome,
      countedFen: counted,
      overpaidFen: overpaid,
      overpaidReason: overpaid > 0 ? reason : null,
      settledAt: tx.now.toISOString(),
    };
    if (!(await settlePayFirstRow(tx, { ...key, program: r.program }, values))) {
      throw stale(row, '先行救助记录已被他人处理，请刷新后重试', 'stale_version');
    }
    tx.record({
      action: 'cases.recorded',
      entityType: 'case',
      entityId: row.id,
      district: row.committeeCode,
      after: { action: 'pay_first_settled', program: r.program, amountFen: r.amountFen, ...values },
    });
  }
}

export type PayFirstOutcome = 'granted' | 'denied' | 'withdrawn';

export interface PayFirstView extends Omit<PayFirstRow, 'districtCode' | 'caseId' | 'settledOutcome'> {
  settledOutcome: PayFirstOutcome | null;
  programName: string;
  settledOutcomeName: string | null;
}

const OUTCOME_NAMES = { granted: '已批准', denied: '不予批准', withdrawn: '已撤回' } as const;

export async function payFirstOf(db: Db, row: CaseRow): Promise<PayFirstView[]> {
  const rows = await payFirstRows(db, { districtCode: row.districtCode, caseId: row.id });
  return rows.map(({ districtCode: _d, caseId: _c, ...r }) => {
    const outcome = r.settledOutcome as PayFirstOutcome | null;
    return {
      ...r,
      settledOutcome: outcome,
      programName: programName(r.program),
      settledOutcomeName: outcome === null ? null : OUTCOME_NAMES[outcome],
    };
  });
}
