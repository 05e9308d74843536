import type { PolicyMemberInput } from '../household.ts';
import { formatYuan } from './exact.ts';
import { ageOn, dateKey, type BenefitMonth } from './month.ts';
import type { ParameterRead } from './resolved-params.ts';
import type { ProgramResult } from './results.ts';

type Figures = readonly { name: string; value: number | boolean | string; memberId?: string }[];

function fig(figures: Figures, name: string): number {
  const f = figures.find((x) => x.name === name && x.memberId === undefined);
  return typeof f?.value === 'number' ? f.value : 0;
}

function param(reads: readonly ParameterRead[], path: string): number {
  return reads.find((r) => r.parameter === path)?.value ?? 0;
}

const yuan = (fen: number): string => `${formatYuan(fen)}元`;

function dibaoStory(
  result: Omit<ProgramResult, 'trace'>,
  reads: readonly ParameterRead[],
  f: Figures,
): string {
  const n = fig(f, 'members');
  const minors = fig(f, 'minors');
  const income = fig(f, 'countableIncomeFen');
  const line = fig(f, 'incomeThresholdFen');
  const std = param(reads, 'dibao.standard');
  const parts = [
    `家庭${n}人，可计算收入${yuan(income)}，${income < line ? '低于' : '不低于'}低保标准合计${yuan(line)}（${yuan(std)}×${n}）`,
  ];
  if (result.eligible) {
    const stdMinor = param(reads, 'dibao.standard_minor');
    const sum = fig(f, 'memberStandardsFen');
    const how =
      minors > 0
        ? `其中${minors}名未成年人按${yuan(stdMinor)}计，成员标准合计${yuan(sum)}`
        : `成员标准合计${yuan(sum)}`;
    parts.push(`财产符合规定；${how}，减去可计算收入，月低保金${yuan(result.amountFen)}`);
  } else {
    const others = result.reasons
      .filter((r) => r.code !== 'DIBAO_INCOME_NOT_BELOW_STANDARD')
      .map((r) => r.text);
    if (others.length > 0) parts.push(others.join('；'));
    parts.push('不符合低保条件');
  }
  return `${parts.join('，')}。`;
}

/** How a member is named to a person: its `name`, else 第N名成员 and its age in the month. Never the id. */
export type MemberLabel = (memberId: string) => string;

export function memberLabels(members: readonly PolicyMemberInput[], month: BenefitMonth): MemberLabel {
  const labels = new Map<string, string>();
  members.forEach((m, i) => {
    const birth = dateKey(m.birthDate);
    const age = birth === null ? '' : `（${ageOn(birth, month.lastDayKey)}岁）`;
    labels.set(m.id, m.name ?? `第${i + 1}名成员${age}`);
  });
  return (id) => labels.get(id) ?? '家庭成员';
}

/** A short Chinese narrative of one program's result, built from its trace (integer yuan formatting). */
export function narrate(
  result: Omit<ProgramResult, 'trace'>,
  reads: readonly ParameterRead[],
  figures: Figures,
  name: string,
  label: MemberLabel,
): string {
  const warn =
    result.warnings.length > 0 ? `（注意：使用了${result.warnings.length}项未经正式来源核实的参数）` : '';
  if (result.program === 'dibao') return `${name}：${dibaoStory(result, reads, figures)}${warn}`;
  const texts = [
    ...new Set(result.reasons.map((r) => (r.memberId ? `${label(r.memberId)}：${r.text}` : r.text))),
  ];
  const members = result.byMember
    ? Object.entries(result.byMember)
        .filter(([, v]) => v > 0)
        .map(([id, v]) => `${label(id)} ${yuan(v)}`)
    : [];
  const amount = result.eligible
    ? `，金额${yuan(result.amountFen)}${members.length > 0 ? `（${members.join('，')}）` : ''}`
    : '';
  return `${name}：${result.eligible ? '符合条件' : '不符合条件'}${amount}。${texts.join('；')}。${warn}`;
}
