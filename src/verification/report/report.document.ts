import {
  fields,
  heading,
  paragraphs,
  signatures,
  table,
  type DocumentBlock,
  type PrintDocument,
} from '../../documents/document.ts';
import { GAP, SPACE, chineseDate, chineseMonth, fileNamePart, orDash, yuan } from '../../documents/format.ts';
import { divisionIndex } from '../../registry/divisions.ts';
import { FIGURE_KINDS } from './report.types.ts';
import type { ReportView } from './report.present.ts';

/**
 * 核对报告 as a printable document (pure, from the combined view: figures, flags, gaps and conclusion — never
 * the agencies' raw answers). Issued by the district's verification centre; the subtitle names the report
 * number and revision, so a printed revision 1 cannot pass for revision 2.
 */

function centreOf(districtCode: string): string {
  const name = divisionIndex().path(districtCode)?.district?.name;
  return `上海市${name ?? ''}居民经济状况核对中心`;
}

export function reportDocument(view: ReportView, printedOn: string): PrintDocument {
  const r = view.request;
  const blocks: DocumentBlock[] = [
    heading('一、核对委托'),
    fields(2, [
      { label: '委托编号', value: r.requestNo },
      { label: '核对用途', value: r.purposeName },
      { label: '街道（镇）', value: orDash(r.streetName) },
      { label: '居（村）委会', value: orDash(r.committeeName) },
      { label: '核对基准日', value: chineseDate(r.asOf) },
      { label: '出具日期', value: chineseDate(view.createdAt.slice(0, 10)) },
      {
        label: '核对成员',
        value: view.members.map((m) => m.name).join('、') || '—',
        span: true,
      },
    ]),
    heading('二、申报与核对结果对照'),
    table(
      [
        { header: '成员', width: 1 },
        { header: '项目', width: 2.2 },
        { header: '申报', width: 1.3, align: 'right' },
        { header: '核对', width: 1.3, align: 'right' },
        { header: '差额', width: 1.3, align: 'right' },
        { header: '提示', width: 1.2 },
      ],
      view.figures.map((f) => [
        f.memberName,
        `${FIGURE_KINDS[f.kind].label}${f.corrected ? '（复核更正）' : ''}${!f.complete && f.verified !== null ? '（部分）' : ''}`,
        f.declaredText,
        f.verifiedText,
        f.differenceText,
        f.flags.map((x) => x.label).join('、') || '—',
      ]),
      { small: true },
    ),
    heading('三、核对提示'),
    view.flags.length > 0
      ? paragraphs(
          view.flags.map((f) => `【${f.label}】${f.text}`),
          { numbered: true },
        )
      : paragraphs(['未发现超出容差的差异。']),
  ];
  if (view.gaps.length > 0) {
    blocks.push(
      paragraphs([`本报告为部分核对结果：${view.gaps.map((g) => g.text).join('；')}。`], {
        style: 'warning',
      }),
    );
  }
  blocks.push(
    heading(`四、政策测算结论（${chineseMonth(view.conclusion.month)}，按核对结果）`),
    table(
      [
        { header: '项目', width: 1.6 },
        { header: '结论', width: 0.9, align: 'center' },
        { header: '月金额', width: 1.1, align: 'right' },
        { header: '理由', width: 4 },
      ],
      view.conclusion.programs.map((p) => [
        `${p.name}${p.forPurpose ? '（核对用途）' : ''}`,
        p.error ? '无法测算' : p.eligible ? '符合' : '不符合',
        p.eligible ? yuan(p.amountFen) : '—',
        p.error ?? p.reasons.join('；'),
      ]),
    ),
    paragraphs(
      view.conclusion.programs.filter((p) => p.explanation).map((p) => `${p.name}：${p.explanation}`),
      { style: 'note' },
    ),
    paragraphs(
      [
        '差额为核对结果减申报数；收入差额不超过容差（固定数额或申报额的比例，取其大者）时不作提示，容差为日期参数（verification.tolerance.*）。',
        '政策测算结论由测算引擎按核对结果计算，供审核审批参考，不是审批决定。',
        '对核对结果有异议的，可在规定期限内提供证明材料申请复核；复核更正的，原报告与更正后的报告均予保留。',
        ...view.conclusion.warnings.slice(0, 3),
      ],
      { style: 'note', numbered: true },
    ),
    signatures([{ label: '核对人员' }, { label: '复核人员' }, { label: '核对机构（盖章）' }]),
  );
  return {
    kind: 'verification.report',
    issuer: centreOf(r.districtCode),
    title: '居民家庭经济状况核对报告',
    subtitle: `报告编号：${view.reportNo}${GAP}第 ${view.revision} 版（共 ${view.revisions} 版）`,
    blocks,
    footer: `打印日期：${chineseDate(printedOn)}${SPACE}智慧民政`,
    fileName: `核对报告-${fileNamePart(view.reportNo)}`,
  };
}
