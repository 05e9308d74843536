import { randomUUID } from 'node:crypto';
import type { WorkingCalendar } from '../../calendar/working-calendar.ts';
import { shanghaiToday } from '../../core/clock.ts';
import { visibleLength } from '../../core/text.ts';
import { requireAttachments } from '../../files/files.service.ts';
import { factsOfSubject } from '../../registry/facts/facts.repository.ts';
import { addFact, correctFact, type VerifiedFactInput } from '../../registry/facts/facts.service.ts';
import { RegistryError } from '../../registry/registry.errors.ts';
import { applyTransition } from '../../workflow/state-machine.ts';
import type { WorkTx } from '../../workflow/unit-of-work.ts';
import { requestStore } from '../request.service.ts';
import type { VerificationCaller } from '../verification.caller.ts';
import { VerificationError } from '../verification.errors.ts';
import { verificationMachine } from '../verification.machine.ts';
import {
  decideObjectionRow,
  findObjection,
  insertObjection,
  type ObjectionRow,
} from './objection.repository.ts';
import { requestSourceRefPrefix, reviseReport, toleranceOn } from './report.build.ts';
import { objectionDue, requestInScope, reportedDay } from './report.present.ts';
import { insertReport, latestReport } from './report.repository.ts';
import { FIGURE_KINDS, isFigureKind, type Claim, type ReportBody } from './report.types.ts';
import { parametersInForce } from '../../parameter-changes/parameters-in-force.ts';

/**
 * 结果复核 (MZ/T 072): the applicant contests findings of the report — grounds, the findings (member and
 * kind) with the value they say is right, evidence attached to the request — within a dated number of working
 * days of the report (request → in_review). A second officer, neither the one who created the request nor
 * the one who filed the objection, decides: `uphold` writes the next revision with the claimed values in place
 * of the verified ones (flags and conclusion computed again; every revision kept) and corrects the verified
 * facts; `dismiss` leaves the report as it is, with the reason (request → reviewed either way).
 */

export interface ObjectionInput {
  /** The request's version the applicant saw. */
  version: number;
  grounds: string;
  claims: readonly { personId: string | null; kind: string; claimedValue: number }[];
  attachmentIds: readonly string[];
}

const OBJECTION_ENTITY = 'verification_objection';

function checkClaims(body: ReportBody, input: ObjectionInput): { claims: Claim[]; problems: string[] } {
  const problems: string[] = [];
  if (visibleLength(input.grounds ?? '') < 4) problems.push('请写明复核理由（至少 4 个字）');
  if (input.grounds.length > 2000) problems.push('复核理由不能超过 2000 个字');
  if (input.claims.length === 0) problems.push('请至少指出一项有异议的核对结果');
  if (input.attachmentIds.length === 0) problems.push('请上传证明材料后再提出复核申请');
  const names = new Map(body.members.map((m) => [m.personId, m.name]));
  const seen = new Set<string>();
  const claims: Claim[] = [];
  input.claims.forEach((c, i) => {
    const at = `第 ${i + 1} 项`;
    if (!isFigureKind(c.kind)) {
      problems.push(`${at}：没有「${c.kind}」这一核对项目`);
      return;
    }
    const info = FIGURE_KINDS[c.kind];
    const personId = info.subject === 'household' ? null : c.personId;
    if (info.subject === 'person' && (personId === null || !names.has(personId))) {
      problems.push(`${at}：「${info.label}」须指明本次核对的家庭成员`);
      return;
    }
    if (!body.figures.some((f) => f.personId === personId && f.kind === c.kind)) {
      problems.push(`${at}：核对报告中没有这一项`);
      return;
    }
    const max = info.unit === 'flag' ? 1 : Number.MAX_SAFE_INTEGER;
    if (!Number.isSafeInteger(c.claimedValue) || c.claimedValue < 0 || c.claimedValue > max) {
      problems.push(
        `${at}：主张的数值应为${info.unit === 'fen' ? '以分计的非负整数' : info.unit === 'flag' ? ' 0 或 1' : '非负整数'}`,
      );
      return;
    }
    const key = `${personId ?? ''}/${c.kind}`;
    if (seen.has(key)) {
      problems.push(`${at}：与前面的项目重复`);
      return;
    }
    seen.add(key);
    claims.push({ personId, kind: c.kind, claimedValue: c.claimedValue });
  });
  return { claims, problems };
}

/** 提出复核申请: refused after the time limit, without grounds, claims or evidence (every problem at once). */
export async function fileObjection(
  tx: WorkTx,
  caller: VerificationCaller,
  calendar: WorkingCalendar,
  key: { districtCode: string; id: string },
  input: ObjectionInput,
): Promise<ObjectionRow> {
  const row = await requestInScope(tx.db, caller, key);
  const report = await latestReport(tx.db, row.districtCode, row.id);
  if (!report || row.reportedAt === null) {
    throw new VerificationError('invalid', '该核对委托尚未出具核对报告，不能申请复核');
  }
  const today = shanghaiToday(tx.now);
  const due = objectionDue(calendar, row.reportedAt);
  if (today > due) {
    throw new VerificationError(
      'objection_late',
      `已超过复核申请期限：报告于 ${reportedDay(row.reportedAt)} 出具，应在 ${due} 前（含当日）提出`,
    );
  }
  const { claims, problems } = checkClaims(report.body, input);
  if (problems.length > 0) throw new VerificationError('invalid', problems.join('；'), problems);
  const entity = { entityType: 'verification_request', districtCode: row.districtCode, entityId: row.id };
  const attachments = await requireAttachments(tx.db, entity, input.attachmentIds);
  await applyTransition(tx, verificationMachine, requestStore(row.districtCode), {
    id: row.id,
    action: 'object',
    expectedVersion: input.version,
    role: caller.role,
    context: { problems: [] },
    attachments,
  });
  const objection: ObjectionRow = {
    districtCode: row.districtCode,
    id: randomUUID(),
    requestId: row.id,
    revision: report.revision,
    grounds: input.grounds.trim(),
    claims,
    attachmentIds: attachments,
    state: 'open',
    version: 1,
    filedBy: caller.userId,
    filedAt: tx.now.toISOString(),
    decidedBy: null,
    decidedAt: null,
    decision: null,
  };
  await insertObjection(tx.db, objection);
  tx.record({
    action: 'verification.transition',
    entityType: OBJECTION_ENTITY,
    entityId: objection.id,
    district: row.committeeCode,
    after: objection,
  });
  return objection;
}

export interface DecisionInput {
  decision: 'uphold' | 'dismiss';
  /** The request's version the officer saw. */
  version: number;
  /** Required to dismiss; the revision's reason when upholding. */
  reason: string;
}

export interface DecisionResult {
  objection: ObjectionRow;
  /** The revision written by an upheld objection. */
  revision: number | null;
}

/** 复核决定 by a second officer: uphold (a new revision, facts corrected) or dismiss (the report stands). */
export async function decideObjection(
  tx: WorkTx,
  caller: VerificationCaller,
  key: { districtCode: string; id: string; objectionId: string },
  input: DecisionInput,
): Promise<DecisionResult> {
  const row = await requestInScope(tx.db, caller, key);
  const objection = await findObjection(tx.db, row.districtCode, key.objectionId, true);
  if (!objection || objection.requestId !== row.id) {
    throw new VerificationError('not_found', '复核申请不存在或不属于该核对委托');
  }
  if (objection.state !== 'open') throw new VerificationError('invalid', '该复核申请已有决定');
  if (caller.userId !== null && (caller.userId === row.createdBy || caller.userId === objection.filedBy)) {
    throw new VerificationError(
      'same_officer',
      '复核须由另一名核对人员办理：发起核对委托或登记复核申请的人员不能作出复核决定',
    );
  }
  const reason = input.reason.trim();
  if (input.decision === 'dismiss' && visibleLength(reason) < 4) {
    throw new VerificationError('invalid', '维持原报告须说明理由（至少 4 个字）');
  }
  await applyTransition(tx, verificationMachine, requestStore(row.districtCode), {
    id: row.id,
    action: input.decision,
    expectedVersion: input.version,
    role: caller.role,
    context: { problems: [] },
  });
  let revision: number | null = null;
  if (input.decision === 'uphold') revision = await revise(tx, caller, objection, reason);
  const decided = await decideObjectionRow(tx.db, objection, objection.version, {
    state: input.decision === 'uphold' ? 'upheld' : 'rejected',
    decidedBy: caller.userId,
    decidedAt: tx.now.toISOString(),
    decision: reason || '复核后更正报告',
  });
  if (!decided) throw new VerificationError('invalid', '该复核申请已被他人处理，请刷新后重试');
  tx.record({
    action: 'verification.transition',
    entityType: OBJECTION_ENTITY,
    entityId: decided.id,
    district: row.committeeCode,
    before: objection,
    after: decided,
  });
  return { objection: decided, revision };
}

/** Writes revision n+1 from the objection's claims and corrects the verified facts they change. */
async function revise(
  tx: WorkTx,
  caller: VerificationCaller,
  objection: ObjectionRow,
  reason: string,
): Promise<number> {
  const previous = await latestReport(tx.db, objection.districtCode, objection.requestId, true);
  if (!previous) throw new VerificationError('invalid', '核对报告不存在');
  const parameters = parametersInForce();
  const built = reviseReport(
    previous.body,
    objection.claims,
    objection.id,
    toleranceOn(parameters.forDistrict(objection.districtCode), previous.body.asOf),
    parameters,
  );
  const revision = built.body.revision;
  await insertReport(tx.db, {
    districtCode: objection.districtCode,
    requestId: objection.requestId,
    revision,
    reportNo: built.body.reportNo,
    body: built.body,
    flagCount: built.flagCount,
    createdBy: caller.userId,
    createdAt: tx.now.toISOString(),
    reason: reason || '复核后更正报告',
  });
  tx.record({
    action: 'verification.report_revised',
    entityType: 'verification_request',
    entityId: objection.requestId,
    district: objection.districtCode,
    before: { revision: previous.revision, reportNo: previous.reportNo, flagCount: previous.flagCount },
    after: {
      revision,
      reportNo: built.body.reportNo,
      flagCount: built.flagCount,
      objectionId: objection.id,
      claims: objection.claims,
    },
  });
  for (const fact of built.facts) await correctVerifiedFact(tx, caller, previous.body, fact, reason);
  return revision;
}

/**
 * The verified fact a report of this request recorded for the claim's subject and kind is corrected (voided
 * with the reason, the claimed value recorded in its place with the same dates); without one (the figure was
 * incomplete) the claimed value becomes a new verified fact from the request's date. A later verification's
 * fact stands: then nothing is recorded (the revision still shows the corrected figure).
 */
async function correctVerifiedFact(
  tx: WorkTx,
  caller: VerificationCaller,
  body: ReportBody,
  fact: VerifiedFactInput,
  reason: string,
): Promise<void> {
  const why = `复核更正：${reason || '申请人提供的证明材料'}`;
  const prefix = requestSourceRefPrefix(body.requestNo);
  const existing = (await factsOfSubject(tx.db, fact.districtCode, fact.subjectId)).find(
    (f) =>
      f.kind === fact.kind &&
      f.sourceKind === 'verified' &&
      f.voidedAt === null &&
      f.sourceRef.startsWith(prefix),
  );
  const subject = {
    subjectType: fact.subjectType,
    districtCode: fact.districtCode,
    subjectId: fact.subjectId,
  };
  const value = { amountFen: fact.amountFen, quantity: fact.quantity, flag: fact.flag };
  if (existing) {
    await correctFact(
      tx,
      caller.scope,
      { ...subject, factId: existing.id },
      {
        version: existing.version,
        reason: why,
        replacement: {
          kind: fact.kind,
          ...value,
          validFrom: existing.validFrom,
          validTo: existing.validTo,
          sourceKind: 'verified',
          sourceRef: fact.sourceRef,
        },
      },
    );
    return;
  }
  try {
    await addFact(tx, caller.scope, subject, {
      kind: fact.kind,
      ...value,
      validFrom: fact.validFrom,
      sourceKind: 'verified',
      sourceRef: fact.sourceRef,
    });
  } catch (error) {
    // A later verification's fact of this kind: it stands; the revision records the correction.
    if (error instanceof RegistryError && error.code === 'conflict') return;
    throw error;
  }
}
