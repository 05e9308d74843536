import { randomUUID } from 'node:crypto';
import { mayAct, type Acting, type Permission } from '../auth/roles.ts';
import { CITY_DIVISION_CODE, type DataScope } from '../auth/scope.ts';
import { recordOnly, type ActingContext, type WorkTx } from '../workflow/unit-of-work.ts';
import { applyTransition, recordStart } from '../workflow/state-machine.ts';
import type { Store } from '../db/store.ts';
import type { ParameterSeries, ParameterStore } from '../policy/engine/parameter-store.ts';
import { PARAMETER_STATUSES } from '../policy/engine/parameter.schema.ts';
import { changeMachine, type ChangeAction } from './change.machine.ts';
import { changeStore, findChange, insertChange } from './change.repository.ts';
import { AUDITED_REFUSALS, CHANGE_NOT_FOUND, ParameterChangeError } from './parameter-changes.errors.ts';
import { noteApproval, parametersInForce } from './parameters-in-force.ts';
import { unitProblems, UNIT_NAMES } from './units.ts';

/** Who acts: their scope, role, user id (`cli:…` for the operator) and division (310000 for the city). */
export interface ChangeCaller {
  scope: DataScope;
  role: Acting;
  userId: string;
  divisionCode: string;
}

export interface ProposeInput {
  path: string;
  /** Null: the city-wide value; a district code: that district's own value. */
  districtCode: string | null;
  value: unknown;
  /** The unit the proposer meant; refused when it is not the parameter's. */
  unit?: string | undefined;
  effective: string;
  decidedOn?: string | undefined;
  documentNo: string;
  source: string;
  status: string;
  note?: string | undefined;
  reason: string;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function isCalendarDate(s: string): boolean {
  return ISO_DATE.test(s) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);
}

/** The caller's district (6 digits), or null for a city-level caller (and the command-line operator). */
export function callerDistrict(caller: ChangeCaller): string | null {
  return caller.divisionCode === CITY_DIVISION_CODE ? null : caller.divisionCode.slice(0, 6);
}

function name(series: ParameterSeries): string {
  return `「${series.description}」（${series.path}）`;
}

/** The district rule: city-wide values are the city's officers', a district's own values its officers'. */
function districtProblem(
  caller: ChangeCaller,
  districtCode: string | null,
  series: ParameterSeries,
): string | null {
  const own = callerDistrict(caller);
  if (districtCode === null && own !== null)
    return `${name(series)}的全市取值只能由市级政策管理员调整；区级政策管理员只能调整本区自行设定的取值`;
  if (districtCode !== null && own === null)
    return `${districtCode} 区自行设定的取值只能由该区的政策管理员调整`;
  if (districtCode !== null && own !== null && districtCode !== own)
    return `不能调整其他区（${districtCode}）的参数，您只能调整本区（${own}）的取值`;
  return null;
}

function require(caller: ChangeCaller, permission: Permission, what: string): void {
  if (!mayAct(caller.role, permission)) throw new ParameterChangeError('forbidden', `您没有权限${what}`);
}

/** Checks a proposal against the parameter it changes; returns the series. Throws on the first rule broken. */
export function checkProposal(
  caller: ChangeCaller,
  input: ProposeInput,
  store: ParameterStore,
): ParameterSeries {
  const series = store.series(input.path);
  if (!series) throw new ParameterChangeError('unknown_parameter', `未定义的参数：${input.path}`);
  const district = districtProblem(caller, input.districtCode, series);
  if (district) throw new ParameterChangeError('forbidden', district);
  const problems: string[] = [];
  if (input.unit !== undefined && input.unit !== series.unit)
    problems.push(
      `单位不符：${name(series)}的单位为${UNIT_NAMES[series.unit]}（${series.unit}），不是 ${input.unit}`,
    );
  problems.push(...unitProblems(series.unit, input.value));
  if (series.keyedBy === 'year') {
    if (!/^\d{4}$/.test(input.effective))
      problems.push(`${name(series)}按统计年度取值，生效时间应为年份（YYYY），不是 ${input.effective}`);
    if (input.districtCode !== null) problems.push(`${name(series)}是全市统计数值，没有区级取值`);
  } else if (!isCalendarDate(input.effective)) {
    problems.push(
      `${name(series)}按生效日期取值，生效日期应为有效的 YYYY-MM-DD 日期，不是 ${input.effective}`,
    );
  }
  if (input.decidedOn !== undefined && !isCalendarDate(input.decidedOn))
    problems.push(`决定日期应为有效的 YYYY-MM-DD 日期，不是 ${input.decidedOn}`);
  if (!(PARAMETER_STATUSES as readonly string[]).includes(input.status))
    problems.push(`核实状态应为 ${PARAMETER_STATUSES.join('、')} 之一`);
  if (!input.documentNo.trim()) problems.push('请填写文号');
  if (!input.source.trim()) problems.push('请注明来源（文件名称或出处）');
  if (problems.length > 0)
    throw new ParameterChangeError('invalid', `不能提出调整：${problems.join('；')}`, problems);
  const entries =
    (input.districtCode !== null ? series.districts?.get(input.districtCode) : undefined) ?? series.entries;
  const first = entries[0];
  if (first && input.effective < first.key)
    throw new ParameterChangeError(
      'before_first_value',
      `生效${series.keyedBy === 'year' ? '年度' : '日期'} ${input.effective} 早于${name(series)}的首个取值（${first.key}），不能调整此前的取值`,
    );
  if (!first && input.districtCode === null)
    throw new ParameterChangeError(
      'invalid',
      `${name(series)}没有全市取值（仅由各区自行设定），请调整本区的取值`,
    );
  return series;
}

/** 提出调整: checks and inserts a proposed change; returns its id. */
export async function proposeChange(
  tx: WorkTx,
  caller: ChangeCaller,
  input: ProposeInput,
  store: ParameterStore = parametersInForce(),
): Promise<string> {
  require(caller, 'parameters.propose', '提出政策参数调整');
  checkProposal(caller, input, store);
  const id = randomUUID();
  const at = tx.now.toISOString();
  await insertChange(tx, {
    id,
    parameterPath: input.path,
    districtCode: input.districtCode,
    value: input.value as number,
    effective: input.effective,
    decidedOn: input.decidedOn ?? null,
    documentNo: input.documentNo.trim(),
    source: input.source.trim(),
    status: input.status,
    note: input.note?.trim() || null,
    state: 'proposed',
    version: 1,
    proposedBy: caller.userId,
    proposedAt: at,
    reason: input.reason,
  });
  await recordStart(
    tx,
    changeMachine,
    { id, action: 'propose', divisionCode: input.districtCode ?? CITY_DIVISION_CODE, role: caller.role },
    {
      path: input.path,
      districtCode: input.districtCode,
      value: input.value,
      effective: input.effective,
      documentNo: input.documentNo,
    },
  );
  return id;
}

export interface ActInput {
  id: string;
  action: ChangeAction;
  expectedVersion?: number | undefined;
  reason: string;
}

/** 批准 / 驳回 (another officer of the same level) and 撤回 (the proposer). */
export async function actOnChange(
  tx: WorkTx,
  caller: ChangeCaller,
  input: ActInput,
  store: ParameterStore = parametersInForce(),
): Promise<{ state: string; version: number }> {
  const row = await findChange(tx.db, caller.scope, input.id);
  if (!row) throw new ParameterChangeError('not_found', CHANGE_NOT_FOUND);
  const series = store.series(row.parameterPath);
  if (!series) throw new ParameterChangeError('unknown_parameter', `未定义的参数：${row.parameterPath}`);
  if (input.action === 'withdraw') {
    require(caller, 'parameters.propose', '撤回参数调整');
    if (row.proposedBy !== caller.userId)
      throw new ParameterChangeError('forbidden', '只有提出人可以撤回参数调整');
  } else {
    require(caller, 'parameters.approve', input.action === 'approve' ? '批准参数调整' : '驳回参数调整');
    const district = districtProblem(caller, row.districtCode, series);
    if (district) throw new ParameterChangeError('forbidden', district);
    if (row.proposedBy === caller.userId)
      throw new ParameterChangeError(
        'same_officer',
        '不能审批本人提出的参数调整，须由另一名政策管理员审批（本人可撤回）',
      );
  }
  const result = await applyTransition(
    tx,
    changeMachine,
    changeStore(caller.scope, { by: caller.userId, at: tx.now.toISOString(), reason: input.reason }),
    {
      id: input.id,
      action: input.action,
      expectedVersion: input.expectedVersion,
      role: caller.role,
      context: { problems: [] },
    },
  );
  if (input.action === 'approve') noteApproval();
  return { state: result.to, version: result.version };
}

/**
 * Runs `work` in a unit; a refusal this module audits (a rule broken, bad input) is then recorded in a
 * unit of its own — nothing else is written — and thrown on.
 */
export async function withRefusalAudit<T>(
  store: Store,
  actor: ActingContext,
  attempt: {
    action: string;
    path?: string | undefined;
    id?: string | undefined;
    districtCode?: string | null | undefined;
  },
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ParameterChangeError && AUDITED_REFUSALS.includes(error.code)) {
      await recordOnly(store, actor, `参数调整被拒绝：${error.message}`.slice(0, 500), {
        action: 'parameter_change.refused',
        entityType: 'parameter_change',
        entityId: attempt.id ?? null,
        district: attempt.districtCode ?? null,
        after: { attempted: attempt.action, path: attempt.path ?? null, code: error.code },
      });
    }
    throw error;
  }
}
