import { divisionScope } from '../auth/scope.ts';
import type { WorkingCalendar } from '../calendar/working-calendar.ts';
import { actOnCase } from '../cases/case.actions.ts';
import type { CaseCaller, CaseDeps } from '../cases/case.deps.ts';
import { intakeCase } from '../cases/case.service.ts';
import { PUBLIC_FORM_ACTOR, submitApplication } from '../cases/public/public.service.ts';
import type { Store } from '../db/store.ts';
import { determineCase } from '../entitlements/determination.service.ts';
import { prepareDecision } from '../entitlements/decision.service.ts';
import { linkSelf, declareRelative } from '../relatives/relatives.service.ts';
import { gatherBatch } from '../verification/gather.service.ts';
import { issueReports } from '../verification/report/report.service.ts';
import { buildAdapters, type SourceSettings } from '../verification/sources/adapters.ts';
import { inUnitOfWork, type WorkTx } from '../workflow/unit-of-work.ts';
import type { DemoActor, DemoScenario, DemoStep } from './demo-case-plan.ts';
import { latestCaseOf, type CaseCandidate } from './demo.repository.ts';

/**
 * One step of a demo application, carried out through the services the console's routes call, each in its
 * own unit of work dated on the step's day (the audit log and the case's timeline read as the street's
 * month of work). The request id `demo-cases` marks every record the demo wrote.
 */

export const DEMO_REQUEST_ID = 'demo-cases';

export interface DemoStaffMember {
  caller: CaseCaller;
  userId: string;
  divisionCode: string;
  /** The staff member's own person record (the committee assistant's, for the relatives' declaration). */
  idNumber?: string;
}

export interface DemoPerson {
  personId: string;
  name: string;
  idNumber: string;
  birthDate: string;
}

/** One application of the plan: its scenario, household and applicant (the head). */
export interface DemoApplication {
  scenario: DemoScenario;
  household: CaseCandidate & { streetCode: string; address: string };
  head: DemoPerson;
  /** The staff's own record the committee assistant links to (a relative's case only). */
  staffSelf?: DemoPerson;
  /** Set by the joint determination: whether the engine granted any program (else the decider denies). */
  granted?: boolean;
}

export interface DemoCaseContext {
  store: Store;
  district: string;
  calendar: WorkingCalendar;
  deps: CaseDeps;
  sources: SourceSettings;
  staff: Readonly<Record<Exclude<DemoActor, 'public'>, DemoStaffMember>>;
}

const REFUSALS = new Set(['not_accept', 'return', 'deny']);
const ENGINE_DENIED = '经联合认定，家庭经济状况不符合所申请救助项目的条件';
const VISITORS = ['王美华（居委会救助干部）', '陈建国（街道社区事务受理服务中心）'];
const EVALUATORS = ['居委会主任', '社区民警', '居民代表甲', '居民代表乙', '居民代表丙'];

function reasonOf(step: DemoStep): string {
  if (step.kind === 'intake') return '窗口受理救助申请';
  if (step.kind === 'submit_online') return '居民网上申请';
  if (step.kind === 'gather') return '核对信息获取';
  if (step.kind === 'prepare') return '联合认定并拟定决定明细';
  if (step.kind === 'declare_relative') return '登记近亲属备案';
  return '办理救助申请';
}

/** The payee's account of a household: a fixed, fake account number from its 户编号 (19 digits). */
function demoAccount(householdNo: string): string {
  const digits = householdNo.replace(/\D/g, '');
  return `6228${digits.slice(-15).padStart(15, '0')}`;
}

function recordOf(action: string, day: string, a: DemoApplication): Record<string, unknown> | undefined {
  switch (action) {
    case 'record_visit':
      return {
        visitedOn: day,
        visitors: VISITORS,
        checklist: { residence: true, members: true, living: true, health: true, income: true },
        notes: `${a.head.name}家住房为公房，家电陈旧，无机动车；家庭成员健康与劳动能力已了解，收入来源与申报一致。`,
      };
    case 'record_evaluation':
      return {
        heldOn: day,
        participants: EVALUATORS,
        votesFor: 5,
        votesAgainst: 0,
        votesAbstain: 0,
        opinion: '家庭经济状况与核对结果一致，同意上报',
      };
    case 'record_review':
      return { opinion: '材料齐全，核对与入户调查结果一致，符合条件，同意公示' };
    case 'start_publicity':
      return { startsOn: day };
    default:
      return undefined;
  }
}

export async function runStep(
  ctx: DemoCaseContext,
  a: DemoApplication,
  step: DemoStep,
  day: string,
  at: Date,
): Promise<void> {
  const who = step.actor === 'public' ? undefined : ctx.staff[step.actor];
  const actor =
    who === undefined
      ? { userId: PUBLIC_FORM_ACTOR, divisionCode: null, reason: reasonOf(step), requestId: DEMO_REQUEST_ID }
      : {
          userId: who.userId,
          divisionCode: who.divisionCode,
          reason: REFUSALS.has(step.action ?? '') && a.scenario.reason ? a.scenario.reason : reasonOf(step),
          requestId: DEMO_REQUEST_ID,
        };
  await inUnitOfWork(ctx.store, actor, (tx) => work(ctx, a, step, day, tx, who), { now: at });
}

async function work(
  ctx: DemoCaseContext,
  a: DemoApplication,
  step: DemoStep,
  day: string,
  tx: WorkTx,
  who: DemoStaffMember | undefined,
): Promise<void> {
  const { district } = ctx;
  switch (step.kind) {
    case 'declare_relative': {
      const me = who!.caller;
      if (!a.staffSelf) throw new Error('internal: a relative’s case without the staff member’s record');
      await linkSelf(tx, me, { idNumber: a.staffSelf.idNumber });
      await declareRelative(tx, me, {
        relationCode: '73',
        relativeName: a.head.name,
        idNumber: a.head.idNumber,
        declaredOn: day,
      });
      return;
    }
    case 'intake':
      await intakeCase(tx, who!.caller, ctx.deps, {
        districtCode: district,
        householdId: a.household.id,
        programs: a.scenario.programs,
        applicantPersonId: a.head.personId,
        contactPhone: phoneOf(a.household.householdNo),
        materials: { application: true, identity: true, authorisation: true, income: true },
      });
      return;
    case 'submit_online':
      await submitApplication(
        tx,
        { districtCode: district, calendar: ctx.calendar },
        {
          name: a.head.name,
          idNumber: a.head.idNumber,
          phone: phoneOf(a.household.householdNo),
          streetCode: a.household.streetCode,
          address: a.household.address,
          householdNote: '',
          programs: a.scenario.programs,
          consent: true,
        },
      );
      return;
    case 'gather':
      return gather(ctx, tx);
    case 'prepare':
      return prepare(ctx, a, day, tx, who!);
    case 'action': {
      const found = await latestCaseOf(tx.db, district, a.household.id);
      if (!found) throw new Error(`internal: no case of household ${a.household.householdNo}`);
      // The engine refused every program: the decider cannot approve, and denies with the engine's finding.
      const refused = step.action === 'approve' && a.granted === false;
      const action = refused ? 'deny' : step.action!;
      await actOnCase(tx, who!.caller, ctx.deps, {
        districtCode: district,
        id: found.id,
        action,
        version: found.version,
        reason: refused ? ENGINE_DENIED : a.scenario.reason,
        record: recordOf(action, day, a),
      });
      return;
    }
  }
}

function phoneOf(householdNo: string): string {
  const digits = householdNo.replace(/\D/g, '');
  return `139${digits.slice(-8).padStart(8, '0')}`;
}

/**
 * 核对信息获取 for the requests just opened, in this unit: the simulated sources answer at once and the
 * reports are issued, as the gathering job does a moment after a request on a running server.
 */
async function gather(ctx: DemoCaseContext, tx: WorkTx): Promise<void> {
  const adapters = buildAdapters(ctx.sources, tx.db);
  for (let batch = 1; batch <= 5; batch += 1) {
    const outcome = await gatherBatch(
      { jobId: `${DEMO_REQUEST_ID}-${tx.now.toISOString()}`, batch, limit: 200, districtCode: ctx.district },
      {
        adapters,
        retry: { retryMs: ctx.sources.retryMs, maxRetryMs: ctx.sources.maxRetryMs },
        issueReports,
        unit: (w) => w(tx),
        say: () => undefined,
        maxWaitMs: 0,
      },
    );
    if (outcome.finished) return;
  }
}

/**
 * 联合认定: every program the engine finds eligible is granted to the household, paid to the head; what it
 * denies is denied with its reasons. A case the engine denies altogether is then denied by its decider
 * (the plan's approval becomes a denial: the demo never grants what the engine refuses).
 */
async function prepare(
  ctx: DemoCaseContext,
  a: DemoApplication,
  day: string,
  tx: WorkTx,
  who: DemoStaffMember,
): Promise<void> {
  const found = await latestCaseOf(tx.db, ctx.district, a.household.id);
  if (!found) throw new Error(`internal: no case of household ${a.household.householdNo}`);
  const key = { districtCode: ctx.district, caseId: found.id, month: day.slice(0, 7) };
  const d = await determineCase(tx, who.caller.scope, key);
  const lines = d.programs
    .filter((p) => p.applied)
    .map((p) =>
      p.eligible && p.reportFresh && p.error === null
        ? { program: p.program, outcome: 'granted' as const }
        : {
            program: p.program,
            outcome: 'denied' as const,
            reasons: p.reasons.length > 0 ? p.reasons : [ENGINE_DENIED],
          },
    );
  const payees = d.programs
    .filter((p) => p.applied && p.eligible)
    .flatMap((p) =>
      p.level === 'household'
        ? [a.household.id]
        : (p.members ?? []).filter((m) => m.amountFen > 0).map((m) => m.personId),
    )
    .map((beneficiaryId) => ({
      beneficiaryId,
      payeePersonId: a.head.personId,
      bankName: '上海农商银行',
      accountNo: demoAccount(a.household.householdNo),
    }));
  a.granted = lines.some((l) => l.outcome === 'granted');
  await prepareDecision(tx, who.caller, { ...key, lines, payees });
}

/** Staff of the demo as the case services see them. */
export function staffMember(userId: string, role: CaseCaller['role'], divisionCode: string): DemoStaffMember {
  return { userId, divisionCode, caller: { scope: divisionScope(divisionCode), role, userId } };
}
