import type { Category, DisabilityKind, Hukou, PolicyHousehold, PolicyMember } from '../../api/types.ts';
import { parseYuan } from '../../utils/money.ts';
import { CATEGORY_NAMES } from '../persons/data.ts';

/**
 * The manual household form: money as the 元 text the user typed, converted to fen only when sent.
 * Members have no editable id: the form numbers them m1, m2 … when it builds the household, and a
 * person reads them by name (or 第N名成员).
 */
export interface MemberForm {
  name: string;
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

type HouseholdMoneyKey =
  'monetaryAssets' | 'medicalExpenseAnnual' | 'educationExpenseAnnual' | 'renovationCost';

/** Household-level money fields of the form (元), in display order. */
export const HOUSEHOLD_MONEY_FIELDS: { key: HouseholdMoneyKey; label: string }[] = [
  { key: 'monetaryAssets', label: '家庭货币财产（元）' },
  { key: 'medicalExpenseAnnual', label: '近12个月医疗支出（元）' },
  { key: 'educationExpenseAnnual', label: '近12个月教育支出（元）' },
  { key: 'renovationCost', label: '适老化改造费用（元）' },
];

type MemberMoneyKey = 'wage' | 'pension' | 'otherIncome';

const MEMBER_MONEY_FIELDS: {
  key: MemberMoneyKey;
  label: string;
  fen: 'wageFen' | 'pensionFen' | 'otherIncomeFen';
}[] = [
  { key: 'wage', label: '月工资', fen: 'wageFen' },
  { key: 'pension', label: '月养老金', fen: 'pensionFen' },
  { key: 'otherIncome', label: '月其他收入', fen: 'otherIncomeFen' },
];

/** Longest member name the engine accepts (src/policy/household.validate.ts). */
export const MAX_NAME = 50;

export function newMember(): MemberForm {
  return {
    name: '',
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
    members: [newMember()],
  };
}

/**
 * A problem with one field of the form: `field` is the form path (`monetaryAssets`, `members.0.birthDate`)
 * the page shows it beside; `message` is the full sentence for the summary.
 */
export interface FieldError {
  field: string;
  message: string;
}

/** The id the form gives the member at `index` (the engine needs one; nobody reads it). */
export const memberId = (index: number): string => `m${index + 1}`;

/** How the page names a member in its messages: the name typed, else 第N名成员. */
export function memberLabel(member: Pick<MemberForm, 'name'>, index: number): string {
  return member.name.trim() || `第${index + 1}名成员`;
}

function lastDayOf(month: string): string {
  const [year, mm] = month.split('-').map(Number) as [number, number];
  const days = new Date(Date.UTC(year, mm, 0)).getUTCDate();
  return `${month}-${String(days).padStart(2, '0')}`;
}

/** Completed years on `day` (ISO dates compared as text: a birthday counts from its day). */
function ageOn(birthDate: string, day: string): number {
  const years = Number(day.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return day.slice(5) < birthDate.slice(5) ? years - 1 : years;
}

/**
 * The results' names of the members sent (by the id the form gave them), as the engine's explanation
 * names them: the name typed, else 第N名成员 and the age in the month.
 */
export function resultLabels(form: HouseholdForm, month: string): Record<string, string> {
  const lastDay = lastDayOf(month);
  return Object.fromEntries(
    form.members.map((member, index) => {
      const age = /^\d{4}-\d{2}-\d{2}$/.test(member.birthDate)
        ? `（${ageOn(member.birthDate, lastDay)}岁）`
        : '';
      return [memberId(index), member.name.trim() || `第${index + 1}名成员${age}`];
    }),
  );
}

/** The form → the SPEC.md interchange household for `month`, or every problem (in Chinese, by field). */
export function toPolicyHousehold(
  form: HouseholdForm,
  month: string,
): { household: PolicyHousehold; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const fen = (text: string, field: string, label: string): number => {
    const value = parseYuan(text);
    if (value === null)
      errors.push({ field, message: `${label}：“${text}”不是有效金额（元，最多两位小数）` });
    return value ?? 0;
  };
  if (form.members.length === 0) errors.push({ field: 'members', message: '至少需要一名家庭成员' });
  const lastDay = /^\d{4}-\d{2}$/.test(month) ? lastDayOf(month) : null;
  const members: PolicyMember[] = form.members.map((member, index) => {
    const who = memberLabel(member, index);
    const at = (key: string) => `members.${index}.${key}`;
    const name = member.name.trim();
    if (name.length > MAX_NAME)
      errors.push({ field: at('name'), message: `${who}：姓名不能超过${MAX_NAME}个字` });
    if (!/^\d{4}-\d{2}-\d{2}$/.test(member.birthDate))
      errors.push({ field: at('birthDate'), message: `${who}：请选择出生日期` });
    else if (lastDay && member.birthDate > lastDay)
      errors.push({ field: at('birthDate'), message: `${who}：出生日期晚于测算月份` });
    const money = Object.fromEntries(
      MEMBER_MONEY_FIELDS.map((f) => [f.fen, fen(member[f.key], at(f.key), `${who}${f.label}`)]),
    ) as Pick<PolicyMember, 'wageFen' | 'pensionFen' | 'otherIncomeFen'>;
    return {
      id: memberId(index),
      ...(name ? { name } : {}),
      birthDate: member.birthDate,
      hukou: member.hukou,
      ...money,
      disabilityGrade: member.disabilityGrade,
      disabilityKind: member.disabilityKind,
      seriousIllness: member.seriousIllness,
      employed: member.employed,
      hasSupporter: member.hasSupporter,
      categories: [...member.categories],
    };
  });
  const money = (key: HouseholdMoneyKey, label: string) => fen(form[key], key, label);
  const household: PolicyHousehold = {
    monetaryAssetsFen: money('monetaryAssets', '家庭货币财产'),
    vehicles: form.vehicles,
    homes: form.homes,
    perCapitaFloorAreaBelowAverage: form.perCapitaFloorAreaBelowAverage,
    medicalExpenseAnnualFen: money('medicalExpenseAnnual', '医疗支出'),
    educationExpenseAnnualFen: money('educationExpenseAnnual', '教育支出'),
    temporaryAssistanceMonths: form.temporaryAssistanceMonths,
    renovationCostFen: money('renovationCost', '适老化改造费用'),
    members,
  };
  return { household, errors };
}

/** The error of one field, if any (what the page shows under the input). */
export function errorOf(errors: readonly FieldError[], field: string): string | undefined {
  return errors.find((error) => error.field === field)?.message;
}

const SERVER_FIELD = /^household\.members\[(\d+)\]\.(\w+)$/;
const FORM_KEY: Record<string, string> = {
  wageFen: 'wage',
  pensionFen: 'pension',
  otherIncomeFen: 'otherIncome',
  monetaryAssetsFen: 'monetaryAssets',
  medicalExpenseAnnualFen: 'medicalExpenseAnnual',
  educationExpenseAnnualFen: 'educationExpenseAnnual',
  renovationCostFen: 'renovationCost',
};

/**
 * The server's validation details (`household.members[0].birthDate`) as form errors, so that a problem the
 * form did not catch is still shown beside its field.
 */
export function serverFieldErrors(details: unknown, message: string): FieldError[] {
  if (!Array.isArray(details)) return [{ field: 'form', message }];
  return details.map((detail: unknown) => {
    const { field = '', reason = message } = (detail ?? {}) as { field?: string; reason?: string };
    const member = SERVER_FIELD.exec(field);
    if (member) {
      const key = member[2] ?? '';
      return {
        field: `members.${member[1]}.${FORM_KEY[key] ?? key}`,
        message: `第${Number(member[1]) + 1}名成员：${reason}`,
      };
    }
    const key = field.replace(/^household\./, '');
    return { field: FORM_KEY[key] ?? key, message: reason };
  });
}
