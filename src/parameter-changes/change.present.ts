import { actorName } from '../auth/actor-name.ts';
import { hasPermission, OPERATOR } from '../auth/roles.ts';
import { shanghaiMonth } from '../core/clock.ts';
import type { Db } from '../db/store.ts';
import { parseMonth } from '../policy/engine/month.ts';
import type { ParameterEntry, ParameterStore } from '../policy/engine/parameter-store.ts';
import type { ParameterUnit } from '../policy/engine/parameter.schema.ts';
import { getDivision } from '../registry/registry.service.ts';
import { CHANGE_STATES, type ChangeAction, type ChangeState } from './change.machine.ts';
import { listChanges, userLabels, type ChangeFilter } from './change.repository.ts';
import { callerDistrict, type ChangeCaller } from './change.service.ts';
import { isChangedEntry } from './merge.ts';
import type { ParameterChangeRow } from './schema.ts';
import { UNIT_NAMES } from './units.ts';

/** What the console and the API show of parameter changes and of parameters with their origins. */

export interface ChangeView {
  id: string;
  path: string;
  description: string;
  unit: string;
  unitName: string;
  keyedBy: 'date' | 'year';
  districtCode: string | null;
  /** 全市, or the district's name. */
  districtName: string;
  value: number;
  effective: string;
  decidedOn: string | null;
  documentNo: string;
  source: string;
  status: string;
  note: string | null;
  state: ChangeState;
  stateName: string;
  version: number;
  proposedBy: string;
  proposedByName: string;
  proposedAt: string;
  reason: string;
  decidedBy: string | null;
  decidedByName: string | null;
  decidedAt: string | null;
  decisionReason: string | null;
  /** Effective before the month it is (or was) approved in: approving it triggers arrears (将触发补发). */
  backdated: boolean;
  /** The value in force at the change's effective date before it (for the reviewer), or null. */
  previousValue: number | null;
  allowedActions: { action: ChangeAction; label: string }[];
}

const ACTION_LABELS: Record<ChangeAction, string> = { approve: '批准', reject: '驳回', withdraw: '撤回' };

export function districtName(code: string | null): string {
  return code === null ? '全市' : (getDivision(code)?.name ?? code);
}

/** The first day of the Shanghai month an instant falls in. */
function monthStart(instant: Date): string {
  return parseMonth(shanghaiMonth(instant)).firstDay;
}

/** A dated change is back-dated when it takes effect before the month of its approval (or of today). */
export function isBackdated(
  row: Pick<ParameterChangeRow, 'effective' | 'decidedAt' | 'state'>,
  now: Date,
): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(row.effective)) return false;
  const at = row.state === 'approved' && row.decidedAt ? new Date(row.decidedAt) : now;
  return row.effective < monthStart(at);
}

function allowed(caller: ChangeCaller, row: ParameterChangeRow): ChangeView['allowedActions'] {
  if (row.state !== 'proposed') return [];
  const may = (p: 'parameters.propose' | 'parameters.approve') =>
    caller.role === OPERATOR || (caller.role !== 'system' && hasPermission(caller.role, p));
  const sameLevel = row.districtCode === callerDistrict(caller);
  const actions: ChangeAction[] = [];
  if (may('parameters.approve') && sameLevel && row.proposedBy !== caller.userId)
    actions.push('approve', 'reject');
  if (may('parameters.propose') && row.proposedBy === caller.userId) actions.push('withdraw');
  return actions.map((action) => ({ action, label: ACTION_LABELS[action] }));
}

function previousValue(store: ParameterStore, row: ParameterChangeRow): number | null {
  const series = store.series(row.parameterPath);
  if (!series) return null;
  const entries =
    (row.districtCode !== null ? series.districts?.get(row.districtCode) : undefined) ?? series.entries;
  let found: ParameterEntry | null = null;
  for (const e of entries) {
    if (e.key < row.effective || (e.key === row.effective && !isChangedEntry(e))) found = e;
    else if (e.key === row.effective && isChangedEntry(e) && e.changeId !== row.id) found = e;
  }
  return found?.value ?? null;
}

export async function presentChanges(
  db: Db,
  caller: ChangeCaller,
  rows: readonly ParameterChangeRow[],
  store: ParameterStore,
  now: Date,
): Promise<ChangeView[]> {
  const labels = await userLabels(
    db,
    rows.flatMap((r) => [r.proposedBy, ...(r.decidedBy ? [r.decidedBy] : [])]),
  );
  const label = (id: string) => labels.get(id);
  return rows.map((row) => {
    const series = store.series(row.parameterPath);
    return {
      id: row.id,
      path: row.parameterPath,
      description: series?.description ?? row.parameterPath,
      unit: series?.unit ?? '',
      unitName: series ? UNIT_NAMES[series.unit] : '',
      keyedBy: series?.keyedBy ?? 'date',
      districtCode: row.districtCode,
      districtName: districtName(row.districtCode),
      value: row.value,
      effective: row.effective,
      decidedOn: row.decidedOn,
      documentNo: row.documentNo,
      source: row.source,
      status: row.status,
      note: row.note,
      state: row.state as ChangeState,
      stateName: CHANGE_STATES[row.state as ChangeState] ?? row.state,
      version: row.version,
      proposedBy: row.proposedBy,
      proposedByName: actorName(row.proposedBy, label),
      proposedAt: row.proposedAt,
      reason: row.reason,
      decidedBy: row.decidedBy,
      decidedByName: row.decidedBy ? actorName(row.decidedBy, label) : null,
      decidedAt: row.decidedAt,
      decisionReason: row.decisionReason,
      backdated: isBackdated(row, now),
      previousValue: previousValue(store, row),
      allowedActions: allowed(caller, row),
    };
  });
}

export async function listChangeViews(
  db: Db,
  caller: ChangeCaller,
  filter: ChangeFilter,
  store: ParameterStore,
  now: Date,
): Promise<ChangeView[]> {
  return presentChanges(db, caller, await listChanges(db, caller.scope, filter), store, now);
}

/** One value of a parameter with where it comes from: the shipped file, or an approved change. */
export interface OriginValue {
  from: string;
  value: number;
  status: string;
  source: string;
  decided?: string;
  note?: string;
  origin: 'file' | 'change';
  originName: string;
  changeId?: string;
  documentNo?: string;
}

function originValue(entry: ParameterEntry): OriginValue {
  const { key, value, status, source } = entry;
  return {
    from: key,
    value,
    status,
    source,
    ...(entry.decided !== undefined ? { decided: entry.decided } : {}),
    ...(entry.note !== undefined ? { note: entry.note } : {}),
    ...(isChangedEntry(entry)
      ? {
          origin: 'change' as const,
          originName: '已批准变更',
          changeId: entry.changeId,
          documentNo: entry.documentNo,
        }
      : { origin: 'file' as const, originName: '内置文件' }),
  };
}

export interface ParameterWithOrigins {
  path: string;
  description: string;
  unit: ParameterUnit;
  unitName: string;
  keyedBy: 'date' | 'year';
  values: OriginValue[];
  districts: { code: string; name: string; values: OriginValue[] }[];
  /** The city's value in force this month, or null. */
  current: OriginValue | null;
}

/** Every parameter (or one) with its city and district values, each marked with its origin. */
export function parametersWithOrigins(
  store: ParameterStore,
  month: string,
  path?: string,
): ParameterWithOrigins[] {
  const series = path === undefined ? store.list() : [store.series(path)].flatMap((s) => (s ? [s] : []));
  const m = parseMonth(month);
  return series.map((s) => {
    const current = store.resolve(s.path, m).entry;
    return {
      path: s.path,
      description: s.description,
      unit: s.unit,
      unitName: UNIT_NAMES[s.unit],
      keyedBy: s.keyedBy,
      values: s.entries.map(originValue),
      districts: [...(s.districts ?? new Map<string, readonly ParameterEntry[]>())]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([code, entries]) => ({ code, name: districtName(code), values: entries.map(originValue) })),
      current: current ? originValue(current) : null,
    };
  });
}
