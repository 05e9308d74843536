import { fields, heading, paragraphs, table, type PrintDocument } from '../../documents/document.ts';
import { chineseDate, fileNamePart } from '../../documents/format.ts';
import { caseFields } from './acceptance.document.ts';
import { deciderOf, remedySentence, sealLine } from './notice.format.ts';
import type { DenialNoticeData } from './notice.types.ts';

/**
 * 不予批准通知书: each program not granted with its reasons, and the right to administrative review and to
 * litigation with the time limits in force on the decision day. Issued by whoever decided (district or street).
 */
export function denialNoticeDocument(data: DenialNoticeData): PrintDocument {
  if (data.lines.length === 0) throw new Error('不予批准通知书至少列一个项目');
  for (const line of data.lines) {
    if (line.reasons.length === 0) throw new Error(`不予批准通知书须写明${line.programName}的理由`);
  }
  const issuer = deciderOf(data.authority, data.committeeCode);
  const verb = data.authority === 'district' ? '批准' : '确认';
  return {
    kind: `cases.notice.denial.${data.authority}`,
    issuer,
    title: `社会救助不予${verb}通知书`,
    subtitle: `案件编号：${data.caseCode}`,
    blocks: [
      paragraphs([
        `${data.applicantName}：`,
        `您（家庭）的社会救助申请，经家庭经济状况核对、调查与审核，本机关于${chineseDate(data.decidedOn)}决定对下列项目不予${verb}：`,
      ]),
      fields(2, [...caseFields(data), { label: '决定日期', value: chineseDate(data.decidedOn) }]),
      heading(`不予${verb}的项目及理由`),
      table(
        [
          { header: '救助项目', width: 1.6 },
          { header: '理由', width: 5 },
        ],
        data.lines.map((l) => [l.programName, l.reasons.map((r, i) => `${i + 1}. ${r}`).join('\n')]),
      ),
      heading('告知事项'),
      paragraphs(
        [
          '家庭情况发生变化、符合条件时，您可以重新提出申请。',
          remedySentence(data.decidedOn, data.committeeCode),
        ],
        { numbered: true },
      ),
      sealLine(issuer, data.decidedOn),
    ],
    footer: `打印日期：${chineseDate(data.printedOn)}`,
    fileName: `不予${verb}通知书-${fileNamePart(data.caseCode)}`,
  };
}
