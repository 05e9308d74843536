/**
 * 数据范围: what part of the population a user may see. Every user is bound to one division (区 6 digits,
 * 街道/镇 9, 居委会/村委会 12); a division code is a prefix of the codes below it, so "inside the scope"
 * is a prefix test. Bureau-wide roles (auditor, administrator of the city) see everything.
 *
 * Repositories take a DataScope on every read and write and filter in SQL; the UI only mirrors it.
 */
export type DataScope = { readonly kind: 'all' } | { readonly kind: 'division'; readonly code: string };

export const ALL: DataScope = { kind: 'all' };

export function divisionScope(code: string): DataScope {
  if (!/^(\d{6}|\d{9}|\d{12})$/.test(code)) throw new Error(`invalid division code for a scope: ${code}`);
  return { kind: 'division', code };
}

/** The district a scope lies in, if it lies in one (used to hit the distribution key). */
export function scopeDistrict(scope: DataScope): string | undefined {
  return scope.kind === 'division' ? scope.code.slice(0, 6) : undefined;
}

export function inScope(scope: DataScope, divisionCode: string): boolean {
  return scope.kind === 'all' || divisionCode.startsWith(scope.code);
}
