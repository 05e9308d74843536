import { fields, heading, paragraphs, type PrintDocument } from '../../documents/document.ts';
import { chineseDate, fileNamePart } from '../../documents/format.ts';
import { caseFields } from './acceptance.document.ts';
import { remedySentence, sealLine, streetOffice } from './notice.format.ts';
import type { NonAcceptanceNoticeData } from './notice.types.ts';

/**
 * 不予受理通知书: why the application was not accepted, that the household may apply again, and its right to
 * administrative review and litigation (time limits from the dated parameters in force on the decision day).
 */
export function nonAcceptanceNoticeDocument(data: NonAcceptanceNoticeData): PrintDocument {
  if (data.reasons.length === 0) throw new Error('不予受理通知书须写明理由');
  const issuer = streetOffice(data.committeeCode);
  const programs = data.programs.join('、');
  return {
    kind: 'cases.notice.non_acceptance',
    issuer,
    title: '社会救助申请不予受理通知书',
    subtitle: `案件编号：${data.caseCode}`,
    blocks: [
      paragraphs([
        `${data.applicantName}：`,
        `您（家庭）于${chineseDate(data.appliedOn)}提出的${programs}申请，经审查，因下列理由，本机关决定不予受理：`,
      ]),
      paragraphs(data.reasons, { numbered: true }),
      fields(2, [
        ...caseFields(data),
        { label: '申请项目', value: programs, span: true },
        { label: '申请日期', value: chineseDate(data.appliedOn) },
        { label: '决定日期', value: chineseDate(data.decidedOn) },
      ]),
      heading('告知事项'),
      paragraphs(
        [
          '上述情形消除（如补齐申请材料、家庭情况发生变化）后，您可以重新提出申请。',
          remedySentence(data.decidedOn, data.committeeCode),
        ],
        { numbered: true },
      ),
      sealLine(issuer, data.decidedOn),
    ],
    footer: `打印日期：${chineseDate(data.printedOn)}`,
    fileName: `不予受理通知书-${fileNamePart(data.caseCode)}`,
  };
}
