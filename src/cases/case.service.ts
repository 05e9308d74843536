import { randomUUID } from 'node:crypto';
import { mayAct } from '../auth/roles.ts';
import { shanghaiToday } from '../core/clock.ts';
import type { Db } from '../db/store.ts';
import { listAttachments } from '../files/files.service.ts';
import { findHousehold, householdMemberRows, householdNumbers } from '../registry/household.repository.ts';
import { personIdentities } from '../registry/person.repository.ts';
import { recordStart } from '../workflow/state-machine.ts';
import { presentTimeline } from '../workflow/timeline.ts';
import type { WorkTx } from '../workflow/unit-of-work.ts';
import type { CaseCaller, CaseDeps } from './case.deps.ts';
import { machineOf, phoneFor, presentCase, type CaseDetailView, type CaseView } from './case.present.ts';
import {
  caseByNoOrId,
  findCase,
  insertCase,
  listCaseRows,
  nextCaseSerial,
  stepRecords,
  UNTOUCHED_CASE,
  type CaseFilter,
  type CaseRow,
} from './case.repository.ts';
import { checkPrograms, stepWorkingDays } from './cases.parameters.ts';
import { CASE_NOT_FOUND, CasesError } from './cases.errors.ts';
import { intakeMachine } from './cases.machine.ts';
import { payFirstOf } from './pay-first/pay-first.service.ts';
import { tekunStepOf } from './tekun/tekun.service.ts';

export type { CaseDetailView, CaseView } from './case.present.ts';

/**
 * 救助申请的登记与查询. A case is registered at the counter by staff (`intakeCase`) or from the public
 * online form (`createOnlineDraft`, for the helper who builds it); both wait in 待受理 for the street to
 * accept it (case.actions.ts). Registration checks that the household lies in the caller's scope, the
 * applicant is a current member and the programs are ones a case can apply for.
 */

export interface IntakeInput {
  districtCode: string;
  householdId: string;
  programs: readonly string[];
  applicantPersonId: string;
  contactPhone: string;
  /** 材料清单: item → provided. */
  materials?: Readonly<Record<string, boolean>> | undefined;
}

const PHONE = /^(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|\d{8})$/;

/** SA<district>-<year>-<serial of six digits>. */
export function caseNumber(districtCode: string, year: number, serial: number): string {
  return `SA${districtCode}-${year}-${String(serial).padStart(6, '0')}`;
}

async function register(
  tx: WorkTx,
  caller: CaseCaller,
  deps: Pick<CaseDeps, 'calendar'>,
  input: IntakeInput,
  channel: 'counter' | 'online',
  /** When the resident sent an online application matched later: its date is the application's. */
  receivedAt?: string,
): Promise<CaseRow> {
  const problems: string[] = [];
  let programs: string[] = [];
  try {
    programs = checkPrograms(input.programs);
  } catch (error) {
    if (!(error instanceof CasesError)) throw error;
    problems.push(error.message);
  }
  if (!PHONE.test(input.contactPhone)) problems.push('联系电话应为 11 位手机号或固定电话');
  const household = await findHousehold(tx.db, caller.scope, {
    districtCode: input.districtCode,
    id: input.householdId,
  });
  if (!household) throw new CasesError('not_found', '家庭户不存在或不在您的数据范围内');
  const members = await householdMemberRows(tx.db, input.districtCode, input.householdId, true);
  if (!members.some((m) => m.person.id === input.applicantPersonId)) {
    problems.push('申请人不是该家庭户的在册成员');
  }
  if (problems.length > 0) throw new CasesError('invalid', `申请信息有误：${problems.join('；')}`, problems);
  const received = receivedAt ? new Date(receivedAt) : tx.now;
  const today = shanghaiToday(received);
  const year = Number(today.slice(0, 4));
  const serial = await nextCaseSerial(tx, input.districtCode, year);
  const due = deps.calendar.deadline(today, stepWorkingDays('accept', today));
  const now = tx.now.toISOString();
  const row: CaseRow = {
    districtCode: input.districtCode,
    id: randomUUID(),
    caseNo: caseNumber(input.districtCode, year, serial),
    kind: 'application',
    householdId: household.id,
    committeeCode: household.committeeCode,
    programs,
    channel,
    applicantPersonId: input.applicantPersonId,
    contactPhone: input.contactPhone,
    materials: { ...(input.materials ?? {}) },
    requiredSteps: [],
    decider: 'district',
    appliedOn: today,
    state: 'draft',
    version: 1,
    dueOn: due.due,
    dueFrom: due.from,
    dueWorkingDays: due.workingDays,
    dueProvisional: due.provisional,
    receivedAt: received.toISOString(),
    acceptedOn: null,
    ...UNTOUCHED_CASE,
    createdBy: caller.userId,
    createdAt: now,
    updatedAt: now,
  };
  await insertCase(tx, row);
  await recordStart(
    tx,
    intakeMachine,
    {
      id: row.id,
      action: channel === 'counter' ? 'intake' : 'submit',
      divisionCode: row.committeeCode,
      role: caller.role,
    },
    { caseNo: row.caseNo, householdId: row.householdId, programs: row.programs, channel },
  );
  return row;
}

/** 窗口登记: a caseworker or committee assistant registers an application; it waits in 待受理. */
export async function intakeCase(
  tx: WorkTx,
  caller: CaseCaller,
  deps: Pick<CaseDeps, 'calendar'>,
  input: IntakeInput,
): Promise<CaseDetailView> {
  if (!mayAct(caller.role, 'cases.intake')) throw new CasesError('forbidden', '您没有权限登记救助申请');
  const row = await register(tx, caller, deps, input, 'counter');
  return getCase(tx.db, caller, row, shanghaiToday(tx.now));
}

/**
 * 网上申请草稿, for the public online form: the form checks the ID number and phone, finds the household and
 * calls this as the system actor; the street then accepts or returns the draft. A street matching an
 * application the registry could not place passes when the resident sent it (`receivedAt`): the
 * application's date and its 受理 time limit count from then, not from the match.
 */
export async function createOnlineDraft(
  tx: WorkTx,
  caller: CaseCaller,
  deps: Pick<CaseDeps, 'calendar'>,
  input: IntakeInput,
  receivedAt?: string,
): Promise<{ districtCode: string; id: string; caseNo: string }> {
  if (!mayAct(caller.role, 'cases.intake')) throw new CasesError('forbidden', '您没有权限登记救助申请');
  const row = await register(tx, caller, deps, input, 'online', receivedAt);
  return { districtCode: row.districtCode, id: row.id, caseNo: row.caseNo };
}

/** One case with its steps' records, attachments and timeline; 404 outside the caller's scope. */
export async function getCase(
  db: Db,
  caller: CaseCaller,
  key: { districtCode: string; id: string },
  today = shanghaiToday(),
): Promise<CaseDetailView> {
  if (!mayAct(caller.role, 'cases.view')) throw new CasesError('forbidden', '您没有权限查看救助申请');
  const row = await findCase(db, caller.scope, key.districtCode, key.id);
  if (!row) throw new CasesError('not_found', CASE_NOT_FOUND);
  const [household, steps, timeline, attachments] = await Promise.all([
    findHousehold(db, caller.scope, { districtCode: row.districtCode, id: row.householdId }),
    stepRecords(db, row),
    presentTimeline(db, machineOf(row), row.id),
    listAttachments(db, caller, { entityType: 'case', districtCode: row.districtCode, entityId: row.id }),
  ]);
  return {
    ...presentCase(row, caller, { householdNo: household?.householdNo ?? null, today }),
    applicantPersonId: row.applicantPersonId,
    contactPhone: phoneFor(row.contactPhone),
    materials: row.materials,
    verificationRequestId: row.verificationRequestId,
    relativesMatches: row.relativesMatches,
    relativesDeclared: row.relativesDeclaredAt !== null,
    firstApprovedBy: row.firstApprovedBy,
    reason: row.reason,
    decidedAt: row.decidedAt,
    decidedBy: row.decidedBy,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    steps: {
      visit: steps.visit ?? null,
      evaluation: steps.evaluation ?? null,
      review: steps.review ?? null,
      publicity: steps.publicity ?? null,
      objections: steps.objections,
    },
    timeline,
    attachments,
    tekun: await tekunStepOf(db, row),
    payFirst: await payFirstOf(db, row),
  };
}

/**
 * Cases in the caller's scope, by due date, with filters (state, program, street, overdue). `total` is
 * exact when `totalExact`; otherwise there are more than `total` (counted a window past the page).
 */
export async function listCases(
  db: Db,
  caller: CaseCaller,
  filter: CaseFilter,
  today = shanghaiToday(),
): Promise<{ items: CaseView[]; total: number; totalExact: boolean }> {
  if (!mayAct(caller.role, 'cases.view')) throw new CasesError('forbidden', '您没有权限查看救助申请');
  const { rows, total, totalExact } = await listCaseRows(db, caller.scope, filter);
  const numbers = new Map<string, string>();
  const names = new Map<string, string>();
  for (const districtCode of new Set(rows.map((r) => r.districtCode))) {
    const inDistrict = rows.filter((r) => r.districtCode === districtCode);
    const ids = inDistrict.map((r) => r.householdId);
    for (const [id, no] of await householdNumbers(db, caller.scope, districtCode, ids)) {
      numbers.set(`${districtCode}|${id}`, no);
    }
    const applicants = inDistrict.map((r) => r.applicantPersonId);
    for (const [id, person] of await personIdentities(db, districtCode, applicants)) {
      names.set(`${districtCode}|${id}`, person.name);
    }
  }
  return {
    items: rows.map((r) =>
      presentCase(r, caller, {
        householdNo: numbers.get(`${r.districtCode}|${r.householdId}`) ?? null,
        applicantName: names.get(`${r.districtCode}|${r.applicantPersonId}`) ?? null,
        today,
      }),
    ),
    total,
    totalExact,
  };
}

/** A case by its code or id inside the caller's scope (the CLI's `cases show`). */
export async function findCaseByNoOrId(
  db: Db,
  caller: CaseCaller,
  key: string,
): Promise<CaseRow | undefined> {
  return caseByNoOrId(db, caller.scope, key);
}
