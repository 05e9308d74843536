import { reactive } from 'vue';
import { registryApi } from '../../api/registry.ts';
import { session } from '../../api/session.ts';

/**
 * Street and committee names for rows that carry only a committee code (cases and entitlements): the
 * district's streets once, then each street's committees once, from the registry's division tree.
 */
const names = reactive(new Map<string, string>());
const loaded = new Set<string>();

async function children(code: string): Promise<void> {
  if (loaded.has(code)) return;
  loaded.add(code);
  try {
    for (const d of await registryApi.children(code)) names.set(d.code, d.name);
  } catch {
    loaded.delete(code);
  }
}

/** Loads the names of these committees and their streets (codes of 12 digits). */
export async function loadDivisionNames(committees: readonly string[]): Promise<void> {
  const districts = new Set(committees.map((c) => c.slice(0, 6)));
  await Promise.all([...districts].map(children));
  const streets = new Set(committees.map((c) => c.slice(0, 9)));
  await Promise.all([...streets].map(children));
}

export function streetName(committee: string): string {
  return names.get(committee.slice(0, 9)) ?? '—';
}

export function committeeName(committee: string): string {
  return names.get(committee) ?? '—';
}

/** The signed-in user's division code (a street caseworker's street, a district approver's district). */
export function ownDivision(): string {
  return session.user?.divisionCode ?? '';
}
