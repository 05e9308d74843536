import type {
  CalcWarning,
  Category,
  DisabilityKind,
  Hukou,
  PolicyHousehold,
  PolicyMember,
  ProgramResult,
} from '../../api/types.ts';
import { parseYuan } from '../../utils/money.ts';
import { CATEGORY_NAMES } from '../persons/data.ts';

/** The manual household form: money as the 元 text the user typed, converted to fen only when sent. */
export interface MemberForm {
  id: string;
  birthDate: string;
  hukou: Hukou;
  wage: string;
  pension: string;
  otherIncome: string;
  disabilityGrade: 1 | 2 | 3 | 4 | null;
  disabilityKind: DisabilityKind | null;
  seriousIllness: boolean;
  employed: boolean;
  hasSupporter: boolean;
  categories: Category[];
}

export interface HouseholdForm {
  monetaryAssets: string;
  vehicles: number;
  homes: number;
  perCapitaFloorAreaBelowAverage: boolean;
  medicalExpenseAnnual: string;
  educationExpenseAnnual: string;
  temporaryAssistanceMonths: number;
  renovationCost: string;
  members: MemberForm[];
}

export const HUKOU_OPTIONS: { value: Hukou; label: string }[] = [
  { value: 'shanghai', label: '本市户籍' },
  { value: 'other', label: '外省市户籍' },
];

export const GRADE_OPTIONS = [1, 2, 3, 4].map((grade) => ({ value: grade, label: `${grade}级` }));

export const KIND_OPTIONS: { value: DisabilityKind; label: string }[] = [
  { value: 'visual', label: '视力残疾' },
  { value: 'hearing', label: '听力残疾' },
  { value: 'speech', label: '言语残疾' },
  { value: 'physical', label: '肢体残疾' },
  { value: 'intellectual', label: '智力残疾' },
  { value: 'mental', label: '精神残疾' },
  { value: 'multiple', label: '多重残疾' },
];

export const CATEGORY_OPTIONS = Object.entries(CATEGORY_NAMES).map(([value, label]) => ({ value, label }));

/** Household-level money fields of the form (元), in display order. */
export const HOUSEHOLD_MONEY_FIELDS: {
  key: 'monetaryAssets' | 'medicalExpenseAnnual' | 'educationExpenseAnnual' | 'renovationCost';
  label: string;
}[] = [
  { key: 'monetaryAssets', label: '家庭货币财产（元）' },
  { key: 'medicalExpenseAnnual', label: '近12个月医疗支出（元）' },
  { key: 'educationExpenseAnnual', label: '近12个月教育支出（元）' },
  { key: 'renovationCost', label: '适老化改造费用（元）' },
];

export function newMember(index: number): MemberForm {
  return {
    id: `m${index}`,
    birthDate: '',
    hukou: 'shanghai',
    wage: '0',
    pension: '0',
    otherIncome: '0',
    disabilityGrade: null,
    disabilityKind: null,
    seriousIllness: false,
    employed: false,
    hasSupporter: true,
    categories: [],
  };
}

export function newHouseholdForm(): HouseholdForm {
  return {
    monetaryAssets: '0',
    vehicles: 0,
    homes: 1,
    perCapitaFloorAreaBelowAverage: false,
    medicalExpenseAnnual: '0',
    educationExpenseAnnual: '0',
    temporaryAssistanceMonths: 0,
    renovationCost: '0',
    members: [newMember(1)],
  };
}

function fen(text: string, label: string, errors: string[]): number {
  const value = parseYuan(text);
  if (value === null) errors.push(`${label}：“${text}”不是有效金额（元，最多两位小数）`);
  return value ?? 0;
}

/** The form → the SPEC.md interchange household, or the list of what is wrong (in Chinese). */
export function toPolicyHousehold(form: HouseholdForm): { household: PolicyHousehold; errors: string[] } {
  const errors: string[] = [];
  if (form.members.length === 0) errors.push('至少需要一名家庭成员');
  const ids = new Set<string>();
  const members: PolicyMember[] = form.members.map((member, index) => {
    const label = `第${index + 1}名成员`;
    if (!member.id.trim()) errors.push(`${label}：请填写成员编号`);
    if (ids.has(member.id)) errors.push(`${label}：成员编号“${member.id}”重复`);
    ids.add(member.id);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(member.birthDate)) errors.push(`${label}：请选择出生日期`);
    return {
      id: member.id.trim(),
      birthDate: member.birthDate,
      hukou: member.hukou,
      wageFen: fen(member.wage, `${label}月工资`, errors),
      pensionFen: fen(member.pension, `${label}月养老金`, errors),
      otherIncomeFen: fen(member.otherIncome, `${label}月其他收入`, errors),
      disabilityGrade: member.disabilityGrade,
      disabilityKind: member.disabilityKind,
      seriousIllness: member.seriousIllness,
      employed: member.employed,
      hasSupporter: member.hasSupporter,
      categories: [...member.categories],
    };
  });
  const household: PolicyHousehold = {
    monetaryAssetsFen: fen(form.monetaryAssets, '家庭货币财产', errors),
    vehicles: form.vehicles,
    homes: form.homes,
    perCapitaFloorAreaBelowAverage: form.perCapitaFloorAreaBelowAverage,
    medicalExpenseAnnualFen: fen(form.medicalExpenseAnnual, '医疗支出', errors),
    educationExpenseAnnualFen: fen(form.educationExpenseAnnual, '教育支出', errors),
    temporaryAssistanceMonths: form.temporaryAssistanceMonths,
    renovationCostFen: fen(form.renovationCost, '适老化改造费用', errors),
    members,
  };
  return { household, errors };
}

export function warningText(warning: CalcWarning): string {
  if (typeof warning === 'string') return warning;
  return warning.message ?? warning.text ?? [warning.parameter, warning.status].filter(Boolean).join('：');
}

export function errorText(result: ProgramResult): string | null {
  if (!result.error) return null;
  return typeof result.error === 'string' ? result.error : result.error.message;
}

export type Outcome = 'eligible' | 'ineligible' | 'error';

export function outcome(result: ProgramResult): Outcome {
  if (result.error) return 'error';
  return result.eligible ? 'eligible' : 'ineligible';
}

export const OUTCOME_TAGS: Record<Outcome, { label: string; type: 'success' | 'info' | 'danger' }> = {
  eligible: { label: '符合', type: 'success' },
  ineligible: { label: '不符合', type: 'info' },
  error: { label: '无法计算', type: 'danger' },
};

/** What the caseworker reads aloud: the response's narrative, else each eligible program's traced narrative. */
export function narrativeLines(response: {
  narrative?: string | string[];
  results: ProgramResult[];
}): string[] {
  const { narrative } = response;
  if (narrative) {
    return Array.isArray(narrative) ? narrative : narrative.split('\n').filter((line) => line.trim() !== '');
  }
  return response.results.flatMap((result) =>
    result.eligible && result.trace?.narrative ? [result.trace.narrative] : [],
  );
}

/** "3 项参数来源待核实" with the list for the tooltip. */
export function warningSummary(warnings: CalcWarning[]): { label: string; lines: string[] } | null {
  if (warnings.length === 0) return null;
  return { label: `${warnings.length} 项参数非正式来源`, lines: warnings.map(warningText) };
}
