import { describe, expect, it } from 'vitest';
import type { Program, ProgramResult } from '../../api/types.ts';
import { summarise, warningSummary } from './summary.ts';

const programs: Program[] = [
  { code: 'dibao', name: '最低生活保障', level: 'household' },
  { code: 'elderly_allowance', name: '老年综合津贴', level: 'person' },
  { code: 'tekun', name: '特困人员救助供养', level: 'person' },
  { code: 'rigid_expense', name: '支出型贫困家庭生活救助', level: 'household' },
];

const result = (fields: Partial<ProgramResult> & { program: string }): ProgramResult => ({
  eligible: false,
  amountFen: 0,
  reasons: [],
  warnings: [],
  ...fields,
});

const UUID_A = 'd323da91-0000-8000-8000-000000003502';
const UUID_B = 'd323da91-0000-8000-8000-000000003503';
const label = (id: string) =>
  ({ [UUID_A]: '张建国（户主，68岁）', [UUID_B]: '李秀英（配偶，66岁）' })[id] ?? id;

describe('calculator results for a caseworker', () => {
  const response = {
    month: '2026-11',
    results: [
      result({
        program: 'tekun',
        reasons: [
          { code: 'TEKUN_NOT_DETERMINED', text: '未经认定为特困人员', memberId: UUID_A },
          { code: 'TEKUN_HAS_SUPPORTER', text: '有赡养（抚养、扶养）人', memberId: UUID_A },
          { code: 'TEKUN_NOT_DETERMINED', text: '未经认定为特困人员', memberId: UUID_B },
        ],
        byMember: { [UUID_A]: 0, [UUID_B]: 0 },
      }),
      result({
        program: 'elderly_allowance',
        eligible: true,
        amountFen: 15000,
        byMember: { [UUID_A]: 15000, [UUID_B]: 0 },
        reasons: [
          { code: 'ELDERLY_BAND_1', text: '本市户籍老年人，按第1档发放老年综合津贴', memberId: UUID_A },
          { code: 'ELDERLY_UNDER_MIN_AGE', text: '未达到老年综合津贴起始年龄', memberId: UUID_B },
        ],
      }),
      result({
        program: 'dibao',
        eligible: true,
        amountFen: 165000,
        reasons: [
          { code: 'DIBAO_ELIGIBLE', text: '家庭可计算收入低于低保标准合计，且财产符合规定，符合低保条件' },
        ],
      }),
      result({
        program: 'rigid_expense',
        error: '参数 city.per_capita_disposable_income 在 2026-11 没有生效的取值',
      }),
    ],
  };
  const summary = summarise(response, programs, label);

  it('lists the programs the household qualifies for, with amount and why, and totals them', () => {
    expect(summary.eligible.map((p) => [p.name, p.amountFen, p.why])).toEqual([
      ['老年综合津贴', 15000, '张建国（户主，68岁）：本市户籍老年人，按第1档发放老年综合津贴'],
      ['最低生活保障', 165000, '家庭可计算收入低于低保标准合计，且财产符合规定，符合低保条件'],
    ]);
    expect(summary.eligible[0]?.members).toEqual([{ label: '张建国（户主，68岁）', amountFen: 15000 }]);
    expect(summary.totalFen).toBe(180000n);
  });

  it('folds the rest to one deciding reason each, members by name, never by id', () => {
    expect(summary.ineligible).toEqual([
      {
        program: 'tekun',
        name: '特困人员救助供养',
        reason: '未经认定为特困人员（全部2名成员）',
      },
    ]);
    expect(JSON.stringify(summary.ineligible)).not.toContain(UUID_A);
    expect(summary.failed).toEqual([
      {
        program: 'rigid_expense',
        name: '支出型贫困家庭生活救助',
        reason: '参数 city.per_capita_disposable_income 在 2026-11 没有生效的取值',
      },
    ]);
  });

  it('summarises parameter warnings given as objects or text', () => {
    expect(warningSummary([])).toBeNull();
    expect(
      warningSummary([
        { parameter: 'dibao.standard', status: 'secondary', message: '参数 dibao.standard 为二手来源' },
        '文字提示',
      ]),
    ).toEqual({ label: '2 项参数非正式来源', lines: ['参数 dibao.standard 为二手来源', '文字提示'] });
  });
});
