import { addDays } from '../../../../src/calendar/days.ts';
import type { Fact, NewFact, SubjectType } from '../../api/facts.ts';
import {
  CATEGORY_NAMES,
  DISABILITY_CATEGORIES as SERVER_DISABILITY_CATEGORIES,
  DISABILITY_GRADES as SERVER_DISABILITY_GRADES,
} from '../../../../src/registry/codes.ts';
import { formatFen, parseYuan } from '../../utils/money.ts';

/**
 * 经济状况 panel: the kinds of fact, their value shapes, the sources each accepts, the form's model and its
 * checks (the server checks again and has the last word), and how figures read.
 */

export type Shape = 'money' | 'count' | 'flag' | 'disability' | 'category';

export interface KindSpec {
  kind: string;
  subject: SubjectType;
  shape: Shape;
  label: string;
  /** Dated spending (no end): counted in the twelve months after its date. */
  spending?: boolean;
  /** The label of the flag's "yes". */
  yes?: string;
}

export const KINDS: readonly KindSpec[] = [
  { kind: 'wage', subject: 'person', shape: 'money', label: '工资性收入（月）' },
  { kind: 'pension', subject: 'person', shape: 'money', label: '养老金（月）' },
  { kind: 'other_income', subject: 'person', shape: 'money', label: '其他收入（月）' },
  { kind: 'disability', subject: 'person', shape: 'disability', label: '残疾类别与等级' },
  { kind: 'employment', subject: 'person', shape: 'flag', label: '就业', yes: '就业' },
  { kind: 'serious_illness', subject: 'person', shape: 'flag', label: '重病', yes: '患重病' },
  { kind: 'supporter', subject: 'person', shape: 'flag', label: '有法定赡养/抚养/扶养人', yes: '有' },
  { kind: 'category', subject: 'person', shape: 'category', label: '特殊对象类别' },
  { kind: 'monetary_assets', subject: 'household', shape: 'money', label: '货币财产' },
  { kind: 'vehicles', subject: 'household', shape: 'count', label: '机动车辆（辆）' },
  { kind: 'homes', subject: 'household', shape: 'count', label: '住房（套）' },
  {
    kind: 'floor_area_below_average',
    subject: 'household',
    shape: 'flag',
    label: '人均住房面积低于平均水平',
    yes: '低于',
  },
  {
    kind: 'medical_expense',
    subject: 'household',
    shape: 'money',
    label: '医疗支出（自付）',
    spending: true,
  },
  { kind: 'education_expense', subject: 'household', shape: 'money', label: '教育支出', spending: true },
];

export function kindSpec(kind: string): KindSpec | undefined {
  return KINDS.find((k) => k.kind === kind);
}

export function kindsFor(subject: SubjectType): KindSpec[] {
  return KINDS.filter((k) => k.subject === subject);
}

export const SOURCES: Readonly<Record<string, string>> = {
  declared: '申报',
  agency: '部门数据',
  verified: '核对',
  decision: '认定',
};

/** Special categories come only from 认定; every other kind from 申报, 部门数据 or 核对. */
export function sourcesFor(kind: string): { value: string; label: string }[] {
  const keys = kind === 'category' ? ['decision'] : ['declared', 'agency', 'verified'];
  return keys.map((value) => ({ value, label: SOURCES[value]! }));
}

// The server's code tables (src/registry/codes.ts), bundled into the console rather than copied.
export const DISABILITY_CATEGORIES: Readonly<Record<number, string>> = SERVER_DISABILITY_CATEGORIES;
export const DISABILITY_GRADES: Readonly<Record<number, string>> = SERVER_DISABILITY_GRADES;
export const CATEGORIES: Readonly<Record<string, string>> = CATEGORY_NAMES;

/** The form's model: text inputs as typed (money in 元), converted on submit. */
export interface FactForm {
  kind: string;
  yuan: string;
  quantity: number | null;
  flag: boolean;
  disabilityCategory: number | null;
  disabilityGrade: number | null;
  category: string;
  validFrom: string;
  validTo: string;
  sourceKind: string;
  sourceRef: string;
  reason: string;
}

export function emptyForm(subject: SubjectType, today: string): FactForm {
  const first = kindsFor(subject)[0]!;
  return {
    kind: first.kind,
    yuan: '',
    quantity: null,
    flag: true,
    disabilityCategory: null,
    disabilityGrade: null,
    category: '',
    validFrom: today,
    validTo: '',
    sourceKind: 'declared',
    sourceRef: '',
    reason: '',
  };
}

/** The form filled from an existing fact (the correction's starting point). */
export function formFrom(fact: Fact): FactForm {
  return {
    kind: fact.kind,
    yuan: fact.amountFen === null ? '' : formatFen(fact.amountFen).replace(/,/g, ''),
    quantity: fact.quantity,
    flag: fact.flag ?? true,
    disabilityCategory: fact.disabilityCategory,
    disabilityGrade: fact.disabilityGrade,
    category: fact.category ?? '',
    validFrom: fact.validFrom,
    validTo: fact.validTo ?? '',
    sourceKind: fact.sourceKind,
    sourceRef: fact.sourceRef,
    reason: '',
  };
}

/** The fact to send, or the problems (field → Chinese message) that keep the form from sending. */
export function toNewFact(form: FactForm): { fact?: NewFact; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const spec = kindSpec(form.kind);
  if (!spec) return { errors: { kind: '请选择事实类型' } };
  const fact: NewFact = {
    kind: form.kind,
    validFrom: form.validFrom,
    sourceKind: form.sourceKind,
    sourceRef: form.sourceRef.trim(),
  };
  switch (spec.shape) {
    case 'money': {
      const fen = parseYuan(form.yuan);
      if (fen === null) errors.yuan = '请填写金额（元，最多两位小数）';
      else fact.amountFen = fen;
      break;
    }
    case 'count':
      if (form.quantity === null || !Number.isInteger(form.quantity) || form.quantity < 0) {
        errors.quantity = '请填写不小于 0 的整数';
      } else fact.quantity = form.quantity;
      break;
    case 'flag':
      fact.flag = form.flag;
      break;
    case 'disability':
      if ((form.disabilityCategory === null) !== (form.disabilityGrade === null)) {
        errors.disabilityGrade = '残疾类别与等级须同时选择（都不选表示无残疾）';
      }
      fact.disabilityCategory = form.disabilityCategory;
      fact.disabilityGrade = form.disabilityGrade;
      break;
    case 'category':
      if (!CATEGORIES[form.category]) errors.category = '请选择特殊对象类别';
      else fact.category = form.category;
      break;
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(form.validFrom)) errors.validFrom = '请选择日期';
  if (form.validTo && !spec.spending) {
    if (form.validTo < form.validFrom) errors.validTo = '结束日期不能早于起始日期';
    fact.validTo = form.validTo;
  }
  if (!sourcesFor(form.kind).some((s) => s.value === form.sourceKind)) errors.sourceKind = '请选择来源';
  return Object.keys(errors).length > 0 ? { errors } : { fact, errors };
}

/** Resolved figures for display, in the order of the kinds. */
export function figureRows(
  subject: SubjectType,
  figures: Record<string, number | boolean | null | string[]>,
): { label: string; value: string }[] {
  const money = (key: string) => `${formatFen(Number(figures[key] ?? 0))} 元`;
  const yes = (key: string, yesText = '是', noText = '否') => (figures[key] ? yesText : noText);
  if (subject === 'person') {
    const category = figures.disabilityCategory as number | null;
    const grade = figures.disabilityGrade as number | null;
    const categories = (figures.categories as string[] | undefined) ?? [];
    return [
      { label: '工资性收入（月）', value: money('wageFen') },
      { label: '养老金（月）', value: money('pensionFen') },
      { label: '其他收入（月）', value: money('otherIncomeFen') },
      {
        label: '残疾',
        value:
          category && grade
            ? `${DISABILITY_CATEGORIES[category] ?? category}${DISABILITY_GRADES[grade] ?? grade}`
            : '无',
      },
      { label: '就业', value: yes('employed') },
      { label: '重病', value: yes('seriousIllness') },
      { label: '有赡养人', value: yes('hasSupporter', '有', '无') },
      {
        label: '特殊对象',
        value: categories.length ? categories.map((c) => CATEGORIES[c] ?? c).join('、') : '无',
      },
    ];
  }
  return [
    { label: '货币财产', value: money('monetaryAssetsFen') },
    { label: '机动车辆', value: `${String(figures.vehicles ?? 0)} 辆` },
    { label: '住房', value: `${String(figures.homes ?? 1)} 套` },
    { label: '人均住房面积', value: yes('perCapitaFloorAreaBelowAverage', '低于平均', '不低于平均') },
    { label: '医疗支出（前十二个月）', value: money('medicalExpenseAnnualFen') },
    { label: '教育支出（前十二个月）', value: money('educationExpenseAnnualFen') },
  ];
}

/** A fact's period as read: "2024-01-01 起", "2024-01-01 至 2024-05-31", spending "2024-03-15（支出日期）". */
export function periodText(fact: Pick<Fact, 'kind' | 'validFrom' | 'validTo'>): string {
  if (kindSpec(fact.kind)?.spending) return `${fact.validFrom}（支出日期）`;
  if (fact.validTo === null) return `${fact.validFrom} 起`;
  if (fact.validTo <= fact.validFrom) return `${fact.validFrom}（当日即被取代）`;
  return `${fact.validFrom} 至 ${dayBefore(fact.validTo)}`;
}

/** The day before an ISO date (valid_to is exclusive: the last day a fact holds is the day before it). */
export function dayBefore(date: string): string {
  return addDays(date, -1);
}

/** Whether a fact can be ended (open, not spending, not voided) or corrected (not voided). */
export function canEnd(fact: Fact): boolean {
  return fact.voidedAt === null && fact.validTo === null && !kindSpec(fact.kind)?.spending;
}
export function canCorrect(fact: Fact): boolean {
  return fact.voidedAt === null;
}
