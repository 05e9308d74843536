/**
 * 公民身份号码 (GB 11643-1999): 6-digit address code, 8-digit birth date, 3-digit sequence (odd for
 * men, even for women) and an ISO 7064 MOD 11-2 check character.
 */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARS = '10X98765432';

export type IdNumberProblem = 'format' | 'checksum' | 'birth_date' | 'birth_date_mismatch' | 'sex_mismatch';

export const ID_NUMBER_MESSAGES: Record<IdNumberProblem, string> = {
  format: '身份证号格式错误：应为18位，前17位为数字，末位为数字或X',
  checksum: '身份证号校验位错误',
  birth_date: '身份证号中的出生日期无效',
  birth_date_mismatch: '身份证号中的出生日期与登记的出生日期不一致',
  sex_mismatch: '身份证号中的性别与登记的性别不一致',
};

export function checkCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * WEIGHTS[i]!;
  return CHECK_CHARS[sum % 11]!;
}

export interface IdNumberFacts {
  addressCode: string;
  birthDate: string;
  /** GB/T 2261.1: 1 male, 2 female. */
  sex: 1 | 2;
}

export function isValidIsoDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** Parses an 18-character number; a lowercase x is accepted as X. */
export function parseIdNumber(
  raw: string,
): { ok: true; value: string; facts: IdNumberFacts } | { ok: false; problem: IdNumberProblem } {
  const value = raw.trim().toUpperCase();
  if (!/^\d{17}[\dX]$/.test(value)) return { ok: false, problem: 'format' };
  if (checkCharacter(value.slice(0, 17)) !== value[17]) return { ok: false, problem: 'checksum' };
  const birthDate = `${value.slice(6, 10)}-${value.slice(10, 12)}-${value.slice(12, 14)}`;
  if (!isValidIsoDate(birthDate) || birthDate < '1880-01-01') return { ok: false, problem: 'birth_date' };
  const sex = Number(value[16]) % 2 === 1 ? 1 : 2;
  return { ok: true, value, facts: { addressCode: value.slice(0, 6), birthDate, sex } };
}

/**
 * Validates a number against the record it belongs to: the birth date and sex it encodes must match.
 * `today` bounds the birth date (no one is born in the future).
 */
export function validateIdNumber(
  raw: string,
  record: { birthDate?: string; sex?: number; today?: string },
):
  | { ok: true; value: string; facts: IdNumberFacts }
  | { ok: false; problem: IdNumberProblem; message: string } {
  const parsed = parseIdNumber(raw);
  const fail = (problem: IdNumberProblem) => ({
    ok: false as const,
    problem,
    message: ID_NUMBER_MESSAGES[problem],
  });
  if (!parsed.ok) return fail(parsed.problem);
  if (record.today && parsed.facts.birthDate > record.today) return fail('birth_date');
  if (record.birthDate !== undefined && record.birthDate !== parsed.facts.birthDate)
    return fail('birth_date_mismatch');
  if (record.sex !== undefined && record.sex !== parsed.facts.sex) return fail('sex_mismatch');
  return parsed;
}

/** Builds a valid number (for the synthetic population and tests). `sequence` is 0–999; its parity sets the sex. */
export function makeIdNumber(addressCode: string, birthDate: string, sequence: number): string {
  const first17 = `${addressCode}${birthDate.replaceAll('-', '')}${String(sequence).padStart(3, '0')}`;
  return first17 + checkCharacter(first17);
}

/** 310110********1234 — the form shown in lists and exports unless a permission says otherwise. */
export function maskIdNumber(value: string): string {
  if (value.length < 10) return '*'.repeat(value.length);
  return `${value.slice(0, 6)}${'*'.repeat(value.length - 10)}${value.slice(-4)}`;
}
