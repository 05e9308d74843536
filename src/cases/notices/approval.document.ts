import {
  fields,
  heading,
  paragraphs,
  table,
  type DocumentBlock,
  type PrintDocument,
} from '../../documents/document.ts';
import { chineseDate, chineseMonth, DASH, fileNamePart, orDash } from '../../documents/format.ts';
import { caseFields } from './acceptance.document.ts';
import {
  AMOUNT_UNIT,
  deciderOf,
  groupedYuan,
  remedySentence,
  SCHEDULE_NAMES,
  sealLine,
} from './notice.format.ts';
import type { ApprovalNoticeData, GrantedLine } from './notice.types.ts';

/** Where the money goes, one row per line that names a payee; nothing when none does. */
function payeeBlocks(lines: readonly GrantedLine[]): DocumentBlock[] {
  const paid = lines.flatMap((line) => (line.payee ? [{ line, payee: line.payee }] : []));
  if (paid.length === 0) return [];
  return [
    heading('救助金发放账户'),
    table(
      [
        { header: '救助项目', width: 2 },
        { header: '救助对象', width: 1.2 },
        { header: '收款人', width: 1.2 },
        { header: '开户银行', width: 1.8 },
        { header: '账号', width: 2.2 },
      ],
      paid.map(({ line, payee }) => [
        line.programName,
        line.beneficiaryName ?? '全户',
        payee.name,
        orDash(payee.bankName),
        payee.accountNo,
      ]),
    ),
  ];
}

/** 先行救助 already paid counts in the amount above: the household is told that only the rest follows. */
function paidFirstBlocks(data: ApprovalNoticeData): DocumentBlock[] {
  const paid = data.paidFirst ?? [];
  if (paid.length === 0) return [];
  return [
    paragraphs(
      paid.map(
        (p) =>
          `${p.programName}已于${chineseDate(p.paidOn)}先行救助${groupedYuan(p.countedFen)}，计入上表金额，本次只发放其余部分。`,
      ),
    ),
  ];
}

const TITLES = { district: '社会救助审批通知书', street: '社会救助确认通知书' } as const;
const VERBS = { district: '批准', street: '确认' } as const;

/**
 * 审批通知书 (the district bureau) or 确认通知书 (a street, where the rules delegate the decision): each
 * granted program with its amount, schedule and start month, the monthly total, the payee, the household's
 * duty to report changes, and the right to review should it dispute the amount.
 */
export function approvalNoticeDocument(data: ApprovalNoticeData): PrintDocument {
  if (data.lines.length === 0) throw new Error('审批（确认）通知书至少列一个予以救助的项目');
  const issuer = deciderOf(data.authority, data.committeeCode);
  const verb = VERBS[data.authority];
  const monthlyFen = data.lines
    .filter((l) => l.schedule === 'monthly')
    .reduce((sum, l) => sum + l.amountFen, 0);
  const rows = data.lines.map((l) => [
    l.programName,
    l.beneficiaryName ?? '全户',
    l.schedule ? `${groupedYuan(l.amountFen).slice(0, -1)}${AMOUNT_UNIT[l.schedule]}` : DASH,
    l.schedule ? SCHEDULE_NAMES[l.schedule] : '资格认定，不发放',
    chineseMonth(l.startMonth),
    l.endMonth ? chineseMonth(l.endMonth) : DASH,
  ]);
  if (monthlyFen > 0)
    rows.push(['按月发放合计', '', `${groupedYuan(monthlyFen).slice(0, -1)}元/月`, '', '', '']);
  return {
    kind: `cases.notice.approval.${data.authority}`,
    issuer,
    title: TITLES[data.authority],
    subtitle: `案件编号：${data.caseCode}`,
    blocks: [
      paragraphs([
        `${data.applicantName}：`,
        `您（家庭）的社会救助申请，经家庭经济状况核对、调查与审核，符合下列救助条件，本机关于${chineseDate(data.decidedOn)}决定予以${verb}，自所列月份起发放救助金：`,
      ]),
      fields(2, [...caseFields(data), { label: '决定日期', value: chineseDate(data.decidedOn) }]),
      heading(`予以${verb}的救助项目`),
      table(
        [
          { header: '救助项目', width: 2 },
          { header: '救助对象', width: 1.2 },
          { header: '金额', width: 1.8, align: 'right' },
          { header: '发放方式', width: 1.1, align: 'center' },
          { header: '起始月份', width: 1.2, align: 'center' },
          { header: '终止月份', width: 1.2, align: 'center' },
        ],
        rows,
      ),
      ...paidFirstBlocks(data),
      ...payeeBlocks(data.lines),
      heading('告知事项'),
      paragraphs(
        [
          '享受救助期间，家庭人口、收入、财产状况发生变化的，请及时告知所在居（村）委会或街道（镇）社区事务受理服务中心；民政部门将按规定定期复核，并根据变化调整、暂停或停止救助。',
          '以虚报、隐瞒、伪造等手段骗取救助的，将依法追回已领取的救助金，并依法追究责任。',
          remedySentence(data.decidedOn, data.committeeCode),
        ],
        { numbered: true },
      ),
      sealLine(issuer, data.decidedOn),
    ],
    footer: `打印日期：${chineseDate(data.printedOn)}`,
    fileName: `${TITLES[data.authority].replace('社会救助', '')}-${fileNamePart(data.caseCode)}`,
  };
}
