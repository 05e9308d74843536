import type { Db, Store } from '../db/store.ts';
import type { ParameterStore } from '../policy/engine/parameter-store.ts';
import { baselineParameters } from '../policy/engine/parameter-store.ts';
import { approvedChanges, approvedChangesAfter, approvedVersion } from './change.repository.ts';
import { mergeApprovedChanges } from './merge.ts';

/**
 * The parameters in force in this process: the shipped YAML files merged with the approved changes
 * (merge.ts). Loaded at start-up (server, workers, CLI), reloaded after this process commits an approval
 * and when any process approves one (the trigger of migration 0024 sends NOTIFY at commit). The policy
 * engine stays pure: callers pass this store to it.
 */

/** The channel the parameter_changes_approved trigger notifies (migration 0024). */
export const PARAMETERS_CHANNEL = 'minzheng_parameters';

let merged: ParameterStore | undefined;
let loadedVersion: string | undefined;
let approvedHere = false;
let reloading: Promise<void> | undefined;

/**
 * The store every computation for a real decision uses (synchronous). Before any load, or when nothing is
 * approved, the shipped files alone.
 */
export function parametersInForce(): ParameterStore {
  return merged ?? baselineParameters();
}

/** The version (`count:last approval`) the loaded store reflects; undefined before the first load. */
export function parametersVersion(): string | undefined {
  return loadedVersion;
}

/** Reads the approved changes and replaces the store in force. */
export async function refreshParametersInForce(db: Db): Promise<ParameterStore> {
  const version = await approvedVersion(db);
  const changes = await approvedChanges(db);
  merged = changes.length === 0 ? undefined : mergeApprovedChanges(baselineParameters(), changes);
  loadedVersion = version;
  return parametersInForce();
}

/**
 * For the "before the next computation" guarantee: compares the cheap version with the loaded one and
 * reloads when it differs. Batch jobs call it at the start of each batch.
 */
export async function ensureCurrentParameters(db: Db): Promise<ParameterStore> {
  if (reloading) await reloading.catch(() => undefined);
  const version = await approvedVersion(db);
  if (version !== loadedVersion) return refreshParametersInForce(db);
  return parametersInForce();
}

/** The parameters as they stood at an instant: the files merged with what was approved by then. */
export async function parametersApprovedAsOf(db: Db, iso: string): Promise<ParameterStore> {
  const changes = await approvedChanges(db, iso);
  return mergeApprovedChanges(baselineParameters(), changes, `as-of ${iso}`);
}

export interface ApprovedChangeSummary {
  id: string;
  path: string;
  effective: string;
  approvedAt: string;
  districtCode: string | null;
  value: number;
}

/**
 * Changes approved after `sinceIso` that apply to the district (its own and the city-wide ones), in
 * approval order: what payroll reads to compute arrears for back-dated changes.
 */
export async function approvedChangesSince(
  db: Db,
  districtCode: string,
  sinceIso: string,
): Promise<ApprovedChangeSummary[]> {
  const rows = await approvedChangesAfter(db, districtCode, sinceIso);
  return rows.map((c) => ({
    id: c.id,
    path: c.path,
    effective: c.effective,
    approvedAt: c.approvedAt,
    districtCode: c.districtCode,
    value: c.value,
  }));
}

/** Called by the approve action inside its unit: the next commit of this process reloads. */
export function noteApproval(): void {
  approvedHere = true;
}

/** Resolves once a reload started by a commit or a notice has finished (the approving edge awaits it). */
export async function parametersSettled(): Promise<void> {
  while (reloading) await reloading.catch(() => undefined);
}

function reloadFrom(store: Store): void {
  const run = (async () => {
    // One reload at a time; a notice during a reload reloads again after it.
    const previous = reloading;
    if (previous) await previous.catch(() => undefined);
    await refreshParametersInForce(store.db);
  })();
  reloading = run;
  void run
    .catch(() => {
      // Left stale: ensureCurrentParameters reloads before the next batch.
      loadedVersion = undefined;
    })
    .finally(() => {
      if (reloading === run) reloading = undefined;
    });
}

/**
 * Loads the parameters in force and keeps them current for as long as `store` is open: reloaded after a
 * commit of this process that approved a change, on each notice from any process, and when the listening
 * connection comes back (notices may have been missed). Returns the function that stops.
 */
export async function attachParametersInForce(store: Store): Promise<() => Promise<void>> {
  await refreshParametersInForce(store.db);
  const stopCommits = store.afterCommit(() => {
    if (!approvedHere) return;
    approvedHere = false;
    reloadFrom(store);
  });
  try {
    const stopListening = await store.listen(PARAMETERS_CHANNEL, {
      onNotify: () => reloadFrom(store),
      onLive: (live) => {
        if (live) reloadFrom(store);
      },
    });
    return async () => {
      stopCommits();
      await stopListening();
    };
  } catch (error) {
    stopCommits();
    throw error;
  }
}

/** For tests: forget the loaded store (the next call uses the shipped files). */
export function resetParametersInForce(): void {
  merged = undefined;
  loadedVersion = undefined;
  approvedHere = false;
}
