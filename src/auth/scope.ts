/**
 * 数据范围: what part of the population a user may see. Every user is bound to one division: the city
 * (上海市, 310000), a 区 (6 digits), a 街道/镇 (9) or a 居委会/村委会 (12). A division code is a prefix of
 * the codes below it, so "inside the scope" is a prefix test; the city holds every district.
 *
 * Repositories take a DataScope on every read and write and filter in SQL; the UI only mirrors it.
 */
export type DataScope = { readonly kind: 'all' } | { readonly kind: 'division'; readonly code: string };

/** The whole city: every district of the installation. */
export const ALL: DataScope = { kind: 'all' };

/**
 * The city level's division code for user accounts. The division index names Shanghai `31` (the
 * province-level code); staff, forms and the national standard write the city as 310000.
 */
export const CITY_DIVISION_CODE = '310000';

/** The levels a user can be bound to, from the top. */
export type UserLevel = 'city' | 'district' | 'street' | 'committee';

/** The level a user's division code stands for, by its form; whether the division exists is asked elsewhere. */
export function userLevelOf(code: string): UserLevel | undefined {
  if (code === CITY_DIVISION_CODE) return 'city';
  if (/^\d{6}$/.test(code)) return 'district';
  if (/^\d{9}$/.test(code)) return 'street';
  if (/^\d{12}$/.test(code)) return 'committee';
  return undefined;
}

/** The scope of a division: the whole city for 310000, else the division and everything below it. */
export function divisionScope(code: string): DataScope {
  const level = userLevelOf(code);
  if (level === undefined) throw new Error(`invalid division code for a scope: ${code}`);
  return level === 'city' ? ALL : { kind: 'division', code };
}

/** The district a scope lies in, if it lies in one (used to hit the distribution key). */
export function scopeDistrict(scope: DataScope): string | undefined {
  return scope.kind === 'division' ? scope.code.slice(0, 6) : undefined;
}

export function inScope(scope: DataScope, divisionCode: string): boolean {
  return scope.kind === 'all' || divisionCode.startsWith(scope.code);
}
