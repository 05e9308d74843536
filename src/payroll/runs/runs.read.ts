import type { Db } from '../../db/store.ts';
import { pageBounds } from '../../registry/person.repository.ts';
import { PayrollError } from '../payroll.errors.ts';
import type { RunState } from './run.machine.ts';
import {
  presentLines,
  presentRunDetail,
  presentRuns,
  type LineView,
  type RunDetail,
  type RunView,
} from './runs.present.ts';
import { listLineRows, listRunRows, totalsOfRun, type LineFilter, type RunKey } from './runs.repository.ts';
import { loadRun, type PayrollCaller } from './runs.service.ts';

/** What the console and the API read of runs: the list, one run with its totals and timeline, its lines. */

export async function listRuns(
  db: Db,
  caller: PayrollCaller,
  filter: { districtCode?: string; month?: string; state?: RunState; limit?: number; offset?: number },
): Promise<{ items: RunView[]; total: number }> {
  const page = pageBounds(filter.limit, filter.offset);
  const { rows, total } = await listRunRows(db, caller.scope, { ...filter, ...page });
  return { items: await presentRuns(db, caller.role, rows, caller.userId), total };
}

export async function getRun(db: Db, caller: PayrollCaller, key: RunKey): Promise<RunDetail> {
  const run = await loadRun(db, caller, key);
  return presentRunDetail(db, caller.role, run, await totalsOfRun(db, caller.scope, key), caller.userId);
}

export async function listLines(
  db: Db,
  caller: PayrollCaller,
  key: RunKey,
  filter: LineFilter & { limit?: number; offset?: number },
): Promise<{ items: LineView[]; total: number }> {
  await loadRun(db, caller, key);
  if (filter.committee !== undefined && !/^\d{9}(\d{3})?$/.test(filter.committee)) {
    throw new PayrollError('invalid', `街道或居委会代码「${filter.committee}」无效，应为 9 位或 12 位数字`);
  }
  const page = pageBounds(filter.limit, filter.offset);
  const { rows, total } = await listLineRows(db, caller.scope, key, filter, page);
  return { items: await presentLines(db, caller.role, rows), total };
}
