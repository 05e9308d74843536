import { describe, expect, it } from 'vitest';
import type { ProgramResult } from '../../api/types.ts';
import {
  narrativeLines,
  newHouseholdForm,
  newMember,
  outcome,
  toPolicyHousehold,
  warningSummary,
} from './data.ts';

describe('calculator form → SPEC.md household', () => {
  it('converts 元 text to integer fen and keeps the member fields', () => {
    const form = newHouseholdForm();
    form.monetaryAssets = '30,000.01';
    form.members[0] = { ...newMember(1), birthDate: '1950-06-01', wage: '2130.5', pension: '0.29' };
    const { household, errors } = toPolicyHousehold(form);
    expect(errors).toEqual([]);
    expect(household.monetaryAssetsFen).toBe(3_000_001);
    expect(household.members[0]).toMatchObject({
      id: 'm1',
      wageFen: 213_050,
      pensionFen: 29,
      hukou: 'shanghai',
    });
  });

  it('names every bad field in Chinese and refuses duplicates and missing dates', () => {
    const form = newHouseholdForm();
    form.members = [
      { ...newMember(1), birthDate: '', wage: '12.345' },
      { ...newMember(1), birthDate: '1980-01-01' },
    ];
    form.renovationCost = '-5';
    const { errors } = toPolicyHousehold(form);
    expect(errors).toEqual([
      '第1名成员：请选择出生日期',
      '第1名成员月工资：“12.345”不是有效金额（元，最多两位小数）',
      '第2名成员：成员编号“m1”重复',
      '适老化改造费用：“-5”不是有效金额（元，最多两位小数）',
    ]);
  });
});

describe('result presentation', () => {
  const result = (fields: Partial<ProgramResult>): ProgramResult => ({
    program: 'dibao',
    eligible: false,
    amountFen: 0,
    reasons: [],
    warnings: [],
    ...fields,
  });

  it('tells eligible, ineligible and failed programs apart', () => {
    expect(outcome(result({ eligible: true, amountFen: 165000 }))).toBe('eligible');
    expect(outcome(result({}))).toBe('ineligible');
    expect(outcome(result({ error: '参数 x 在 2026-11 没有生效的取值' }))).toBe('error');
  });

  it('reads the narratives of the eligible programs when the response has none of its own', () => {
    const response = {
      month: '2026-11',
      results: [
        result({
          eligible: true,
          trace: { parameters: [], figures: [], narrative: '最低生活保障：家庭1人……' },
        }),
        result({
          program: 'temporary',
          trace: { parameters: [], figures: [], narrative: '临时救助：不符合' },
        }),
      ],
    };
    expect(narrativeLines(response)).toEqual(['最低生活保障：家庭1人……']);
    expect(narrativeLines({ ...response, narrative: '第一行\n\n第二行' })).toEqual(['第一行', '第二行']);
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
