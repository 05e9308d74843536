import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeStores } from '../../../test/support/stores.ts';
import { fixedClock, setClock } from '../../core/clock.ts';
import { determineCase } from '../../entitlements/determination.service.ts';
import { seedCase, type SeededCase } from '../../entitlements/entitlements.fixtures.ts';
import { listFacts } from '../../registry/facts/facts.service.ts';
import { ConflictError, WorkflowError } from '../../workflow/workflow.errors.ts';
import { getCase } from '../case.service.ts';
import { CasesError } from '../cases.errors.ts';
import { act, APPROVER, CASEWORKER, COMMITTEE, testDeps, type FakeDeps } from '../cases.fixtures.ts';
import type { Step } from '../cases.steps.ts';
import { caseFile, placeCase } from './tekun.fixtures.ts';
import { supporterCandidates } from './tekun.rules.ts';

const STEPS: Step[] = ['verify', 'visit', 'tekun_assessment', 'evaluation', 'review', 'publicity', 'decide'];

async function refusal(work: Promise<unknown>): Promise<Error> {
  try {
    await work;
  } catch (error) {
    if (error instanceof Error) return error;
    throw error;
  }
  throw new Error('not refused');
}

describe('legal supporters from the household relations', () => {
  it('finds spouse, parents and children among the members, not grandchildren', () => {
    const found = supporterCandidates([
      { personId: 'head', name: '张一', sex: 1, relationCode: '02' },
      { personId: 'wife', name: '李二', sex: 2, relationCode: '10' },
      { personId: 'mother', name: '王三', sex: 2, relationCode: '52' },
      { personId: 'son', name: '张四', sex: 1, relationCode: '20' },
    ]);
    expect(found.get('mother')!.map((s) => [s.name, s.relationName])).toEqual([['张一', '儿子']]);
    expect(
      found
        .get('head')!
        .map((s) => s.relationName)
        .sort(),
    ).toEqual(['儿子', '母亲', '配偶'].sort());
    expect(
      found
        .get('son')!
        .map((s) => s.relationName)
        .sort(),
    ).toEqual(['母亲', '父亲'].sort());
  });
});

describeStores('特困人员认定 on a case', (ctx) => {
  let restore: () => void;
  let deps: FakeDeps;
  let c: SeededCase;
  let fileId: string;
  let version: number;

  const assessment = (members: unknown[], extra: Record<string, unknown> = {}) => ({
    assessedOn: '2026-12-02',
    assessor: '社区评估员 周敏',
    attachmentIds: [fileId],
    members,
    ...extra,
  });
  const elderEligible = (able = false) => ({
    personId: c.elder.id,
    supporters: [
      {
        personId: c.adult.id,
        relation: 'child',
        able,
        reason: able ? '有稳定工资收入' : '本人无收入，系低保对象',
      },
    ],
    selfCare: 'partial',
    eligible: true,
    conclusion: '无劳动能力、无生活来源，唯一赡养人无履行能力',
  });
  const record = (members: unknown[], v = version, caller = CASEWORKER) =>
    act(ctx.store, deps, caller, {
      id: c.caseId,
      action: 'record_tekun_assessment',
      version: v,
      record: assessment(members),
    });

  beforeAll(async () => {
    restore = setClock(fixedClock('2026-12-02T10:00:00+08:00'));
    deps = await testDeps(ctx.store);
    c = await seedCase(ctx.store, 'TK1', { programs: ['tekun'] });
    version = await placeCase(ctx.store, c.caseId, 'tekun_assessment', STEPS);
    fileId = await caseFile(ctx.store, c.caseId);
  });
  afterAll(() => restore());

  it('shows each member its supporters by name and relation on the case', async () => {
    const shown = await getCase(ctx.store.db, CASEWORKER, { districtCode: '310110', id: c.caseId });
    const elder = shown.tekun!.candidates.find((m) => m.personId === c.elder.id)!;
    expect(elder.supporters.map((s) => [s.name, s.relationName])).toEqual([[c.adult.name, '儿子']]);
    expect(shown.tekun!.assessments).toEqual([]);
    expect(shown.allowedActions).toContain('record_tekun_assessment');
  });

  it('refuses an inconsistent record, naming each problem, and changes nothing', async () => {
    const missing = await refusal(record([{ ...elderEligible(), supporters: [] }]));
    expect(missing).toBeInstanceOf(CasesError);
    expect(missing.message).toContain(`${c.adult.name}（${c.elder.name}的儿子）是法定义务人`);
    const able = await refusal(record([elderEligible(true)]));
    expect(able.message).toContain('有履行能力，不能认定为符合特困供养条件');
    // The adult of 41 without a disability: the engine's age-or-disability condition fails.
    const adult = await refusal(
      record([
        {
          personId: c.adult.id,
          supporters: [
            { personId: c.elder.id, relation: 'parent', able: false, reason: '年满60周岁，无收入' },
            { personId: c.child.id, relation: 'child', able: false, reason: '未成年' },
          ],
          selfCare: 'capable',
          eligible: true,
          conclusion: '符合',
        },
      ]),
    );
    expect(adult.message).toContain(`${c.adult.name}不符合特困供养条件`);
    expect(adult.message).toContain('年龄不在规定范围内');
    const noFile = await refusal(
      act(ctx.store, deps, CASEWORKER, {
        id: c.caseId,
        action: 'record_tekun_assessment',
        version,
        record: assessment([elderEligible()], { attachmentIds: [] }),
      }),
    );
    expect(noFile.message).toContain('认定材料');
    const shown = await getCase(ctx.store.db, CASEWORKER, { districtCode: '310110', id: c.caseId });
    expect([shown.state, shown.version]).toEqual(['tekun_assessment', version]);
    const facts = await listFacts(
      ctx.store.db,
      CASEWORKER.scope,
      { subjectType: 'person', districtCode: '310110', subjectId: c.elder.id },
      '2026-12-02',
    );
    expect(facts.facts.filter((f) => f.sourceRef.includes('特困人员认定'))).toEqual([]);
  });

  it('is recorded by the street only: the committee assistant and the district approver are refused', async () => {
    for (const caller of [COMMITTEE, APPROVER]) {
      const refused = await refusal(record([elderEligible()], version, caller));
      expect(refused).toBeInstanceOf(WorkflowError);
    }
  });

  it('writes hasSupporter and category tekun as dated facts, and the joint determination then grants 特困', async () => {
    const before = await determineCase(ctx.store, CASEWORKER.scope, {
      districtCode: '310110',
      caseId: c.caseId,
      month: '2026-12',
    });
    expect(before.programs.find((p) => p.program === 'tekun')!.eligible).toBe(false);
    const moved = await record([elderEligible()]);
    expect(moved.state).toBe('evaluation');
    version = moved.version;
    const facts = await listFacts(
      ctx.store.db,
      CASEWORKER.scope,
      { subjectType: 'person', districtCode: '310110', subjectId: c.elder.id },
      '2026-12-01',
    );
    expect(facts.figures).toMatchObject({ hasSupporter: false, categories: ['tekun'] });
    const after = await determineCase(ctx.store, CASEWORKER.scope, {
      districtCode: '310110',
      caseId: c.caseId,
      month: '2026-12',
    });
    const tekun = after.programs.find((p) => p.program === 'tekun')!;
    expect(tekun.eligible).toBe(true);
    expect(tekun.members!.find((m) => m.personId === c.elder.id)!.amountFen).toBe(214500);
    const shown = await getCase(ctx.store.db, CASEWORKER, { districtCode: '310110', id: c.caseId });
    expect(shown.tekun!.assessments).toMatchObject([
      {
        personName: c.elder.name,
        hasSupporter: false,
        selfCare: 'partial',
        selfCareName: '部分丧失生活自理能力',
        eligible: true,
        supporters: [{ name: c.adult.name, relationName: '儿子', able: false }],
      },
    ]);
    expect(shown.timeline.map((e) => e.action)).toContain('record_tekun_assessment');
  });

  it('refuses the step from the wrong state', async () => {
    const again = await refusal(record([elderEligible()]));
    expect(again).toBeInstanceOf(ConflictError);
    expect((again as ConflictError).code).toBe('wrong_state');
  });

  it('takes the 特困 category back when the case is denied, so the determination no longer grants it', async () => {
    const v = await placeCase(ctx.store, c.caseId, 'deciding', STEPS);
    await act(ctx.store, deps, APPROVER, {
      id: c.caseId,
      action: 'deny',
      version: v,
      reason: '经复核，其子有赡养能力',
    });
    const facts = await listFacts(
      ctx.store.db,
      APPROVER.scope,
      { subjectType: 'person', districtCode: '310110', subjectId: c.elder.id },
      '2026-12-01',
    );
    expect(facts.figures).toMatchObject({ categories: [] });
    const voided = facts.facts.find((f) => f.kind === 'category' && f.voidedAt !== null);
    expect(voided?.voidReason).toContain('经复核，其子有赡养能力');
    const after = await determineCase(ctx.store, APPROVER.scope, {
      districtCode: '310110',
      caseId: c.caseId,
      month: '2026-12',
    });
    expect(after.programs.find((p) => p.program === 'tekun')!.eligible).toBe(false);
  });
});
