import { describe, expect, it } from 'vitest';
import type { ParameterInfo } from '../../api/types.ts';
import type {
  Authorisation,
  ReportFigure,
  SourceStatus,
  VerificationRequest,
} from '../../api/verifications.ts';
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
  recheckSummary,
  sourceNote,
  STATE_NAMES,
  STATE_OPTIONS,
} from './data.ts';
import {
  civilLines,
  claimSubject,
  claimText,
  claimValueOf,
  conclusionText,
  differenceText,
  FIGURE_KINDS,
  figureGroups,
  figureText,
  findingOptions,
} from './report-data.ts';

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

/**
 * The server's modules, loaded at run time: a static import would take the server's whole module graph
 * (database, engine) into the console's type-check, which is built for the browser.
 */
async function server<T>(path: string): Promise<T> {
  return (await import(/* @vite-ignore */ `../../../../src/verification/${path}`)) as T;
}

describe('the server’s names, copied', () => {
  it('states, origins, the other purposes and the figure kinds agree with the server’s', async () => {
    const { verificationMachine } = await server<{ verificationMachine: { states: object } }>(
      'verification.machine.ts',
    );
    const { ORIGIN_NAMES: origins } = await server<{ ORIGIN_NAMES: object }>('request.service.ts');
    const { OTHER_PURPOSES: purposes } = await server<{ OTHER_PURPOSES: object }>('purposes.ts');
    const { FIGURE_KINDS: kinds } = await server<{
      FIGURE_KINDS: Record<string, { label: string; unit: string }>;
    }>('report/report.types.ts');
    expect(STATE_NAMES).toEqual(verificationMachine.states);
    expect(ORIGIN_NAMES).toEqual(origins);
    expect(OTHER_PURPOSES).toEqual(purposes);
    expect(FIGURE_KINDS).toEqual(
      Object.fromEntries(Object.entries(kinds).map(([k, v]) => [k, { label: v.label, unit: v.unit }])),
    );
    expect(STATE_OPTIONS[0]).toEqual({ value: 'received', label: '已受理' });
    expect(STATE_OPTIONS).toHaveLength(Object.keys(verificationMachine.states).length);
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

  it('a re-verification’s result in one sentence', () => {
    expect(
      recheckSummary({
        households: 120,
        requests: 118,
        reported: 118,
        changes: 37,
        affecting: 5,
        waiting: 0,
      }),
    ).toBe('在保家庭 120 户，已出具报告 118 户，变更 37 项，其中影响资格或金额 5 项');
    expect(recheckSummary({ households: 3, reported: 1, waiting: 2 })).toBe(
      '在保家庭 3 户，已出具报告 1 户，2 户待部门答复',
    );
    expect(recheckSummary(null)).toBe('');
  });

  it('a reason needs two characters', () => {
    expect(reasonProblem(' 撤 ', '撤销原因')).toBe('请填写撤销原因（至少 2 个字）');
    expect(reasonProblem('申请人撤回')).toBe('');
  });
});

function figure(over: Partial<ReportFigure>): ReportFigure {
  return {
    personId: 'p1',
    memberName: '张伟',
    kind: 'wage',
    kindName: '工资性收入（月）',
    declared: 300000,
    verified: 450000,
    difference: 150000,
    declaredText: '3000.00元',
    verifiedText: '4500.00元',
    differenceText: '+1500.00元',
    complete: true,
    sources: [{ code: 'tax', name: '税务部门' }],
    flags: [],
    corrected: false,
    ...over,
  };
}

describe('the report', () => {
  const figures = [
    figure({}),
    figure({ personId: 'p2', memberName: '李娜', kind: 'pension', kindName: '养老金（月）' }),
    figure({
      personId: null,
      memberName: '家庭',
      kind: 'vehicles',
      kindName: '机动车（辆）',
      flags: [{ code: 'vehicles', label: '车辆' }],
    }),
  ];

  it('figures grouped by member, the household’s last as 家庭财产', () => {
    expect(figureGroups({ figures }).map((g) => [g.title, g.rows.length])).toEqual([
      ['张伟', 1],
      ['李娜', 1],
      ['家庭财产', 1],
    ]);
  });

  it('findings to contest: flagged first, keyed by member and kind', () => {
    const options = findingOptions({ figures });
    expect(options[0]).toEqual({
      value: '/vehicles',
      label: '家庭 · 机动车（辆）（核对 4500.00元，申报 3000.00元）',
    });
    expect(options.map((o) => o.value)).toEqual(['/vehicles', 'p1/wage', 'p2/pension']);
  });

  it('a claimed value in the server’s unit: 元 to fen, counts, 是/否', () => {
    expect(claimValueOf('wage', '3,000.5')).toEqual({ value: 300050 });
    expect(claimValueOf('wage', '3000.555')).toEqual({ problem: '金额应为元，最多两位小数' });
    expect(claimValueOf('vehicles', '1')).toEqual({ value: 1 });
    expect(claimValueOf('homes', '-1')).toEqual({ problem: '应为不小于 0 的整数' });
    expect(claimValueOf('employment', '否')).toEqual({ value: 0 });
    expect(claimValueOf('employment', '')).toEqual({ problem: '请选择“是”或“否”' });
    expect(Object.keys(FIGURE_KINDS)).toContain('monetary_assets');
  });

  it('figures in 元 from fen with separators, counts with their unit, differences signed', () => {
    expect(figureText('wage', 538400)).toBe('5,384.00');
    expect(figureText('wage', null)).toBe('未核实');
    expect(figureText('vehicles', 2)).toBe('2 辆');
    expect(figureText('employment', 0)).toBe('否');
    expect(differenceText('pension', -3930)).toBe('-39.30');
    expect(differenceText('monetary_assets', 150000000)).toBe('+1,500,000.00');
    expect(differenceText('homes', 1)).toBe('+1');
    expect(differenceText('employment', 1)).toBe('不一致');
    expect(differenceText('wage', null)).toBe('—');
  });

  it('claims and conclusions in words', () => {
    const members = [{ personId: 'p1', name: '张伟' }];
    expect(claimSubject({ members }, { personId: 'p1', kind: 'wage' })).toBe('张伟 · 工资性收入（月）');
    expect(claimSubject({ members }, { personId: null, kind: 'homes' })).toBe('家庭 · 房产（套）');
    expect(claimText({ kind: 'wage', claimedValue: 123456 })).toBe('1,234.56 元');
    expect(claimText({ kind: 'homes', claimedValue: 2 })).toBe('2 套');
    expect(claimText({ kind: 'employment', claimedValue: 1 })).toBe('是');
    expect(conclusionText({ eligible: true, amountFen: 155000 })).toBe('符合，1,550.00 元/月');
    expect(conclusionText({ eligible: true, amountFen: 0 })).toBe('符合');
    expect(conclusionText({ eligible: false, amountFen: 0 })).toBe('不符合');
    expect(conclusionText({ eligible: false, amountFen: 0, error: '缺少参数' })).toBe('无法测算');
  });

  it('business registration and death, which the figures table has no column for', () => {
    const civil = [
      { personId: 'p1', name: '张伟', business: true, deathDate: null },
      { personId: 'p2', name: '李娜', business: false, deathDate: '2026-10-03' },
      { personId: 'p3', name: '王五', business: null, deathDate: null },
    ];
    expect(civilLines({ civil })).toEqual([
      '张伟：有工商登记（企业法定代表人或经营者）',
      '李娜：户籍登记死亡日期 2026-10-03',
    ]);
  });
});
