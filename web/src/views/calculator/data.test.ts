import { describe, expect, it } from 'vitest';
import {
  errorOf,
  newHouseholdForm,
  newMember,
  resultLabels,
  serverFieldErrors,
  toPolicyHousehold,
} from './data.ts';

describe('calculator form → SPEC.md household', () => {
  it('converts 元 text to integer fen, numbers the members and keeps the name for display', () => {
    const form = newHouseholdForm();
    form.monetaryAssets = '30,000.01';
    form.members[0] = {
      ...newMember(),
      name: ' 王阿姨 ',
      birthDate: '1950-06-01',
      wage: '2130.5',
      pension: '0.29',
    };
    form.members.push({ ...newMember(), birthDate: '1980-01-01' });
    const { household, errors } = toPolicyHousehold(form, '2026-11');
    expect(errors).toEqual([]);
    expect(household.monetaryAssetsFen).toBe(3_000_001);
    expect(household.members[0]).toMatchObject({
      id: 'm1',
      name: '王阿姨',
      wageFen: 213_050,
      pensionFen: 29,
      hukou: 'shanghai',
    });
    expect(household.members[1]?.id).toBe('m2');
    expect(household.members[1]).not.toHaveProperty('name');
  });

  it('names every bad field in Chinese, by member name or position, and keys it to its field', () => {
    const form = newHouseholdForm();
    form.members = [
      { ...newMember(), name: '李四', birthDate: '', wage: '12.345' },
      { ...newMember(), birthDate: '2026-12-05' },
    ];
    form.renovationCost = '-5';
    const { errors } = toPolicyHousehold(form, '2026-11');
    expect(errors).toEqual([
      { field: 'members.0.birthDate', message: '李四：请选择出生日期' },
      { field: 'members.0.wage', message: '李四月工资：“12.345”不是有效金额（元，最多两位小数）' },
      { field: 'members.1.birthDate', message: '第2名成员：出生日期晚于测算月份' },
      { field: 'renovationCost', message: '适老化改造费用：“-5”不是有效金额（元，最多两位小数）' },
    ]);
    expect(errorOf(errors, 'members.1.birthDate')).toBe('第2名成员：出生日期晚于测算月份');
    expect(errorOf(errors, 'members.1.wage')).toBeUndefined();
  });

  it('maps the server’s field paths back to the form', () => {
    expect(
      serverFieldErrors(
        [
          { field: 'household.members[1].birthDate', reason: '不是有效日期' },
          { field: 'household.monetaryAssetsFen', reason: '金额不能为负数' },
        ],
        '家庭数据不合法',
      ),
    ).toEqual([
      { field: 'members.1.birthDate', message: '第2名成员：不是有效日期' },
      { field: 'monetaryAssets', message: '金额不能为负数' },
    ]);
    expect(serverFieldErrors(undefined, '家庭数据不合法')).toEqual([
      { field: 'form', message: '家庭数据不合法' },
    ]);
  });
});

describe('member names in the results', () => {
  it('are the names typed, else 第N名成员 and the age at the end of the month', () => {
    const form = newHouseholdForm();
    form.members = [
      { ...newMember(), name: '王阿姨', birthDate: '1950-06-01' },
      { ...newMember(), birthDate: '2015-11-30' },
      { ...newMember(), birthDate: '2015-12-01' },
    ];
    expect(resultLabels(form, '2026-11')).toEqual({
      m1: '王阿姨',
      m2: '第2名成员（11岁）',
      m3: '第3名成员（10岁）',
    });
  });
});
