import type { Db } from '../../db/store.ts';
import {
  approvedChangesSince,
  ensureCurrentParameters,
  parametersApprovedAsOf,
  parametersInForce,
} from '../../parameter-changes/parameters-in-force.ts';
import { baselineParameters, type ParameterStore } from '../../policy/index.ts';

/**
 * The parameters a run computes with (docs/payroll.md 计算): those in force (the shipped files merged with
 * approved changes, src/parameter-changes), the approved changes since an instant (what may explain an amount
 * that moved, and back-dated ones that owe arrears), and the parameters as they were at an instant (before a
 * change). Tests give their own.
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
  /** Brings the parameters in force up to date (each batch, before computing). */
  refresh?(db: Db): Promise<unknown>;
  inForce(): ParameterStore;
  approvedChangesSince(db: Db, districtCode: string, sinceIso: string): Promise<ApprovedChange[]>;
  approvedAsOf(db: Db, iso: string): Promise<ParameterStore>;
}

/** The installation's parameters: approved changes over the shipped files, current before every batch. */
export const installedParameters: RunParameters = {
  refresh: (db) => ensureCurrentParameters(db),
  inForce: () => parametersInForce(),
  approvedChangesSince: (db, d, since) => approvedChangesSince(db, d, since),
  approvedAsOf: (db, iso) => parametersApprovedAsOf(db, iso),
};

/** The shipped files alone, no change ever approved (tests). */
export const baselineRunParameters: RunParameters = {
  inForce: () => baselineParameters(),
  approvedChangesSince: () => Promise.resolve([]),
  approvedAsOf: () => Promise.resolve(baselineParameters()),
};
