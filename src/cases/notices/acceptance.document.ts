import { fields, paragraphs, type DocumentField, type PrintDocument } from '../../documents/document.ts';
import { chineseDate, fileNamePart, GAP } from '../../documents/format.ts';
import { sealLine, streetOffice } from './notice.format.ts';
import type { AcceptanceNoticeData, NoticeCase } from './notice.types.ts';

/** The fields every case notice opens with: the case, the applicant, the address. */
export function caseFields(data: NoticeCase): DocumentField[] {
  return [
    { label: '案件编号', value: data.caseCode },
    { label: '申请人', value: data.applicantName },
    ...(data.applicantIdNumber ? [{ label: '公民身份号码', value: data.applicantIdNumber, span: true }] : []),
    { label: '家庭住址', value: data.address, span: true },
  ];
}

/**
 * 受理通知书: the street's counter accepted the application; the steps ahead and the day by which the
 * household will be told the decision. Issued by the street office.
 */
export function acceptanceNoticeDocument(data: AcceptanceNoticeData): PrintDocument {
  const issuer = streetOffice(data.committeeCode);
  const programs = data.programs.join('、');
  const body = [
    `${data.applicantName}：`,
    `您（家庭）于${chineseDate(data.appliedOn)}提出的${programs}申请，经审查，申请材料齐全，符合受理条件，本机关已于${chineseDate(data.acceptedOn)}予以受理。`,
    data.nextSteps.length > 0
      ? `受理后，将依次开展${data.nextSteps.join('、')}等工作，并于${chineseDate(data.dueOn)}前作出决定，以书面形式告知办理结果。`
      : `本机关将于${chineseDate(data.dueOn)}前作出决定，以书面形式告知办理结果。`,
    '请您及共同生活的家庭成员如实配合家庭经济状况核对与调查；办理期间家庭人口、收入、财产状况发生变化的，请及时告知。',
  ];
  if (data.contactPhone) body.push(`如有疑问，请凭本通知书咨询，联系电话：${data.contactPhone}。`);
  return {
    kind: 'cases.notice.acceptance',
    issuer,
    title: '社会救助申请受理通知书',
    subtitle: `案件编号：${data.caseCode}`,
    blocks: [
      paragraphs(body),
      fields(2, [
        ...caseFields(data),
        { label: '申请项目', value: programs, span: true },
        { label: '申请日期', value: chineseDate(data.appliedOn) },
        { label: '受理日期', value: chineseDate(data.acceptedOn) },
        { label: '办结期限', value: `${chineseDate(data.dueOn)}前`, span: true },
        ...(data.materials && data.materials.length > 0
          ? [{ label: '已收材料', value: data.materials.join('、'), span: true }]
          : []),
      ]),
      sealLine(issuer, data.acceptedOn, '受理机关', ['受理人']),
    ],
    footer: `打印日期：${chineseDate(data.printedOn)}${GAP}本通知书一式两份，申请人与受理机关各执一份`,
    fileName: `受理通知书-${fileNamePart(data.caseCode)}`,
  };
}
