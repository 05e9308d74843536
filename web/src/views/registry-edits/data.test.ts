import { describe, expect, it, vi } from 'vitest';
import { RELATION_CODES } from '../../../../src/registry/codes.ts';
import type { HouseholdDetail } from '../../api/types.ts';
import {
  HOUSEHOLD_EDITS,
  PERSON_EDITS,
  missingFields,
  reasonProblem,
  relationOptions,
  SEX_OPTIONS,
  versionOf,
} from './data.ts';

// The forms' calls are not made here; the API module (and Element Plus's styles) stay out of the test.
vi.mock('../../api/registry-edits.ts', () => ({ editsApi: {} }));

const household = {
  household: {
    id: 'h-1',
    householdNo: 'A1',
    address: '某路1号',
    committeeCode: '310110001001',
    committeeName: null,
    streetName: null,
    version: 4,
  },
  members: [
    {
      personId: 'p-1',
      name: '张三',
      relationCode: '02',
      relationName: '户主',
      sex: 1,
      birthDate: '1950-01-01',
      age: 76,
      idNumberMasked: '',
      personVersion: 2,
    },
    {
      personId: 'p-2',
      name: '李四',
      relationCode: '10',
      relationName: '配偶',
      sex: 2,
      birthDate: '1952-01-01',
      age: 74,
      idNumberMasked: '',
      personVersion: 7,
    },
  ],
  history: [],
} as unknown as HouseholdDetail;

describe('registry edit forms', () => {
  it('asks for a reason with visible characters and every required field', () => {
    expect(reasonProblem(' \n ')).toBe('请填写变更原因（至少 2 个字）');
    expect(reasonProblem('更正')).toBeNull();
    const birth = HOUSEHOLD_EDITS.find((s) => s.id === 'birth')!;
    const fields = birth.fields({ household });
    expect(missingFields(fields, { name: '张小', relationCode: '20' })).toEqual([
      '性别',
      '出生日期',
      '身份证号',
      '户籍地区划代码',
    ]);
  });

  it('offers members by name, the non-heads for a change of head, and relations without 户主 unless asked', () => {
    const head = HOUSEHOLD_EDITS.find((s) => s.id === 'head')!;
    const newHead = head.fields({ household }).find((f) => f.key === 'newHeadPersonId');
    expect(newHead?.options).toEqual([{ value: 'p-2', label: '李四（配偶）' }]);
    expect(relationOptions().some((o) => o.value === '02')).toBe(false);
    expect(relationOptions(true)[0]).toEqual({ value: '02', label: '02 户主' });
    expect(versionOf(household.household)).toBe(4);
  });

  it("offers the server's GB/T 4761 table itself: every relation to the head, in code order", () => {
    const server = Object.keys(RELATION_CODES).filter((code) => code !== '01' && code !== '02');
    expect(relationOptions().map((o) => o.value)).toEqual(server.sort());
    expect(relationOptions(true).map((o) => o.value)).toEqual(['02', ...server]);
    expect(relationOptions().find((o) => o.value === '41')).toEqual({ value: '41', label: '41 孙子' });
    expect(SEX_OPTIONS).toEqual([
      { value: '1', label: '男性' },
      { value: '2', label: '女性' },
    ]);
  });

  it('offers death and transfers only for the living, and the death-date correction only for the dead', () => {
    const offered = (deathDate: string | null) =>
      PERSON_EDITS.filter(
        (s) => s.available?.({ person: { person: { deathDate }, household: null } as never }) ?? true,
      ).map((s) => s.id);
    expect(offered(null)).toEqual(['correct', 'death', 'transfer']);
    expect(offered('2026-01-01')).toEqual(['correct', 'correct-death']);
  });
});
