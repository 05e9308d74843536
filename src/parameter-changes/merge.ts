import {
  ParameterStore,
  type ParameterEntry,
  type ParameterSeries,
} from '../policy/engine/parameter-store.ts';
import type { ParameterStatus } from '../policy/engine/parameter.schema.ts';

/** An approved change as the merge reads it (the repository's row, reduced). */
export interface ApprovedChange {
  readonly id: string;
  readonly path: string;
  readonly districtCode: string | null;
  readonly value: number;
  readonly effective: string;
  readonly decidedOn: string | null;
  readonly documentNo: string;
  readonly source: string;
  readonly status: ParameterStatus;
  readonly note: string | null;
  /** When it was approved (ISO): later approvals at the same key win. */
  readonly approvedAt: string;
}

/** A value that comes from an approved change (已批准变更), not from the shipped file (内置文件). */
export interface ChangedEntry extends ParameterEntry {
  readonly changeId: string;
  readonly documentNo: string;
}

export function isChangedEntry(entry: ParameterEntry): entry is ChangedEntry {
  return typeof (entry as Partial<ChangedEntry>).changeId === 'string';
}

function entryOf(change: ApprovedChange): ChangedEntry {
  return {
    key: change.effective,
    value: change.value,
    status: change.status,
    source: `${change.documentNo}：${change.source}`,
    ...(change.decidedOn !== null ? { decided: change.decidedOn } : {}),
    ...(change.note !== null ? { note: change.note } : {}),
    changeId: change.id,
    documentNo: change.documentNo,
  };
}

const byKey = (a: ParameterEntry, b: ParameterEntry) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** `entries` with the changes' values merged in: a change at an existing key replaces the value there. */
function mergeEntries(
  entries: readonly ParameterEntry[],
  changes: readonly ApprovedChange[],
): ParameterEntry[] {
  const merged = new Map(entries.map((e) => [e.key, e]));
  for (const change of changes) merged.set(change.effective, entryOf(change));
  return [...merged.values()].sort(byKey);
}

/**
 * The shipped parameters with approved changes merged in (pure: the caller reads the changes). Changes
 * apply in approval order, so a later approval at the same parameter, district and date wins. A city-wide
 * change merges into the city's values; a district's change into that district's own values (区级参数,
 * `ParameterStore.forDistrict`). A district that had no values of its own keeps the city's values (as
 * merged) before its first own value, so that its view has no gap where it had the city's before.
 */
export function mergeApprovedChanges(
  baseline: ParameterStore,
  changes: readonly ApprovedChange[],
  label = 'in-force',
): ParameterStore {
  if (changes.length === 0) return baseline;
  const ordered = [...changes].sort((a, b) =>
    a.approvedAt < b.approvedAt ? -1 : a.approvedAt > b.approvedAt ? 1 : a.id < b.id ? -1 : 1,
  );
  const byPath = new Map<string, ApprovedChange[]>();
  for (const change of ordered) {
    const list = byPath.get(change.path) ?? [];
    list.push(change);
    byPath.set(change.path, list);
  }
  const series: ParameterSeries[] = baseline.list().map((s) => {
    const pathChanges = byPath.get(s.path);
    if (!pathChanges) return s;
    const entries = mergeEntries(
      s.entries,
      pathChanges.filter((c) => c.districtCode === null),
    );
    const districtCodes = new Set(
      pathChanges.flatMap((c) => (c.districtCode === null ? [] : [c.districtCode])),
    );
    if (districtCodes.size === 0) return { ...s, entries };
    const districts = new Map(s.districts ?? []);
    for (const code of districtCodes) {
      const own = pathChanges.filter((c) => c.districtCode === code);
      let base = districts.get(code);
      if (!base) {
        const first = own.reduce(
          (min, c) => (c.effective < min ? c.effective : min),
          own[0]?.effective ?? '',
        );
        base = entries.filter((e) => e.key < first);
      }
      districts.set(code, mergeEntries(base, own));
    }
    return { ...s, entries, districts };
  });
  return new ParameterStore(series, label);
}
