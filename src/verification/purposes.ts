import { isProgramCode, PROGRAMS, type ProgramCode } from '../policy/index.ts';

/**
 * What a verification is for: a program of the policy engine (the report then carries the engine's
 * conclusion for it), or another bureau's housing scheme, or 其他. Seed 000 lists the purposes one
 * district's centre served in a year.
 */
export const OTHER_PURPOSES = {
  housing_lianzu: '廉租住房',
  housing_gongyou: '共有产权保障住房',
  other: '其他',
} as const;

export type OtherPurpose = keyof typeof OTHER_PURPOSES;
export type Purpose = ProgramCode | OtherPurpose;

export function isPurpose(text: string): text is Purpose {
  return isProgramCode(text) || Object.hasOwn(OTHER_PURPOSES, text);
}

/** The programs every report concludes on, whatever the purpose (低保, 低收入, 支出型贫困). */
export const REPORT_PROGRAMS: readonly ProgramCode[] = ['dibao', 'dibao_edge', 'rigid_expense'];

/** The purpose as a caseworker reads it: the program's Chinese name, or the other purpose's. */
export function purposeName(purpose: string): string {
  if (Object.hasOwn(OTHER_PURPOSES, purpose)) return OTHER_PURPOSES[purpose as OtherPurpose];
  return isProgramCode(purpose) ? PROGRAMS[purpose].name : purpose;
}
