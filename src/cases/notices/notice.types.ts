/**
 * The data each case notice is printed from. Plain values the cases module fills from a case, its decision
 * lines and the calendar; the documents only lay them out. Dates are ISO days, months YYYY-MM, money integer
 * fen; program names are the names a resident reads (最低生活保障), already resolved.
 */

/** Who a notice is addressed to and which case it answers. */
export interface NoticeCase {
  caseCode: string;
  /** The household's residents' committee (12 digits): it names the street and district, so the issuer. */
  committeeCode: string;
  applicantName: string;
  /** The applicant's ID number as the caller may show it (masked unless a permission says otherwise). */
  applicantIdNumber?: string;
  address: string;
  /** The day printed in the footer (Shanghai's today). */
  printedOn: string;
}

/** Who decided: the district bureau approves (审批); a street confirms (确认) where the rules delegate it. */
export type DecisionAuthority = 'district' | 'street';

/** 受理通知书. */
export interface AcceptanceNoticeData extends NoticeCase {
  programs: string[];
  appliedOn: string;
  acceptedOn: string;
  /** The steps still ahead, in order, as the case's rules name them (家庭经济状况核对, 入户调查, 公示 …). */
  nextSteps: string[];
  /** The day by which the decision is due (working days from the calendar, counted by the caller). */
  dueOn: string;
  /** Materials received at the counter. */
  materials?: string[];
  /** The counter's telephone, printed for questions. */
  contactPhone?: string;
}

/** 不予受理通知书. */
export interface NonAcceptanceNoticeData extends NoticeCase {
  programs: string[];
  appliedOn: string;
  decidedOn: string;
  /** Why the application was not accepted, each a sentence. At least one. */
  reasons: string[];
}

export type PaymentSchedule = 'monthly' | 'quarterly' | 'once';

/** One granted program of a decision. */
export interface GrantedLine {
  programName: string;
  /** The person a person program is for; absent for household programs. */
  beneficiaryName?: string;
  /** Each payment (a month's for monthly, a quarter's for quarterly, the whole for one-off), integer fen. */
  amountFen: number;
  /** null: a status granted without payment (低收入困难家庭 认定). */
  schedule: PaymentSchedule | null;
  startMonth: string;
  /** The last month, when the decision sets one. */
  endMonth?: string;
  /** Who is paid and where (the account as it may be shown: masked unless a permission says otherwise). */
  payee?: { name: string; bankName?: string; accountNo: string };
}

/** 审批通知书 (district) or 确认通知书 (street). */
export interface ApprovalNoticeData extends NoticeCase {
  authority: DecisionAuthority;
  decidedOn: string;
  /** One line per program and beneficiary (a household program has one, a person program one per person). */
  lines: GrantedLine[];
  /** 先行救助 paid before the decision and counted in a line's amount (only the rest is paid now). */
  paidFirst?: { programName: string; paidOn: string; countedFen: number }[];
}

/** One denied program of a decision, with its reasons (at least one). */
export interface DeniedLine {
  programName: string;
  reasons: string[];
}

/** 不予批准通知书. */
export interface DenialNoticeData extends NoticeCase {
  authority: DecisionAuthority;
  decidedOn: string;
  lines: DeniedLine[];
}

/** One household on the public list; the full name goes in, the document masks it. */
export interface PublicityRow {
  name: string;
  committeeCode: string;
  householdSize?: number;
  programs: string[];
  /** The monthly amount proposed, integer fen; null for a program without a monthly amount. */
  amountFen: number | null;
  /** This household's own publicity period, when it differs from the list's. */
  from?: string;
  to?: string;
}

/** 公示名单 of one street (or a whole district) for one publicity period. */
export interface PublicityListData {
  /** The street (9 digits) or district (6 digits) the list covers. */
  divisionCode: string;
  /** The first and last day of the publicity (calendar days, as the case rules set them); a row may differ. */
  from: string;
  to: string;
  rows: PublicityRow[];
  /** Where an objection is taken, e.g. 控江路街道社区事务受理服务中心（控江路1000号）. */
  objectionPlace: string;
  /** A telephone (and office) for objections; without one the list names the place only. */
  contact?: string;
  printedOn: string;
}
