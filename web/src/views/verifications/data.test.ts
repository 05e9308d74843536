import { describe, expect, it } from 'vitest';
import { OTHER_PURPOSES as SERVER_PURPOSES } from '../../../../src/verification/purposes.ts';
import { verificationMachine } from '../../../../src/verification/verification.machine.ts';
import { ORIGIN_NAMES as SERVER_ORIGINS } from '../../../../src/verification/request.service.ts';
import type { ParameterInfo } from '../../api/types.ts';
import type { Authorisation, SourceStatus, VerificationRequest } from '../../api/verifications.ts';
import {
  adultAgeOf,
  areaText,
  authorisationPeriod,
  coverageOf,
  ORIGIN_NAMES,
  OTHER_PURPOSES,
  progressNote,
  progressText,
  purposeOptions,
  reasonProblem,
  sourceNote,
  STATE_NAMES,
  STATE_OPTIONS,
} from './data.ts';

function authorisation(over: Partial<Authorisation>): Authorisation {
  return {
    id: 'a1',
    districtCode: '310110',
    householdId: 'h1',
    purpose: 'dibao',
    purposeName: '最低生活保障',
    signers: [],
    signedOn: '2026-11-02',
    validUntil: '2027-05-01',
    standing: false,
    endedOn: null,
    endReason: null,
    current: true,
    attachmentId: 'f1',
    version: 1,
    ...over,
  };
}

const members = [
  { personId: 'p1', name: '张伟', age: 45 },
  { personId: 'p2', name: '李娜', age: 18 },
  { personId: 'p3', name: '张小明', age: 17 },
];

describe('the server’s names, copied', () => {
  it('states, origins and the other purposes agree with the server’s', () => {
    expect(STATE_NAMES).toEqual(verificationMachine.states);
    expect(ORIGIN_NAMES).toEqual(SERVER_ORIGINS);
    expect(OTHER_PURPOSES).toEqual(SERVER_PURPOSES);
    expect(STATE_OPTIONS[0]).toEqual({ value: '', label: '全部状态' });
    expect(STATE_OPTIONS).toHaveLength(Object.keys(verificationMachine.states).length + 1);
  });

  it('purposes: the programs by name, then the other bureaus’ purposes', () => {
    const options = purposeOptions([{ code: 'dibao', name: '最低生活保障', level: 'household' }]);
    expect(options.map((o) => o.label)).toEqual(['最低生活保障', '廉租住房', '共有产权保障住房', '其他']);
    expect(options[1]?.value).toBe('housing_lianzu');
  });
});

describe('coverageOf', () => {
  it('an adult is covered by a current authorisation for the purpose that they signed', () => {
    const signed = authorisation({ signers: [{ personId: 'p1', name: '张伟' }] });
    const c = coverageOf(members, [signed], 'dibao', 18);
    expect(c.adults.map((a) => [a.name, a.coveredBy?.id ?? null])).toEqual([
      ['张伟', 'a1'],
      ['李娜', null],
    ]);
    expect(c.uncovered).toEqual([{ personId: 'p2', name: '李娜' }]);
  });

  it('an authorisation for another purpose, or no longer current, covers nobody', () => {
    const everyone = [
      { personId: 'p1', name: '张伟' },
      { personId: 'p2', name: '李娜' },
    ];
    const other = authorisation({ id: 'a2', purpose: 'housing_lianzu', signers: everyone });
    const expired = authorisation({ id: 'a3', current: false, signers: everyone });
    expect(coverageOf(members, [other, expired], 'dibao', 18).uncovered.map((m) => m.name)).toEqual([
      '张伟',
      '李娜',
    ]);
    expect(coverageOf(members, [other], 'housing_lianzu', 18).uncovered).toEqual([]);
  });

  it('the adult age is the parameter’s: at 17 the third member must sign as well', () => {
    expect(coverageOf(members, [], 'dibao', 17).adults).toHaveLength(3);
  });
});

describe('words on the list and the detail', () => {
  const row = {
    progress: { answered: 7, failed: 1, waiting: 1, total: 9 },
    state: 'gathering',
  } as Pick<VerificationRequest, 'progress' | 'state'>;

  it('progress: answered of asked, then what is missing', () => {
    expect(progressText(row.progress)).toBe('7/9');
    expect(progressNote(row)).toBe('1 个失败或超时，1 个待答复');
    expect(progressNote({ ...row, state: 'withdrawn' })).toBe('1 个失败或超时');
    expect(progressNote({ ...row, progress: { answered: 9, failed: 0, waiting: 0, total: 9 } })).toBe('');
  });

  it('street and committee in one cell, a dash when neither is known', () => {
    expect(areaText({ streetName: '控江路街道', committeeName: '控江一村居委会' })).toBe(
      '控江路街道 / 控江一村居委会',
    );
    expect(areaText({ streetName: null, committeeName: null })).toBe('—');
  });

  it('an authorisation’s period: the last day covered, standing, or ended', () => {
    expect(authorisationPeriod(authorisation({}))).toBe('2026-11-02 至 2027-04-30');
    expect(authorisationPeriod(authorisation({ standing: true, validUntil: null }))).toBe(
      '2026-11-02 起，随待遇延续',
    );
    expect(authorisationPeriod(authorisation({ endedOn: '2026-11-20', endReason: '待遇终止' }))).toBe(
      '2026-11-02 起，已于 2026-11-20 终止（待遇终止）',
    );
  });

  it('a source’s note: its error, or what waiting means', () => {
    const base: SourceStatus = {
      source: 'tax',
      sourceName: '税务部门',
      state: 'failed',
      stateName: '查询失败',
      attempts: 3,
      sentAt: '2026-12-01T01:00:00.000Z',
      answeredAt: null,
      error: '对方服务无响应',
    };
    expect(sourceNote(base)).toBe('对方服务无响应');
    expect(sourceNote({ ...base, state: 'sent', error: null })).toBe('已于 2026-12-01 09:00 发送，等待答复');
    expect(sourceNote({ ...base, state: 'answered', error: null })).toBe('—');
  });

  it('the adult age comes from the parameter in force; absent, null', () => {
    const parameter = {
      name: 'verification.adult_age',
      description: '',
      unit: 'years',
      values: [],
      current: { effective: '2009-01-01', value: 18, month: '2026-12' },
    } as unknown as ParameterInfo;
    expect(adultAgeOf([parameter])).toBe(18);
    expect(adultAgeOf([])).toBeNull();
  });

  it('a reason needs two characters', () => {
    expect(reasonProblem(' 撤 ', '撤销原因')).toBe('请填写撤销原因（至少 2 个字）');
    expect(reasonProblem('申请人撤回')).toBe('');
  });
});
