import { randomUUID } from 'node:crypto';
import { mayAct, type Acting } from '../auth/roles.ts';
import type { DataScope } from '../auth/scope.ts';
import { loadCalendar } from '../calendar/calendar.service.ts';
import { daysInMonth } from '../calendar/days.ts';
import { shanghaiToday } from '../core/clock.ts';
import type { Db } from '../db/store.ts';
import { parametersInForce } from '../parameter-changes/parameters-in-force.ts';
import { RowDigest, type WorkTx } from '../workflow/unit-of-work.ts';
import { ConflictError } from '../workflow/workflow.errors.ts';
import { dueWorkingDays } from './controls.parameters.ts';
import {
  closeFinding,
  countOpen,
  fileFindings,
  findingById,
  listFindings,
  resolveNoLongerFound,
  runInfo,
  type FindingRow,
  type FindingState,
} from './controls.repository.ts';
import { ControlError, FINDING_NOT_FOUND } from './controls.errors.ts';
import { RULES, ruleOf } from './rules/index.ts';
import { SEVERITY_NAMES, type RunCheck, type Severity } from './rules/rule.ts';

/**
 * 内控检查: every rule run over one run's lines, each one INSERT … SELECT (set-based), in the caller's unit
 * of work (H2a's payroll job calls it in its last batch, before moving the run to prepared). New findings
 * belong to the run's preparer (the finance officer who fixes the run) and are due in the severity's working
 * days from today. Open findings of the month that no check finds any more are resolved by the system.
 * One audit record per check, with a digest of the findings written.
 */

export const NO_LONGER_FOUND = '重新检查时不再出现（已整改或批次已重算）';

export interface RunCheckInput {
  districtCode: string;
  runId: string;
  month: string;
}

export async function checkRun(
  tx: WorkTx,
  input: RunCheckInput,
): Promise<{ findings: number; blocking: number }> {
  const run = await runInfo(tx.db, input.districtCode, input.runId);
  if (!run) throw new ControlError('not_found', '发放批次不存在');
  const [y, m] = input.month.split('-').map(Number) as [number, number];
  const parameters = parametersInForce().forDistrict(input.districtCode);
  const check: RunCheck = {
    districtCode: input.districtCode,
    runId: input.runId,
    month: input.month,
    monthStart: `${input.month}-01`,
    monthEnd: `${input.month}-${String(daysInMonth(y, m)).padStart(2, '0')}`,
    parameters,
  };
  const calendar = await loadCalendar(tx.db);
  const today = shanghaiToday(tx.now);
  const due: Record<Severity, string> = {
    blocking: calendar.addWorkingDays(today, dueWorkingDays('blocking', input.month, parameters)),
    warning: calendar.addWorkingDays(today, dueWorkingDays('warning', input.month, parameters)),
  };
  const checkId = randomUUID();
  const digest = new RowDigest();
  const byRule: Record<string, number> = {};
  for (const rule of RULES) {
    const rows = await fileFindings(tx, {
      rule,
      check,
      checkId,
      ownerId: run.preparedBy,
      dueOn: due[rule.severity],
    });
    byRule[rule.code] = rows.length;
    for (const r of rows) digest.add({ rule: rule.code, id: r.id, subject: r.subjectKey });
  }
  const resolved = await resolveNoLongerFound(
    tx,
    check,
    checkId,
    RULES.map((r) => r.code),
    NO_LONGER_FOUND,
  );
  for (const id of resolved) digest.add({ resolved: id });
  const open = await countOpen(tx.db, input.districtCode, input.runId);
  tx.recordBatch({
    action: 'controls.check',
    entityType: 'payroll_run',
    entityId: input.runId,
    district: input.districtCode,
    digest,
    summary: { month: input.month, byRule, resolved: resolved.length, ...open },
  });
  return open;
}

/** The rules, for filters and names. */
export function ruleViews(): {
  code: string;
  name: string;
  severity: Severity;
  severityName: string;
  description: string;
}[] {
  return RULES.map((r) => ({
    code: r.code,
    name: r.name,
    severity: r.severity,
    severityName: SEVERITY_NAMES[r.severity],
    description: r.description,
  }));
}

/** The open blocking findings of a run: its approval is refused while there is one. */
export async function openBlockingFindings(db: Db, districtCode: string, runId: string): Promise<number> {
  return (await countOpen(db, districtCode, runId)).blocking;
}

/** Who acts on findings: their data scope, role and user id (null for the system actor). */
export interface FindingsCaller {
  scope: DataScope;
  role: Acting;
  userId: string | null;
}

export interface FindingView {
  districtCode: string;
  id: string;
  rule: string;
  ruleName: string;
  severity: Severity;
  severityName: string;
  runId: string | null;
  month: string | null;
  lineNo: number | null;
  subjectKind: string;
  personName: string | null;
  householdNo: string | null;
  householdHeadName: string | null;
  description: string;
  state: FindingState;
  stateName: string;
  resolution: string | null;
  ownerId: string | null;
  ownerName: string | null;
  dueOn: string;
  overdue: boolean;
  foundAt: string;
  resolvedByName: string | null;
  resolvedAt: string | null;
  version: number;
  actions: FindingAction[];
}

export type FindingAction = 'resolve' | 'dismiss';

export const FINDING_STATE_NAMES: Record<FindingState, string> = {
  open: '待处理',
  resolved: '已整改',
  dismissed: '已排除',
};

/**
 * Four eyes on what unblocks a run: a blocking finding of a run is closed (resolved or dismissed) only by a
 * holder of findings.resolve who did not prepare the run; a warning by any holder. Problems in Chinese.
 */
function closeProblems(caller: FindingsCaller, row: FindingRow): string[] {
  const problems: string[] = [];
  if (!mayAct(caller.role, 'findings.resolve')) problems.push('您没有处理内控发现的权限');
  if (row.state !== 'open') problems.push(`该发现已${FINDING_STATE_NAMES[row.state]}`);
  if (row.severity === 'blocking' && row.runPreparedBy !== null && row.runPreparedBy === caller.userId) {
    problems.push('阻断类发现须由批次制单人以外的人员处理');
  }
  return problems;
}

function present(caller: FindingsCaller, row: FindingRow, today: string): FindingView {
  const rule = ruleOf(row.rule);
  const actions: FindingAction[] = closeProblems(caller, row).length === 0 ? ['resolve', 'dismiss'] : [];
  return {
    districtCode: row.districtCode,
    id: row.id,
    rule: row.rule,
    ruleName: rule?.name ?? row.rule,
    severity: row.severity,
    severityName: SEVERITY_NAMES[row.severity],
    runId: row.runId,
    month: row.month,
    lineNo: row.lineNo,
    subjectKind: row.subjectKind,
    personName: row.personName,
    householdNo: row.householdNo,
    householdHeadName: row.householdHeadName,
    description: row.description,
    state: row.state,
    stateName: FINDING_STATE_NAMES[row.state],
    resolution: row.resolution,
    ownerId: row.ownerId,
    ownerName: row.ownerName ?? (row.ownerId ? row.ownerId : null),
    dueOn: row.dueOn,
    overdue: row.state === 'open' && row.dueOn < today,
    foundAt: new Date(row.foundAt).toISOString(),
    resolvedByName:
      row.resolvedByName ?? (row.resolvedAt && row.resolvedBy === null ? '系统' : row.resolvedBy),
    resolvedAt: row.resolvedAt ? new Date(row.resolvedAt).toISOString() : null,
    version: row.version,
    actions,
  };
}

function requireView(caller: FindingsCaller): void {
  if (!mayAct(caller.role, 'findings.view')) throw new ControlError('forbidden', '您没有查看内控发现的权限');
}

export interface FindingQuery {
  districtCode?: string | undefined;
  runId?: string | undefined;
  rule?: string | undefined;
  severity?: Severity | undefined;
  state?: FindingState | undefined;
  /** Only the caller's own (owner). */
  mine?: boolean | undefined;
  ownerId?: string | undefined;
  month?: string | undefined;
  overdue?: boolean | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
}

export async function listFindingViews(
  db: Db,
  caller: FindingsCaller,
  q: FindingQuery,
): Promise<{ total: number; items: FindingView[] }> {
  requireView(caller);
  const limit = Math.min(Math.max(q.limit ?? 20, 1), 200);
  const offset = Math.max(q.offset ?? 0, 0);
  const today = shanghaiToday();
  const { total, rows } = await listFindings(db, caller.scope, {
    districtCode: q.districtCode,
    runId: q.runId,
    rule: q.rule,
    severity: q.severity,
    state: q.state,
    ownerId: q.mine ? (caller.userId ?? '') : q.ownerId,
    month: q.month,
    overdueOn: q.overdue ? today : undefined,
    limit,
    offset,
  });
  return { total, items: rows.map((r) => present(caller, r, today)) };
}

export async function getFinding(
  db: Db,
  caller: FindingsCaller,
  districtCode: string,
  id: string,
): Promise<FindingView> {
  requireView(caller);
  const row = await findingById(db, caller.scope, districtCode, id);
  if (!row) throw new ControlError('not_found', FINDING_NOT_FOUND);
  return present(caller, row, shanghaiToday());
}

export interface CloseInput {
  districtCode: string;
  id: string;
  /** The version the user saw. */
  version: number;
  /** 整改情况 (resolve) or 排除理由 (dismiss). */
  text: string;
}

/** 整改完成 / 排除: compare-and-set open → resolved | dismissed from the version seen, audited. */
export async function closeFindingAs(
  tx: WorkTx,
  caller: FindingsCaller,
  action: FindingAction,
  input: CloseInput,
): Promise<FindingView> {
  requireView(caller);
  const text = input.text.trim();
  if (!text) throw new ControlError('invalid', action === 'resolve' ? '请填写整改情况' : '请填写排除理由');
  const row = await findingById(tx.db, caller.scope, input.districtCode, input.id);
  if (!row) throw new ControlError('not_found', FINDING_NOT_FOUND);
  if (row.state === 'open' && row.version !== input.version) {
    throw new ConflictError(
      'stale_version',
      `该发现已被他人修改（当前版本 ${row.version}），请刷新后重新操作`,
      {
        state: row.state,
        version: row.version,
      },
    );
  }
  if (!mayAct(caller.role, 'findings.resolve'))
    throw new ControlError('forbidden', '您没有处理内控发现的权限');
  if (row.state !== 'open') {
    throw new ConflictError('wrong_state', `该发现已${FINDING_STATE_NAMES[row.state]}，不能再处理`, {
      state: row.state,
      version: row.version,
    });
  }
  const problems = closeProblems(caller, row);
  if (problems.length > 0) throw new ControlError('forbidden', problems.join('；'));
  const state = action === 'resolve' ? 'resolved' : 'dismissed';
  const saved = await closeFinding(tx, input, { version: input.version }, { state, resolution: text });
  if (!saved) {
    throw new ConflictError('stale_version', '该发现已被他人处理，请刷新后查看', {
      state: row.state,
      version: row.version,
    });
  }
  tx.record({
    action: 'finding.transition',
    entityType: 'control_finding',
    entityId: input.id,
    district: input.districtCode,
    before: { state: row.state, version: row.version },
    after: {
      state,
      version: row.version + 1,
      action,
      rule: row.rule,
      severity: row.severity,
      resolution: text,
    },
  });
  const after = await findingById(tx.db, caller.scope, input.districtCode, input.id);
  return present(caller, after!, shanghaiToday(tx.now));
}
