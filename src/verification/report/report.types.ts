import type { PolicyHousehold } from '../../policy/household.ts';
import type { ProgramCode } from '../../policy/index.ts';
import type { AnswerKind, SourceCode } from '../sources/catalogue.ts';

/**
 * 核对报告 as stored (verification_reports.body, one row per revision) and as presented: what was declared,
 * what the agencies' records show, the difference, the flags and the engine's conclusion on the verified
 * figures. Money is integer fen, counts are integers, the employment flag is 0/1; dates are ISO strings.
 */

/** The figures a report compares: the engine input's economic fields the agencies can confirm. */
export const FIGURE_KINDS = {
  wage: { subject: 'person', label: '工资性收入（月）', unit: 'fen', income: true },
  pension: { subject: 'person', label: '养老金（月）', unit: 'fen', income: true },
  other_income: { subject: 'person', label: '经营性及其他收入（月）', unit: 'fen', income: true },
  employment: { subject: 'person', label: '在职参保', unit: 'flag', income: false },
  monetary_assets: {
    subject: 'household',
    label: '货币财产（存款、证券及理财）',
    unit: 'fen',
    income: false,
  },
  homes: { subject: 'household', label: '房产（套）', unit: 'quantity', income: false },
  vehicles: { subject: 'household', label: '机动车（辆）', unit: 'quantity', income: false },
} as const satisfies Record<
  string,
  { subject: 'person' | 'household'; label: string; unit: 'fen' | 'quantity' | 'flag'; income: boolean }
>;

export type FigureKind = keyof typeof FIGURE_KINDS;
export const FIGURE_KIND_LIST = Object.keys(FIGURE_KINDS) as FigureKind[];
export const PERSON_FIGURE_KINDS = FIGURE_KIND_LIST.filter((k) => FIGURE_KINDS[k].subject === 'person');
export const HOUSEHOLD_FIGURE_KINDS = FIGURE_KIND_LIST.filter((k) => FIGURE_KINDS[k].subject === 'household');

export function isFigureKind(text: string): text is FigureKind {
  return Object.hasOwn(FIGURE_KINDS, text);
}

/** The agencies that confirm each figure (a figure is complete when all of them answered). */
export const FIGURE_SOURCES: Readonly<Record<FigureKind, readonly SourceCode[]>> = {
  wage: ['tax', 'housing_fund'],
  pension: ['social_insurance'],
  other_income: ['tax'],
  employment: ['social_insurance'],
  monetary_assets: ['deposits', 'securities'],
  homes: ['real_estate'],
  vehicles: ['vehicles'],
};

/** One verified figure: null value when no agency that confirms it answered. */
export interface VerifiedValue {
  value: number | null;
  /** Every agency that confirms it answered (a figure from some of them only is a lower bound). */
  complete: boolean;
  /** The agencies whose answers it was built from. */
  sources: SourceCode[];
}

/** What the agencies say about one member (profile.ts). */
export interface MemberProfile {
  personId: string;
  figures: Record<'wage' | 'pension' | 'other_income' | 'employment', VerifiedValue>;
  /** 工商登记: registered as a business owner or manager (null: the agency did not answer). */
  business: boolean | null;
  /** 死亡日期 from the civil records, when there is one. */
  deathDate: string | null;
  hukou: string | null;
  marital: string | null;
}

export interface HouseholdProfile {
  members: MemberProfile[];
  household: Record<'monetary_assets' | 'homes' | 'vehicles', VerifiedValue>;
}

export type QueryState = 'pending' | 'sent' | 'answered' | 'failed' | 'timed_out';

export interface QueryOutcome {
  source: SourceCode;
  state: QueryState;
  error: string | null;
}

/** A raw answer row as the report reads it (late answers are never given to the profile). */
export interface RawAnswer {
  source: SourceCode;
  personId: string;
  kind: AnswerKind;
  amountFen: number | null;
  quantity: number | null;
  flag: boolean | null;
  textValue: string | null;
}

export const FLAG_CODES = {
  unreported_income: '未申报收入',
  underreported: '少报',
  assets_over_limit: '资产超标',
  vehicles: '车辆',
  homes: '房产',
  business: '工商登记',
  deceased: '身故',
} as const;
export type FlagCode = keyof typeof FLAG_CODES;

/** One row of the comparison table: a member's (or the household's) figure of one kind. */
export interface FigureRow {
  personId: string | null;
  kind: FigureKind;
  declared: number;
  verified: number | null;
  /** verified − declared; null when nothing was verified. */
  difference: number | null;
  complete: boolean;
  sources: SourceCode[];
  /** The flags this row raised. */
  flags: FlagCode[];
  /** Set after an upheld objection: the value the applicant proved, replacing the agencies'. */
  corrected?: boolean;
}

export interface Flag {
  code: FlagCode;
  label: string;
  personId: string | null;
  kind: FigureKind | null;
  /** A sentence a caseworker can read (amounts in 元). */
  text: string;
}

/** A source that did not answer: the report states what it could not confirm. */
export interface Gap {
  source: SourceCode;
  sourceName: string;
  state: 'failed' | 'timed_out';
  kinds: AnswerKind[];
  text: string;
}

export interface ProgramConclusion {
  program: ProgramCode;
  name: string;
  /** The purpose of the request (the other programs are concluded on for every report). */
  forPurpose: boolean;
  eligible: boolean;
  amountFen: number;
  reasons: string[];
  /** The engine's explanation, as a caseworker reads it. */
  explanation: string;
  error?: string;
}

export interface Conclusion {
  month: string;
  programs: ProgramConclusion[];
  /** Parameter warnings (status, fallback) of the programs concluded on, each once. */
  warnings: string[];
}

export interface ReportMember {
  personId: string;
  name: string;
}

export interface ReportBody {
  requestId: string;
  requestNo: string;
  reportNo: string;
  revision: number;
  districtCode: string;
  householdId: string;
  purpose: string;
  asOf: string;
  partial: boolean;
  members: ReportMember[];
  figures: FigureRow[];
  flags: Flag[];
  gaps: Gap[];
  /** 工商登记 and 身故 per member (facts the figures table has no column for). */
  civil: { personId: string; business: boolean | null; deathDate: string | null }[];
  conclusion: Conclusion;
  /** The engine input with the declared figures (a revision recomputes the conclusion from it). */
  declaredInput: PolicyHousehold;
  /** Revision 2…: the objection that revised it and what it changed. */
  revisedBy?: { objectionId: string; claims: Claim[] } | undefined;
}

/** What the applicant says is right for one finding. */
export interface Claim {
  personId: string | null;
  kind: FigureKind;
  claimedValue: number;
}

/** The tolerances in force on the request's date (parameters verification.tolerance.*). */
export interface Tolerance {
  incomeFen: number;
  incomeBp: number;
  assetsFen: number;
  assetsBp: number;
}
