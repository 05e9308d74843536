/**
 * 电子档案 as the API sends it and the console and the PDF show it. No imports: the console type-checks
 * against this file (as against src/documents/document.ts). Every text is final (Chinese, names resolved,
 * money still in fen for the console to format), ID numbers masked, accounts masked unless permitted.
 */

export const ARCHIVE_KINDS = [
  'case',
  'visit',
  'report',
  'decision',
  'notice',
  'entitlement',
  'payment',
  'recovery',
] as const;
export type ArchiveKind = (typeof ARCHIVE_KINDS)[number];

export const ARCHIVE_KIND_NAMES: Readonly<Record<ArchiveKind, string>> = {
  case: '救助申请',
  visit: '入户调查',
  report: '核对报告',
  decision: '决定明细',
  notice: '通知书',
  entitlement: '待遇',
  payment: '发放记录',
  recovery: '追缴',
};

/** What a reader of an empty section reads. */
export const ARCHIVE_EMPTY: Readonly<Record<ArchiveKind, string>> = {
  case: '没有救助申请记录。',
  visit: '没有入户调查记录。',
  report: '没有家庭经济状况核对报告。',
  decision: '没有决定明细（申请尚未拟定决定，或没有申请）。',
  notice: '没有已出具的通知书。',
  entitlement: '没有待遇记录。',
  payment: '没有已审批批次中的发放记录。',
  recovery: '没有追缴记录。',
};

export interface ArchiveField {
  label: string;
  value: string;
}

/** Where the console opens the item's own page (null: it has none). */
export type ArchiveLink =
  | { page: 'case'; districtCode: string; caseId: string }
  | { page: 'verification'; districtCode: string; requestId: string }
  | { page: 'entitlement'; districtCode: string; entitlementId: string }
  | { page: 'notice'; districtCode: string; caseId: string; notice: string }
  | { page: 'payroll_run'; districtCode: string; runId: string };

export interface ArchiveEntry {
  date: string;
  text: string;
}

/** One entry of the archive: a record of one kind, on its day. */
export interface ArchiveItem {
  kind: ArchiveKind;
  /** The day it happened (YYYY-MM-DD, Shanghai): the timeline's order. */
  date: string;
  title: string;
  fields: ArchiveField[];
  /** Sub-entries in date order: a case's steps, an entitlement's change records, a decision's parameters. */
  entries: ArchiveEntry[];
  /** Longer text kept as it was (the engine's explanation). */
  note: string | null;
  link: ArchiveLink | null;
  /** Money of the item in fen (payments, recovery, entitlement amounts), for totals. */
  amountFen: number | null;
}

export interface ArchiveMember {
  personId: string;
  name: string;
  idNumberMasked: string;
  relationName: string;
}

export interface ArchiveRecipient {
  kind: 'person' | 'household';
  districtCode: string;
  id: string;
  /** The person's name; for a household its head's name. */
  name: string;
  idNumberMasked: string | null;
  householdId: string | null;
  householdNo: string | null;
  address: string | null;
  /** 区 街道 居委会, by name. */
  divisionName: string;
  members: ArchiveMember[];
}

export interface ArchiveView {
  recipient: ArchiveRecipient;
  items: ArchiveItem[];
  counts: Record<ArchiveKind, number>;
  /** Whether account numbers are shown in full (the caller's permission). */
  accountsUnmasked: boolean;
  generatedAt: string;
}
