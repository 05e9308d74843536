import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../../test/support/stores.ts';
import { ALL } from '../../auth/scope.ts';
import { fixedClock, setClock } from '../../core/clock.ts';
import { listFacts } from '../../registry/facts/facts.service.ts';
import { inUnitOfWork, type ActingContext } from '../../workflow/unit-of-work.ts';
import { ConflictError, WorkflowError } from '../../workflow/workflow.errors.ts';
import type { RequestView } from '../request.service.ts';
import {
  authorise,
  calendarFor,
  OFFICER,
  OTHER_STREET,
  request,
  SECOND_OFFICER,
  seedHousehold,
  STREET_CASEWORKER,
  streetActor,
  type SeededHousehold,
} from '../verification.fixtures.ts';
import type { VerificationCaller } from '../verification.caller.ts';
import { VerificationError } from '../verification.errors.ts';
import { decideObjection, fileObjection, type ObjectionInput } from './objection.service.ts';
import { answered, attachEvidence, JOB_ACTOR } from './report.fixtures.ts';
import { getRawAnswers, getReport, listReportRevisions } from './report.present.ts';
import { issueReports } from './report.service.ts';

const officerActor: ActingContext = { userId: 'u-officer', divisionCode: '310110', reason: '结果复核' };

async function refusal(work: Promise<unknown>): Promise<Error> {
  try {
    await work;
  } catch (error) {
    if (error instanceof Error) return error;
    throw error;
  }
  throw new Error('not refused');
}

describeStores('objection and review of a verification report', (ctx) => {
  let restore: () => void;
  let seeded: SeededHousehold;
  let contested: RequestView;
  let dismissed: RequestView;
  let evidence: string;

  async function issue(req: RequestView, wageFen: number) {
    const a = seeded.adults[0]!;
    await answered(ctx.store, req, [
      { source: 'tax', personId: a.id, kind: 'wage', amountFen: wageFen },
      { source: 'deposits', personId: a.id, kind: 'deposits', amountFen: 1_000_000 },
    ]);
    await inUnitOfWork(ctx.store, JOB_ACTOR, (tx) => issueReports(tx, '310110', [req.id]));
  }

  async function file(caller: VerificationCaller, req: RequestView, input: Partial<ObjectionInput> = {}) {
    // Read before the unit: the embedded store has one connection, which the unit holds.
    const calendar = await calendarFor(ctx.store);
    return inUnitOfWork(ctx.store, streetActor, (tx) =>
      fileObjection(tx, caller, calendar, req, {
        version: 3,
        grounds: '单位出具的收入证明显示月工资为3000元，公积金缴存基数有误',
        claims: [{ personId: seeded.adults[0]!.id, kind: 'wage', claimedValue: 300_000 }],
        attachmentIds: [evidence],
        ...input,
      }),
    );
  }

  beforeAll(async () => {
    restore = setClock(fixedClock('2026-12-01T10:00:00+08:00'));
    seeded = await seedHousehold(ctx.store, 'O1');
    await authorise(ctx.store, seeded, { signedOn: '2026-11-20' });
    contested = await request(ctx.store, seeded);
    await issue(contested, 420_000);
    evidence = await attachEvidence(ctx.store, contested);
  });
  afterAll(() => restore());

  it('shows the report to the street and hides it from another street (404); raw answers are the officers’', async () => {
    const view = await getReport(ctx.store.db, STREET_CASEWORKER, contested, {
      calendar: await calendarFor(ctx.store),
    });
    expect(view.revision).toBe(1);
    expect(view.flags.map((f) => [f.code, f.personId])).toEqual([
      ['underreported', seeded.adults[0]!.id],
      ['underreported', null],
    ]);
    expect(view.objection.due).toBe('2026-12-15'); // ten working days after Tuesday 1 December
    expect(JSON.stringify(view)).not.toContain('"reference"');
    const hidden = await refusal(getReport(ctx.store.db, OTHER_STREET, contested));
    expect(hidden).toBeInstanceOf(VerificationError);
    expect((hidden as VerificationError).code).toBe('not_found');
    const raw = await refusal(getRawAnswers(ctx.store.db, STREET_CASEWORKER, contested));
    expect(raw).toBeInstanceOf(WorkflowError);
    expect((raw as WorkflowError).code).toBe('forbidden');
    const answers = await getRawAnswers(ctx.store.db, OFFICER, contested);
    expect(answers.sources.map((s) => s.source)).toEqual(['deposits', 'tax']);
    expect(answers.sources[1]!.rows[0]).toMatchObject({ value: '4200.00元', reference: 'TEST', late: false });
  });

  it('refuses an objection without grounds, claims of the report or evidence, naming every problem', async () => {
    const error = await refusal(
      file(STREET_CASEWORKER, contested, {
        grounds: ' ',
        claims: [
          { personId: seeded.adults[0]!.id, kind: 'salary', claimedValue: 1 },
          { personId: '00000000-0000-4000-8000-000000000009', kind: 'wage', claimedValue: 1 },
          { personId: null, kind: 'vehicles', claimedValue: -1 },
        ],
        attachmentIds: [],
      }),
    );
    expect((error as VerificationError).problems).toEqual([
      '请写明复核理由（至少 4 个字）',
      '请上传证明材料后再提出复核申请',
      '第 1 项：没有「salary」这一核对项目',
      '第 2 项：「工资性收入（月）」须指明本次核对的家庭成员',
      '第 3 项：主张的数值应为非负整数',
    ]);
  });

  it('files the objection (in review); a second one while it is open is refused', async () => {
    const objection = await file(STREET_CASEWORKER, contested);
    expect(objection).toMatchObject({ state: 'open', revision: 1, filedBy: 'u-street' });
    const again = await refusal(file(STREET_CASEWORKER, contested, { version: 4 }));
    expect(again).toBeInstanceOf(ConflictError);
  });

  it('lets neither the requester nor the filer decide; a second officer upholds: revision 2, both kept, facts corrected', async () => {
    const view = await getReport(ctx.store.db, OFFICER, contested);
    const objectionId = view.objection.open!.id;
    const same = await refusal(
      inUnitOfWork(ctx.store, officerActor, (tx) =>
        decideObjection(
          tx,
          { ...OFFICER, userId: 'u-street' },
          { ...contested, objectionId },
          { decision: 'uphold', version: 4, reason: '证明材料属实' },
        ),
      ),
    );
    expect((same as VerificationError).code).toBe('same_officer');
    const caseworker = await refusal(
      inUnitOfWork(ctx.store, officerActor, (tx) =>
        decideObjection(
          tx,
          { ...STREET_CASEWORKER, userId: 'u-street-2' },
          { ...contested, objectionId },
          { decision: 'uphold', version: 4, reason: '证明材料属实' },
        ),
      ),
    );
    expect((caseworker as WorkflowError).code).toBe('forbidden');
    const decided = await inUnitOfWork(ctx.store, officerActor, (tx) =>
      decideObjection(
        tx,
        SECOND_OFFICER,
        { ...contested, objectionId },
        {
          decision: 'uphold',
          version: 4,
          reason: '单位收入证明属实，按证明更正',
        },
      ),
    );
    expect(decided.revision).toBe(2);
    expect(decided.objection.state).toBe('upheld');
    const revisions = await listReportRevisions(ctx.store.db, STREET_CASEWORKER, contested);
    expect(revisions.map((r) => [r.revision, r.objectionId])).toEqual([
      [1, null],
      [2, objectionId],
    ]);
    const latest = await getReport(ctx.store.db, STREET_CASEWORKER, contested);
    expect(latest.request.state).toBe('reviewed');
    const wage = latest.figures.find((f) => f.personId === seeded.adults[0]!.id && f.kind === 'wage');
    expect(wage).toMatchObject({ verified: 300_000, corrected: true, flags: [] });
    expect(latest.flags.map((f) => [f.code, f.personId])).toEqual([['underreported', null]]); // the money
    const first = await getReport(ctx.store.db, STREET_CASEWORKER, contested, { revision: 1 });
    expect(
      first.figures.find((f) => f.kind === 'wage' && f.personId === seeded.adults[0]!.id)?.verified,
    ).toBe(420_000);
    const facts = await listFacts(
      ctx.store.db,
      ALL,
      {
        subjectType: 'person',
        districtCode: '310110',
        subjectId: seeded.adults[0]!.id,
      },
      '2027-01-01',
    );
    const wages = facts.facts.filter((f) => f.kind === 'wage' && f.sourceKind === 'verified');
    const rows = wages.map((f) => [f.amountFen, f.voidedAt !== null, f.sourceRef]);
    expect(rows.sort((x, y) => Number(y[0]) - Number(x[0]))).toEqual([
      [420_000, true, `核对报告 ${contested.requestNo}-R1`],
      [300_000, false, `核对报告 ${contested.requestNo}-R2`],
    ]);
    expect(facts.figures).toMatchObject({ wageFen: 300_000 });
  });

  it('dismisses with a reason only, leaving the report as it was', async () => {
    dismissed = await request(ctx.store, seeded);
    await issue(dismissed, 500_000);
    evidence = await attachEvidence(ctx.store, dismissed);
    const objection = await file(STREET_CASEWORKER, dismissed);
    const noReason = await refusal(
      inUnitOfWork(ctx.store, officerActor, (tx) =>
        decideObjection(
          tx,
          SECOND_OFFICER,
          { ...dismissed, objectionId: objection.id },
          {
            decision: 'dismiss',
            version: 4,
            reason: '',
          },
        ),
      ),
    );
    expect(noReason.message).toBe('维持原报告须说明理由（至少 4 个字）');
    const decided = await inUnitOfWork(ctx.store, officerActor, (tx) =>
      decideObjection(
        tx,
        SECOND_OFFICER,
        { ...dismissed, objectionId: objection.id },
        {
          decision: 'dismiss',
          version: 4,
          reason: '证明材料与税务记录不符',
        },
      ),
    );
    expect(decided).toMatchObject({ revision: null, objection: { state: 'rejected' } });
    expect(await listReportRevisions(ctx.store.db, OFFICER, dismissed)).toHaveLength(1);
  });

  it('refuses an objection after the time limit', async () => {
    const late = await request(ctx.store, seeded);
    await issue(late, 500_000);
    evidence = await attachEvidence(ctx.store, late);
    const later = setClock(fixedClock('2026-12-16T09:00:00+08:00'));
    try {
      const error = await refusal(file(STREET_CASEWORKER, late));
      expect((error as VerificationError).code).toBe('objection_late');
      expect(error.message).toContain('2026-12-15');
    } finally {
      later();
    }
  });
});
