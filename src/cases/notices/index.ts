import type { PrintDocument } from '../../documents/document.ts';
import { acceptanceNoticeDocument } from './acceptance.document.ts';
import { approvalNoticeDocument } from './approval.document.ts';
import { denialNoticeDocument } from './denial.document.ts';
import { nonAcceptanceNoticeDocument } from './non-acceptance.document.ts';
import type {
  AcceptanceNoticeData,
  ApprovalNoticeData,
  DenialNoticeData,
  NonAcceptanceNoticeData,
} from './notice.types.ts';

export type * from './notice.types.ts';
export { maskName } from './mask-name.ts';
export { publicityListDocument } from './publicity.document.ts';
export {
  acceptanceNoticeDocument,
  approvalNoticeDocument,
  denialNoticeDocument,
  nonAcceptanceNoticeDocument,
};

/** The notices of one case, by the name its address uses (`…/notices/approval.pdf`). */
export const CASE_NOTICE_KINDS = ['acceptance', 'non-acceptance', 'approval', 'denial'] as const;
export type CaseNoticeKind = (typeof CASE_NOTICE_KINDS)[number];

export const CASE_NOTICE_NAMES: Readonly<Record<CaseNoticeKind, string>> = {
  acceptance: '受理通知书',
  'non-acceptance': '不予受理通知书',
  approval: '审批（确认）通知书',
  denial: '不予批准（确认）通知书',
};

export type CaseNotice =
  | { kind: 'acceptance'; data: AcceptanceNoticeData }
  | { kind: 'non-acceptance'; data: NonAcceptanceNoticeData }
  | { kind: 'approval'; data: ApprovalNoticeData }
  | { kind: 'denial'; data: DenialNoticeData };

export function caseNoticeDocument(notice: CaseNotice): PrintDocument {
  switch (notice.kind) {
    case 'acceptance':
      return acceptanceNoticeDocument(notice.data);
    case 'non-acceptance':
      return nonAcceptanceNoticeDocument(notice.data);
    case 'approval':
      return approvalNoticeDocument(notice.data);
    case 'denial':
      return denialNoticeDocument(notice.data);
  }
}
