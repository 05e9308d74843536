import { describe, expect, it } from 'vitest';
import type { Fact } from '../../api/facts.ts';
import {
  canEnd,
  dayBefore,
  emptyForm,
  figureRows,
  formFrom,
  periodText,
  sourcesFor,
  toNewFact,
} from './data.ts';

const fact = (over: Partial<Fact>): Fact => ({
  id: 'f1',
  districtCode: '310110',
  subjectType: 'person',
  subjectId: 'p1',
  kind: 'wage',
  kindName: '工资性收入（月）',
  amountFen: 350_050,
  quantity: null,
  flag: null,
  disabilityCategory: null,
  disabilityGrade: null,
  category: null,
  valueText: '3500.50 元',
  validFrom: '2025-01-01',
  validTo: null,
  sourceKind: 'declared',
  sourceKindName: '申报',
  sourceRef: '',
  recordedAt: '2025-01-02T00:00:00.000Z',
  recordedBy: null,
  voidedAt: null,
  voidReason: null,
  replacedBy: null,
  version: 1,
  counts: true,
  validOnDate: true,
  ...over,
});

describe('facts panel data', () => {
  it('turns the form into a fact: money in fen without floats, each shape its own field', () => {
    const form = { ...emptyForm('person', '2026-11-20'), kind: 'wage', yuan: '3,500.5' };
    expect(toNewFact(form).fact).toEqual({
      kind: 'wage',
      amountFen: 350_050,
      validFrom: '2026-11-20',
      sourceKind: 'declared',
      sourceRef: '',
    });
    expect(toNewFact({ ...form, yuan: '3.505' }).errors).toHaveProperty('yuan');
    const disabled = { ...form, kind: 'disability', disabilityCategory: 4, disabilityGrade: null };
    expect(toNewFact(disabled).errors).toHaveProperty('disabilityGrade');
    expect(toNewFact({ ...disabled, disabilityGrade: 2 }).fact).toMatchObject({
      disabilityCategory: 4,
      disabilityGrade: 2,
    });
    const spending = {
      ...emptyForm('household', '2026-11-20'),
      kind: 'medical_expense',
      yuan: '100',
      validTo: '2027-01-01',
    };
    expect(toNewFact(spending).fact).not.toHaveProperty('validTo');
    expect(toNewFact({ ...form, validTo: '2020-01-01' }).errors).toHaveProperty('validTo');
  });

  it('offers 认定 for categories only, and the other three sources for everything else', () => {
    expect(sourcesFor('category').map((s) => s.label)).toEqual(['认定']);
    expect(sourcesFor('wage').map((s) => s.label)).toEqual(['申报', '部门数据', '核对']);
    expect(
      toNewFact({ ...emptyForm('person', '2026-11-20'), kind: 'category', category: 'tekun' }).errors,
    ).toHaveProperty('sourceKind');
  });

  it('reads periods with the exclusive end, and fills a correction from the fact', () => {
    expect(dayBefore('2025-03-01')).toBe('2025-02-28');
    expect(periodText(fact({ validTo: '2025-06-01' }))).toBe('2025-01-01 至 2025-05-31');
    expect(periodText(fact({}))).toBe('2025-01-01 起');
    expect(periodText(fact({ validTo: '2025-01-01' }))).toBe('2025-01-01（当日即被取代）');
    expect(periodText(fact({ kind: 'medical_expense' }))).toBe('2025-01-01（支出日期）');
    expect(formFrom(fact({})).yuan).toBe('3500.50');
    expect(canEnd(fact({}))).toBe(true);
    expect(canEnd(fact({ validTo: '2025-06-01' }))).toBe(false);
    expect(canEnd(fact({ kind: 'education_expense' }))).toBe(false);
  });

  it('shows the figures of a person and a household', () => {
    const person = figureRows('person', {
      wageFen: 350_050,
      pensionFen: 0,
      otherIncomeFen: 0,
      disabilityCategory: 4,
      disabilityGrade: 2,
      employed: true,
      seriousIllness: false,
      hasSupporter: true,
      categories: ['tekun'],
    });
    expect(person.map((r) => r.value)).toEqual([
      '3,500.50 元',
      '0.00 元',
      '0.00 元',
      '肢体残疾二级',
      '是',
      '否',
      '有',
      '特困供养人员',
    ]);
    const household = figureRows('household', { monetaryAssetsFen: 100, vehicles: 0, homes: 1 });
    expect(household[2]).toEqual({ label: '住房', value: '1 套' });
  });
});
