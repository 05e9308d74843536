import { inScope } from '../auth/scope.ts';
import {
  applyTransition,
  recordStart,
  type MachineDef,
  type MachineStore,
} from '../workflow/state-machine.ts';
import type { WorkTx } from '../workflow/unit-of-work.ts';
import type { AdviserCaller } from './advisers.caller.ts';
import {
  recordHead,
  recordRow,
  saveRecord,
  type RecordHead,
  type RecordKind,
} from './advisers.repository.ts';
import { AdviserError, RECORD_NOT_FOUND } from './advisers.errors.ts';

/**
 * One step of a record's machine, with the content it changes written in the same compare-and-set: the
 * step refuses a stale version (409) or a wrong state, lands in the record's timeline and the audit chain,
 * and — when it edits content — files what changed (before and after) as a second audit record.
 */
export async function stepRecord<S extends string>(
  tx: WorkTx,
  caller: AdviserCaller,
  machine: MachineDef<S, unknown>,
  kind: RecordKind,
  key: { districtCode: string; id: string; version: number },
  action: string,
  change: { fields: Record<string, unknown>; audit?: boolean; extraBefore?: Record<string, unknown> } = {
    fields: {},
  },
): Promise<{ version: number; state: S }> {
  const columns = Object.keys(change.fields).filter((k) => k !== 'actions');
  const old = change.audit ? await recordRow(tx.db, kind, key.districtCode, key.id) : undefined;
  const written = Object.fromEntries(columns.map((k) => [k, change.fields[k]]));
  const store: MachineStore<S> = {
    load: async (t, id) => {
      const head = await recordHead(t.db, kind, { kind: 'all' }, key.districtCode, id);
      return head
        ? { id, divisionCode: head.committeeCode, state: head.state as S, version: head.version }
        : null;
    },
    save: (t, id, expected, next) =>
      saveRecord(t, kind, { districtCode: key.districtCode, id }, expected, next, written),
  };
  const result = await applyTransition(tx, machine, store, {
    id: key.id,
    action,
    expectedVersion: key.version,
    role: caller.role,
    context: undefined,
    inReach: (division) => inScope(caller.scope, division),
  });
  if (old) {
    tx.record({
      action: machine.auditAction,
      entityType: machine.entityType,
      entityId: key.id,
      district: key.districtCode,
      before: { ...Object.fromEntries(columns.map((k) => [k, old[k]])), ...change.extraBefore },
      after: change.fields,
    });
  }
  return { version: result.version, state: result.to };
}

/** The record's head inside the caller's scope; absent and out of reach read alike. */
export async function headInScope(
  tx: WorkTx,
  caller: AdviserCaller,
  kind: RecordKind,
  key: { districtCode: string; id: string },
): Promise<RecordHead> {
  const head = await recordHead(tx.db, kind, caller.scope, key.districtCode, key.id);
  if (!head) throw new AdviserError('not_found', RECORD_NOT_FOUND);
  return head;
}

/** The creating step of a record just inserted: its timeline's first event and its audit record. */
export function startRecord<S extends string>(
  tx: WorkTx,
  caller: AdviserCaller,
  machine: MachineDef<S, unknown>,
  row: { id: string; committeeCode: string },
  action: string,
  after: Record<string, unknown>,
): Promise<{ state: S; version: number }> {
  return recordStart(
    tx,
    machine,
    { id: row.id, action, divisionCode: row.committeeCode, role: caller.role },
    after,
  );
}
