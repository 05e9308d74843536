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

// Digit runs that read as an ID number (18 characters, or the old 15 digits) or a phone number (a mobile,
// or a landline with or without its area code), not part of a longer run of digits or letters.
const ID_NUMBER_LIKE = /(?<![0-9A-Za-z])(?:\d{17}[0-9Xx]|\d{15})(?![0-9A-Za-z])/g;
const PHONE_LIKE = /(?<![0-9A-Za-z])(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|\d{7,8})(?![0-9A-Za-z])/g;

/**
 * Free text that may hold identifiers (a search typed into a filter, the username of a failed login)
 * with every ID-number-like and phone-like run masked as the registry masks them.
 */
export function maskIdentifiersInText(value: string): string {
  return value.replace(ID_NUMBER_LIKE, maskIdNumber).replace(PHONE_LIKE, (phone) => maskPhone(phone));
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
