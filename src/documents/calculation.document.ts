import { formatParameterValue, STATUS_NAMES } from '../policy/engine/units.ts';
import type { ParameterStatus } from '../policy/engine/parameter.schema.ts';
import type { ParameterWarning } from '../policy/engine/resolved-params.ts';
import type { DisabilityKind } from '../policy/household.ts';
import { CATEGORY_NAMES, DISABILITY_CATEGORIES, DISABILITY_KIND_BY_CATEGORY } from '../registry/codes.ts';
import type { CalculationData, CalculationMember } from './calculation.data.ts';
import { fields, heading, paragraphs, signatures, table, type PrintDocument } from './document.ts';
import { GAP, SPACE, chineseDate, chineseMonth, DASH, fileNamePart, yesNo, yuan } from './format.ts';

/** 社会救助测算单: the calculator's result, printable, from `gatherCalculation` (calculation.data.ts). */

const KIND_NAMES = Object.fromEntries(
  Object.entries(DISABILITY_KIND_BY_CATEGORY).map(([category, kind]) => [
    kind,
    DISABILITY_CATEGORIES[Number(category) as keyof typeof DISABILITY_CATEGORIES],
  ]),
) as Record<DisabilityKind, string>;

const OUTCOME = { eligible: '符合', ineligible: '不符合', error: '无法计算' } as const;

function disabilityOf({ member: m }: CalculationMember): string {
  if (m.disabilityGrade === null && m.disabilityKind === null) return DASH;
  const kind = m.disabilityKind ? KIND_NAMES[m.disabilityKind] : '残疾';
  return m.disabilityGrade === null ? kind : `${kind}${m.disabilityGrade}级`;
}

function situationOf({ member: m }: CalculationMember): string {
  const parts = [
    ...(m.employed ? ['就业'] : []),
    ...(m.seriousIllness ? ['重病'] : []),
    ...(m.hasSupporter ? [] : ['无法定赡养（抚养、扶养）人']),
    ...m.categories.map((c) => CATEGORY_NAMES[c]),
  ];
  return parts.length ? parts.join('、') : DASH;
}

/**
 * A warning that a yearly statistic fell back to an earlier year says more than the status column (the
 * engine words status warnings as 参数 … 为…, and fallbacks as …年数值未录入，使用…).
 */
const isYearFallback = (warning: ParameterWarning) => !warning.message.startsWith('参数 ');

const statusName = (status: string) => STATUS_NAMES[status as ParameterStatus] ?? status;

export function calculationDocument(data: CalculationData, context: { issuer: string }): PrintDocument {
  const h = data.household;
  const registered = data.source.kind === 'registered' ? data.source : null;
  const month = chineseMonth(data.month);
  const eligible = data.programs.filter((p) => p.outcome === 'eligible');
  return {
    kind: 'policy.calculation',
    issuer: context.issuer,
    title: '社会救助测算单',
    subtitle: `测算月份：${month}${GAP}${registered ? `户编号：${registered.householdNo}` : '家庭信息：手工录入'}`,
    watermark: '测算',
    blocks: [
      paragraphs(
        [
          '本单为按所填家庭信息和现行政策参数进行的测算，不是救助审批决定，不作为享受待遇的凭证。能否享受及金额，以经办机关受理申请、核对家庭经济状况后依法作出的决定为准。',
        ],
        { style: 'warning' },
      ),
      heading('一、家庭情况'),
      fields(2, [
        ...(registered
          ? [
              { label: '户编号', value: registered.householdNo },
              { label: '家庭人口', value: `${data.members.length}人` },
              { label: '住址', value: registered.address, span: true },
            ]
          : [{ label: '家庭人口', value: `${data.members.length}人`, span: true }]),
        { label: '货币财产', value: yuan(h.monetaryAssetsFen) },
        { label: '机动车', value: `${h.vehicles}辆` },
        { label: '住房', value: `${h.homes}套` },
        { label: '人均住房面积低于平均', value: yesNo(h.perCapitaFloorAreaBelowAverage) },
        { label: '年医疗支出', value: yuan(h.medicalExpenseAnnualFen) },
        { label: '年教育支出', value: yuan(h.educationExpenseAnnualFen) },
        { label: '申请临时救助月数', value: `${h.temporaryAssistanceMonths}个月` },
        { label: '适老化改造费用', value: yuan(h.renovationCostFen) },
      ]),
      table(
        [
          { header: '成员', width: 1.6 },
          { header: '出生日期', width: 1.35 },
          { header: '户籍', width: 0.7, align: 'center' },
          { header: '月工资', width: 1.1, align: 'right' },
          { header: '月养老金', width: 1.1, align: 'right' },
          { header: '其他月收入', width: 1.2, align: 'right' },
          { header: '残疾', width: 1 },
          { header: '其他情况', width: 1.3 },
        ],
        data.members.map((m) => [
          m.label,
          m.member.birthDate,
          m.member.hukou === 'shanghai' ? '本市' : '外省市',
          yuan(m.member.wageFen),
          yuan(m.member.pensionFen),
          yuan(m.member.otherIncomeFen),
          disabilityOf(m),
          situationOf(m),
        ]),
        { empty: '（没有成员）' },
      ),
      heading(`二、测算结果（${month}）`),
      table(
        [
          { header: '救助项目', width: 2 },
          { header: '结果', width: 0.8, align: 'center' },
          { header: '金额（元/月）', width: 1.4, align: 'right' },
          { header: '依据', width: 4 },
        ],
        [
          ...data.programs.map((p) => [
            p.name,
            OUTCOME[p.outcome],
            p.outcome === 'eligible'
              ? [yuan(p.amountFen), ...p.members.map((m) => `${m.label} ${yuan(m.amountFen)}`)].join('\n')
              : DASH,
            p.reason,
          ]),
          ['每月合计', '', yuan(data.totalFen), `符合 ${eligible.length} 项`],
        ],
      ),
      ...(eligible.some((p) => p.narrative)
        ? [
            heading('三、计算说明'),
            paragraphs(
              eligible.flatMap((p) => (p.narrative ? [p.narrative] : [])),
              { numbered: true },
            ),
          ]
        : []),
      heading(eligible.some((p) => p.narrative) ? '四、所用政策参数' : '三、所用政策参数'),
      paragraphs(
        [
          `按${chineseDate(`${data.month}-01`)}有效的政策参数测算（年度统计数据取适用年度的数值）；下表列出符合项目所用的参数、生效日期、核实状态与来源。`,
        ],
        { style: 'note' },
      ),
      table(
        [
          { header: '参数', width: 2.2 },
          { header: '取值', width: 1.1, align: 'right' },
          { header: '生效', width: 1 },
          { header: '状态', width: 1.1 },
          { header: '来源', width: 3.2 },
        ],
        data.parameters.map((p) => [
          p.description || p.parameter,
          formatParameterValue(p.unit, p.value),
          p.effective,
          statusName(p.status),
          p.source,
        ]),
        { empty: '（该户不符合任何项目，未列参数）', small: true },
      ),
      ...(data.warnings.length
        ? [
            paragraphs(
              [
                `提示：其中 ${data.warnings.length} 项参数未经正式来源核实（见“状态”列），测算结果仅供参考。`,
                ...data.warnings.filter(isYearFallback).map((w) => w.message),
              ],
              { style: 'note' },
            ),
          ]
        : []),
      signatures([{ label: '测算人' }, { label: '日期', value: chineseDate(data.asOf) }]),
    ],
    footer: `测算日期：${chineseDate(data.asOf)}${SPACE}智慧民政${SPACE}本单为测算，不是决定`,
    fileName: `社会救助测算单-${data.month}-${registered ? fileNamePart(registered.householdNo) : '手工录入'}`,
  };
}
