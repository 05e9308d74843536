import type { Db } from '../../db/store.ts';
import { baselineParameters, type ParameterStore } from '../../policy/index.ts';

/**
 * The parameters a run computes with (docs/payroll.md 计算): those in force (the shipped files merged with
 * approved changes, src/parameter-changes — H1), the approved changes since an instant (what may explain an
 * amount that moved, and back-dated ones that owe arrears), and the parameters as they were at an instant
 * (before a change). Until the parameter-changes module is there, the shipped files and no changes.
 */
export interface ApprovedChange {
  id: string;
  path: string;
  effective: string;
  approvedAt: string;
  districtCode: string | null;
  value: number;
}

export interface RunParameters {
  inForce(): ParameterStore;
  approvedChangesSince(db: Db, districtCode: string, sinceIso: string): Promise<ApprovedChange[]>;
  approvedAsOf(db: Db, iso: string): Promise<ParameterStore>;
}

interface ParameterChangesModule {
  parametersInForce(): ParameterStore;
  refreshParametersInForce?(db: Db): Promise<unknown>;
  approvedChangesSince(db: Db, districtCode: string, sinceIso: string): Promise<ApprovedChange[]>;
  parametersApprovedAsOf(db: Db, iso: string): Promise<ParameterStore> | ParameterStore;
}

const BASELINE: RunParameters = {
  inForce: () => baselineParameters(),
  approvedChangesSince: () => Promise.resolve([]),
  approvedAsOf: () => Promise.resolve(baselineParameters()),
};

const MODULE = '../../parameter-changes/parameters-in-force.ts';
let loaded: Promise<RunParameters> | undefined;

/** The parameter-changes module's functions when it is installed, else the shipped files (loaded once). */
export function runParameters(): Promise<RunParameters> {
  loaded ??= (import(/* @vite-ignore */ MODULE) as Promise<ParameterChangesModule>).then(
    (m): RunParameters => ({
      inForce: () => m.parametersInForce(),
      approvedChangesSince: (db, d, since) => m.approvedChangesSince(db, d, since),
      approvedAsOf: async (db, iso) => m.parametersApprovedAsOf(db, iso),
    }),
    () => BASELINE,
  );
  return loaded;
}

export const baselineRunParameters = BASELINE;
