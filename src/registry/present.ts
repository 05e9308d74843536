import type { Category } from '../policy/household.ts';
import { isCategory } from './codes.ts';
import { divisionIndex } from './divisions.ts';
import { maskIdNumber } from './id-number.ts';
import type { PersonRecord, PersonView } from './registry.types.ts';

/** 138****5678: the first three and last four digits; shorter numbers are fully masked. */
export function maskPhone(value: string): string {
  if (value.length < 8) return '*'.repeat(value.length);
  return `${value.slice(0, 3)}${'*'.repeat(value.length - 7)}${value.slice(-4)}`;
}

export function toPersonView(record: PersonRecord, unmask: boolean): PersonView {
  return {
    ...record,
    idNumber: unmask ? record.idNumber : maskIdNumber(record.idNumber),
    phone: record.phone === null || unmask ? record.phone : maskPhone(record.phone),
    idNumberMasked: !unmask,
  };
}

/** Unknown category strings in a row (written by an older version) are dropped, not passed on. */
export function knownCategories(values: readonly string[]): Category[] {
  return values.filter(isCategory);
}

export function streetAndCommitteeNames(code: string): {
  streetName: string | null;
  committeeName: string | null;
} {
  const path = divisionIndex().path(code);
  return { streetName: path?.street?.name ?? null, committeeName: path?.committee?.name ?? null };
}
