import { CITY_DIVISION_CODE } from '../auth/scope.ts';
import { divisionIndex } from '../registry/divisions.ts';

/** A division's Chinese name for staff pages (上海市 for the city level, the code itself when unknown). */
export function divisionName(code: string): string {
  if (code === CITY_DIVISION_CODE) return '上海市';
  return divisionIndex().path(code)?.fullName ?? code;
}
