import { mayAct } from '../../auth/roles.ts';
import { shanghaiToday } from '../../core/clock.ts';
import type { Db } from '../../db/store.ts';
import { requireAttachments } from '../../files/files.service.ts';
import { evaluateHousehold } from '../../policy/index.ts';
import { addFact, correctFact, listFacts } from '../../registry/facts/facts.service.ts';
import { householdMemberRows } from '../../registry/household.repository.ts';
import { policyHouseholdOf } from '../../registry/policy-input.service.ts';
import type { WorkTx } from '../../workflow/unit-of-work.ts';
import type { CaseCaller } from '../case.deps.ts';
import type { CaseRow } from '../case.repository.ts';
import { CasesError } from '../cases.errors.ts';
import {
  parseAssessment,
  SELF_CARE_NAMES,
  supporterCandidates,
  type Assessment,
  type AssessedSupporter,
  type HouseholdMember,
  type SelfCare,
  type SupporterCandidate,
} from './tekun.rules.ts';
import { insertTekunAssessments, tekunAssessmentRows, type TekunAssessmentRow } from './tekun.repository.ts';
import { parametersInForce } from '../../parameter-changes/parameters-in-force.ts';

/**
 * 特困人员认定 (`record_tekun_assessment`): checks the record (tekun.rules.ts) and, for every member concluded
 * 符合, that the engine's tekun conditions hold once the member is 特困 without an able supporter (SPEC.md:
 * hukou, age or disability, own income) — so the street cannot conclude what the joint determination would
 * then refuse. Completing the step writes the registry's dated facts the engine reads (hasSupporter for
 * every member assessed, category tekun for those who qualify) through the facts service, each audited.
 */

/** Only the engine's conditions count here; the ones the assessment itself settles are left out. */
const SETTLED_BY_ASSESSMENT = new Set(['TEKUN_NOT_DETERMINED', 'TEKUN_HAS_SUPPORTER', 'TEKUN_ELIGIBLE']);

async function householdOf(db: Db, row: CaseRow): Promise<HouseholdMember[]> {
  const rows = await householdMemberRows(db, row.districtCode, row.householdId, true);
  return rows.map((m) => ({
    personId: m.person.id,
    name: m.person.name,
    sex: m.person.sex,
    relationCode: m.membership.relationCode,
  }));
}

/** The engine's tekun verdict for the members concluded 符合, as if the assessment's facts were written. */
async function engineProblems(db: Db, row: CaseRow, assessment: Assessment): Promise<string[]> {
  const eligible = assessment.members.filter((m) => m.eligible);
  if (eligible.length === 0) return [];
  const month = assessment.assessedOn.slice(0, 7);
  const registered = await policyHouseholdOf(
    db,
    { districtCode: row.districtCode, id: row.householdId },
    month,
  );
  const found = new Map(assessment.members.map((m) => [m.personId, m]));
  const household = {
    ...registered,
    members: registered.members.map((m) => {
      const a = found.get(m.id);
      if (!a) return m;
      const others = m.categories.filter((c) => c !== 'tekun');
      return {
        ...m,
        hasSupporter: a.hasSupporter,
        categories: a.eligible ? [...others, 'tekun' as const] : m.categories,
      };
    }),
  };
  const [result] = evaluateHousehold(household, month, {
    programs: ['tekun'],
    district: row.districtCode,
    parameters: parametersInForce(),
  }).results;
  if (!result || result.error)
    return [`特困人员救助供养无法测算（${result?.error ?? '无结果'}），不能认定为符合`];
  const problems: string[] = [];
  for (const m of eligible) {
    const own = result.reasons.filter((r) => r.memberId === m.personId);
    if (own.some((r) => r.code === 'TEKUN_ELIGIBLE')) continue;
    const why = own.filter((r) => !SETTLED_BY_ASSESSMENT.has(r.code)).map((r) => r.text);
    problems.push(
      `${m.name}不符合特困供养条件（${why.join('；') || '不在本户当月成员之列'}），不能认定为符合`,
    );
  }
  return problems;
}

/**
 * Checks the step's record before the case moves; returns the writes to run once the machine has moved it
 * (nothing is written when the state is wrong: the machine refuses the action first).
 */
export async function prepareTekunAssessment(
  tx: WorkTx,
  caller: CaseCaller,
  row: CaseRow,
  record: Record<string, unknown> | undefined,
): Promise<(() => Promise<void>) | undefined> {
  // The wrong state or role is the machine's refusal (409/403), before any check of the record.
  if (row.state !== 'tekun_assessment' || !mayAct(caller.role, 'cases.process')) return undefined;
  const today = shanghaiToday(tx.now);
  const household = await householdOf(tx.db, row);
  const { assessment, problems } = parseAssessment(record, today, household);
  if (problems.length === 0) problems.push(...(await engineProblems(tx.db, row, assessment)));
  if (problems.length > 0) throw new CasesError('invalid', problems.join('；'), problems);
  const attachmentIds = await requireAttachments(
    tx.db,
    { entityType: 'case', districtCode: row.districtCode, entityId: row.id },
    assessment.attachmentIds,
  );
  return async () => {
    // The engine reads a fact on a month's first day: the finding holds for the month it was made in.
    const validFrom = `${assessment.assessedOn.slice(0, 7)}-01`;
    const sourceRef = `救助申请 ${row.caseNo} 特困人员认定`;
    const rows: TekunAssessmentRow[] = [];
    for (const m of assessment.members) {
      const subject = {
        subjectType: 'person' as const,
        districtCode: row.districtCode,
        subjectId: m.personId,
      };
      const factIds: string[] = [];
      const supporter = await addFact(tx, caller.scope, subject, {
        kind: 'supporter',
        flag: m.hasSupporter,
        validFrom,
        sourceKind: 'verified',
        sourceRef,
      });
      factIds.push(supporter.fact.id);
      if (m.eligible) {
        const category = await addFact(tx, caller.scope, subject, {
          kind: 'category',
          category: 'tekun',
          validFrom,
          sourceKind: 'decision',
          sourceRef,
        });
        factIds.push(category.fact.id);
      }
      rows.push({
        districtCode: row.districtCode,
        caseId: row.id,
        personId: m.personId,
        personName: m.name,
        supporters: m.supporters,
        hasSupporter: m.hasSupporter,
        selfCare: m.selfCare,
        eligible: m.eligible,
        conclusion: m.conclusion,
        assessedOn: assessment.assessedOn,
        assessor: assessment.assessor,
        attachmentIds,
        factIds,
        recordedBy: caller.userId ?? 'system',
        recordedAt: tx.now.toISOString(),
      });
    }
    await insertTekunAssessments(tx, rows);
  };
}

/**
 * A case that ends without approval (不予批准, 撤回) takes back the 特困 category its assessment wrote: the
 * category is a determination of this case, so it is withdrawn as recorded in error with the case's reason
 * (the supporter finding stays: it is what the street found). Each withdrawal is the facts service's audited
 * correction.
 */
export async function withdrawTekunCategories(
  tx: WorkTx,
  caller: CaseCaller,
  row: CaseRow,
  why: string,
): Promise<void> {
  const rows = await tekunAssessmentRows(tx.db, { districtCode: row.districtCode, caseId: row.id });
  const today = shanghaiToday(tx.now);
  for (const r of rows.filter((x) => x.eligible)) {
    const subject = { subjectType: 'person' as const, districtCode: row.districtCode, subjectId: r.personId };
    const { facts } = await listFacts(tx.db, caller.scope, subject, today);
    for (const f of facts) {
      if (!r.factIds.includes(f.id) || f.kind !== 'category' || f.voidedAt !== null) continue;
      await correctFact(
        tx,
        caller.scope,
        { ...subject, factId: f.id },
        { version: f.version, reason: `救助申请 ${row.caseNo} ${why}，撤销其特困人员认定` },
      );
    }
  }
}

export interface TekunAssessmentView {
  personId: string;
  personName: string;
  supporters: AssessedSupporter[];
  hasSupporter: boolean;
  selfCare: SelfCare;
  selfCareName: string;
  eligible: boolean;
  conclusion: string;
  assessedOn: string;
  assessor: string;
  attachmentIds: string[];
  recordedBy: string;
  recordedAt: string;
}

export interface TekunStepView {
  /** Each current member's legal supporters in the household (for the form: by name and relation). */
  candidates: { personId: string; name: string; supporters: SupporterCandidate[] }[];
  assessments: TekunAssessmentView[];
}

/** What the case page shows of the step: the supporters the registry knows, and the record once made. */
export async function tekunStepOf(db: Db, row: CaseRow): Promise<TekunStepView | null> {
  if (!row.requiredSteps.includes('tekun_assessment')) return null;
  const [household, rows] = await Promise.all([
    householdOf(db, row),
    tekunAssessmentRows(db, { districtCode: row.districtCode, caseId: row.id }),
  ]);
  const candidates = supporterCandidates(household);
  return {
    candidates: household.map((m) => ({
      personId: m.personId,
      name: m.name,
      supporters: candidates.get(m.personId) ?? [],
    })),
    assessments: rows.map((r) => ({
      personId: r.personId,
      personName: r.personName,
      supporters: r.supporters as AssessedSupporter[],
      hasSupporter: r.hasSupporter,
      selfCare: r.selfCare as SelfCare,
      selfCareName: SELF_CARE_NAMES[r.selfCare as SelfCare],
      eligible: r.eligible,
      conclusion: r.conclusion,
      assessedOn: r.assessedOn,
      assessor: r.assessor,
      attachmentIds: [...r.attachmentIds],
      recordedBy: r.recordedBy,
      recordedAt: r.recordedAt,
    })),
  };
}
