import { randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { SYSTEM_ROLE } from '../../auth/access.ts';
import { divisionScope } from '../../auth/scope.ts';
import type { WorkingCalendar } from '../../calendar/working-calendar.ts';
import { shanghaiToday } from '../../core/clock.ts';
import type { Db } from '../../db/store.ts';
import { PROGRAMS } from '../../policy/index.ts';
import { divisionIndex } from '../../registry/divisions.ts';
import { maskIdNumber, parseIdNumber, ID_NUMBER_MESSAGES } from '../../registry/id-number.ts';
import { currentMembership } from '../../registry/household.repository.ts';
import { findPerson, findPersonIdByIdNumber } from '../../registry/person.repository.ts';
import type { WorkTx } from '../../workflow/unit-of-work.ts';
import type { CaseCaller } from '../case.deps.ts';
import { caseByNoOrId, findCase, type CaseRow } from '../case.repository.ts';
import { createOnlineDraft } from '../case.service.ts';
import { CASE_PROGRAMS, type CaseProgram } from '../cases.handles.ts';
import { CasesError } from '../cases.errors.ts';
import { stepWorkingDays } from '../cases.parameters.ts';
import { ONLINE_OUTCOMES, isOnlineOutcome } from './outcomes.ts';
import { PublicError, STATUS_NOT_FOUND, type PublicProblem } from './public.errors.ts';
import { findByReceipt, insertPublicApplication } from './public.repository.ts';
import type { PublicApplicationRow } from './schema.ts';

/**
 * 网上申请与办理进度查询 (docs/public-application.md). Residents have no account: what they send is
 * written by the system actor `system:public-form`. The answer to an application never says whether the
 * registry knows the person (one message, one receipt code either way), and the status page answers a
 * wrong code–ID-number pair exactly as an unknown code.
 */

export const PUBLIC_FORM_ACTOR = 'system:public-form' as const;

export interface PublicContext {
  /** The district this deployment serves (config MINZHENG_DEMO_DISTRICT). */
  districtCode: string;
  calendar: WorkingCalendar;
}

export interface ApplicationInput {
  name: string;
  idNumber: string;
  phone: string;
  streetCode: string;
  address: string;
  householdNote: string;
  programs: readonly string[];
  consent: boolean;
}

export interface Receipt {
  receiptNo: string;
  message: string;
  contactWithinWorkingDays: number;
  contactBy: string;
}

export interface PublicOptions {
  district: { code: string; name: string };
  streets: { code: string; name: string }[];
  programs: { code: CaseProgram; name: string }[];
  contactWithinWorkingDays: number;
}

/** The same pattern as the case module's contact phone, so that an accepted form is an accepted draft. */
const PHONE = /^(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|\d{8})$/;
const RECEIPT = /^WS[2-9A-HJ-NP-Z]{10}$/;
const CASE_NO = /^SA\d{6}-\d{4}-\d{6}$/;
const RECEIPT_CHARS = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

function receiptNumber(): string {
  let s = 'WS';
  for (let i = 0; i < 10; i++) s += RECEIPT_CHARS[randomInt(RECEIPT_CHARS.length)];
  return s;
}

function streetsOf(districtCode: string) {
  return divisionIndex()
    .children(districtCode)
    .filter((d) => d.level === 'street');
}

/** What the form offers: the district's streets, the programs one applies for, the contact time. */
export function publicOptions(
  ctx: Pick<PublicContext, 'districtCode'>,
  today = shanghaiToday(),
): PublicOptions {
  const district = divisionIndex().get(ctx.districtCode);
  return {
    district: { code: ctx.districtCode, name: district?.name ?? ctx.districtCode },
    streets: streetsOf(ctx.districtCode).map((s) => ({ code: s.code, name: s.name })),
    programs: CASE_PROGRAMS.map((code) => ({ code, name: PROGRAMS[code].name })),
    contactWithinWorkingDays: stepWorkingDays('accept', today),
  };
}

/** Every problem of the form at once, per field; the ID number by its GB 11643 check character. */
function checkInput(ctx: PublicContext, input: ApplicationInput, today: string): string {
  const problems: PublicProblem[] = [];
  const id = parseIdNumber(input.idNumber);
  if (!id.ok) problems.push({ field: 'idNumber', reason: ID_NUMBER_MESSAGES[id.problem] });
  else if (id.facts.birthDate > today)
    problems.push({ field: 'idNumber', reason: ID_NUMBER_MESSAGES.birth_date });
  if (!PHONE.test(input.phone))
    problems.push({ field: 'phone', reason: '联系电话应为 11 位手机号或固定电话' });
  const unknown = input.programs.filter((p) => !(CASE_PROGRAMS as readonly string[]).includes(p));
  if (input.programs.length === 0) problems.push({ field: 'programs', reason: '请至少选择一个申请项目' });
  else if (unknown.length > 0)
    problems.push({ field: 'programs', reason: `没有这个申请项目：${unknown.join('、')}` });
  if (!input.consent) {
    problems.push({ field: 'consent', reason: '须同意街道核对您和家庭成员的信息，才能受理申请' });
  }
  const street = divisionIndex().get(input.streetCode);
  const inDistrict = street?.level === 'street' && street.districtCode === ctx.districtCode;
  if (problems.length > 0) {
    throw new PublicError('invalid', `申请信息有误：${problems.map((p) => p.reason).join('；')}`, {
      problems,
    });
  }
  if (!inDistrict) {
    // The resident's own answer, not the registry's: saying so reveals nothing about anyone.
    const name = divisionIndex().get(ctx.districtCode)?.name ?? ctx.districtCode;
    throw new PublicError(
      'outside_district',
      `本平台受理${name}居民的申请；请选择您居住的${name}街道（镇），不在本区居住的请向居住地的街道（乡镇）社区事务受理服务中心申请`,
      { problems: [{ field: 'streetCode', reason: `请选择${name}的街道（镇）` }] },
    );
  }
  return id.ok ? id.value : input.idNumber;
}

/**
 * The household to draft a case for: the registry's person with this ID number and name, alive, managed
 * in the district and a current member of a household. Anything else is left for the street to match.
 */
async function householdOf(
  tx: WorkTx,
  districtCode: string,
  idNumber: string,
  name: string,
): Promise<{ personId: string; householdId: string } | undefined> {
  const personId = await findPersonIdByIdNumber(tx.db, districtCode, idNumber);
  if (!personId) return undefined;
  const person = await findPerson(tx.db, divisionScope(districtCode), districtCode, personId);
  if (!person || person.deathDate !== null || person.name !== name) return undefined;
  if (!person.residenceDivisionCode.startsWith(districtCode)) return undefined;
  const membership = await currentMembership(tx.db, districtCode, personId);
  return membership ? { personId, householdId: membership.householdId } : undefined;
}

/**
 * 网上申请: checks the form (400 with every problem, nothing written), records it, and drafts a case when
 * the registry knows the applicant's household. The receipt is the same whichever happened.
 */
export async function submitApplication(
  tx: WorkTx,
  ctx: PublicContext,
  input: ApplicationInput,
): Promise<Receipt> {
  const today = shanghaiToday(tx.now);
  const idNumber = checkInput(ctx, input, today);
  const days = stepWorkingDays('accept', today);
  const contactBy = ctx.calendar.deadline(today, days).due;
  const found = await householdOf(tx, ctx.districtCode, idNumber, input.name);
  let caseId: string | null = null;
  if (found) {
    const caller: CaseCaller = {
      scope: divisionScope(ctx.districtCode),
      role: SYSTEM_ROLE,
      userId: PUBLIC_FORM_ACTOR,
    };
    try {
      const draft = await createOnlineDraft(
        tx,
        caller,
        { calendar: ctx.calendar },
        {
          districtCode: ctx.districtCode,
          householdId: found.householdId,
          programs: input.programs,
          applicantPersonId: found.personId,
          contactPhone: input.phone,
        },
      );
      caseId = draft.id;
    } catch (error) {
      // A draft the case module refuses (checked before it writes) is matched by the street instead.
      if (!(error instanceof CasesError)) throw error;
    }
  }
  const row: PublicApplicationRow = {
    districtCode: ctx.districtCode,
    id: randomUUID(),
    receiptNo: receiptNumber(),
    name: input.name,
    idNumber,
    phone: input.phone,
    streetCode: input.streetCode,
    address: input.address,
    householdNote: input.householdNote,
    programs: [...new Set(input.programs)],
    consentedAt: tx.now.toISOString(),
    state: caseId ? 'drafted' : 'unmatched',
    caseId,
    requestId: tx.actor.requestId ?? null,
    receivedAt: tx.now.toISOString(),
    version: 1,
    outcome: null,
    outcomeNote: null,
    handledBy: null,
    handledAt: null,
  };
  await insertPublicApplication(tx, row);
  tx.record({
    action: 'cases.public_application',
    entityType: 'public_application',
    entityId: row.id,
    district: row.streetCode,
    after: {
      receiptNo: row.receiptNo,
      idNumber: maskIdNumber(idNumber),
      streetCode: row.streetCode,
      programs: row.programs,
      state: row.state,
      caseId,
    },
  });
  return {
    receiptNo: row.receiptNo,
    message: `已收到，街道将在 ${days} 个工作日内联系您`,
    contactWithinWorkingDays: days,
    contactBy,
  };
}

export interface PublicStatus {
  code: string;
  receivedOn: string;
  /** 办理状态 in plain words. */
  status: string;
  /** What happens now, or what was decided. */
  explanation: string;
  /** The current step's due date (none once closed). */
  dueOn: string | null;
  decision: { outcome: '已批准' | '不予批准'; decidedOn: string | null; reason: string | null } | null;
  programs: string[];
}

const OPEN_TEXT: Record<string, [string, string]> = {
  accepted: ['已受理', '街道已受理您的申请，即将核对家庭经济状况'],
  verifying: ['家庭经济状况核对中', '正在向税务、社保、公积金、不动产等部门核对家庭经济状况'],
  visit: ['入户调查', '工作人员将上门了解家庭情况'],
  evaluation: ['民主评议', '居（村）委会正在组织民主评议'],
  review: ['街道审核中', '街道正在审核您的申请'],
  publicity: ['公示中', '审核结果正在社区公示'],
  deciding: ['等待审批', '申请已报送审批'],
};

const CLOSED_TEXT: Record<string, [string, string]> = {
  returned: ['已退回', '申请已退回，请按退回原因补正后重新申请，或到街道社区事务受理服务中心咨询'],
  not_accepted: ['不予受理', '申请不予受理，原因见下'],
  approved: ['已批准', '申请已批准，审批通知书将送达您，请留意街道通知'],
  denied: ['不予批准', '申请未获批准，原因见下；如有异议可依法申请行政复议或提起行政诉讼'],
  withdrawn: ['已撤回', '申请已撤回'],
};

const WAITING: [string, string] = ['已收到，等待街道核实受理', '街道将核实您的信息并与您联系'];

/** A case as its applicant may see it: no amounts, no staff, no household members. */
function presentPublic(code: string, row: CaseRow, receivedAt: string): PublicStatus {
  const closed = CLOSED_TEXT[row.state];
  // A draft reads as an unmatched application: the status page must not tell who the registry knows.
  const [status, explanation] = closed ?? OPEN_TEXT[row.state] ?? WAITING;
  const decided = row.state === 'approved' || row.state === 'denied';
  return {
    code,
    receivedOn: shanghaiToday(new Date(receivedAt)),
    status,
    explanation,
    dueOn: closed ? null : row.dueOn,
    decision: decided
      ? {
          outcome: row.state === 'approved' ? '已批准' : '不予批准',
          decidedOn: row.decidedAt ? shanghaiToday(new Date(row.decidedAt)) : null,
          reason: row.state === 'denied' ? row.reason : null,
        }
      : null,
    programs: row.programs.map((p) => (p in PROGRAMS ? PROGRAMS[p as CaseProgram].name : p)),
    ...(closed && !decided && row.reason ? { explanation: `${explanation}。原因：${row.reason}` } : {}),
  };
}

/** An application the street closed after calling the applicant: the outcome's public words, never the note. */
function closedApplication(code: string, app: PublicApplicationRow): PublicStatus {
  const outcome = isOnlineOutcome(app.outcome) ? ONLINE_OUTCOMES[app.outcome] : ONLINE_OUTCOMES.other;
  return {
    code,
    receivedOn: shanghaiToday(new Date(app.receivedAt)),
    status: '已办结',
    explanation: outcome.publicText,
    dueOn: null,
    decision: null,
    programs: app.programs.map((p) => (p in PROGRAMS ? PROGRAMS[p as CaseProgram].name : p)),
  };
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * 办理进度查询: a receipt code (WS…) or a case code (SA…) with the applicant's ID number. An unknown code
 * and a known code with another ID number both throw the one `not_found`.
 */
export async function publicStatus(
  db: Db,
  ctx: PublicContext,
  query: { code: string; idNumber: string },
): Promise<PublicStatus> {
  const code = query.code.trim().toUpperCase();
  const idNumber = query.idNumber.trim().toUpperCase();
  const scope = divisionScope(ctx.districtCode);
  const notFound = () => new PublicError('not_found', STATUS_NOT_FOUND);
  if (RECEIPT.test(code)) {
    const app = await findByReceipt(db, ctx.districtCode, code);
    if (!app || !sameText(app.idNumber, idNumber)) throw notFound();
    const row = app.caseId ? await findCase(db, scope, app.districtCode, app.caseId) : undefined;
    if (!row && app.state === 'closed') return closedApplication(code, app);
    if (!row) {
      const [status, explanation] = WAITING;
      const days = stepWorkingDays('accept', shanghaiToday(new Date(app.receivedAt)));
      const receivedOn = shanghaiToday(new Date(app.receivedAt));
      return {
        code,
        receivedOn,
        status,
        explanation,
        dueOn: ctx.calendar.deadline(receivedOn, days).due,
        decision: null,
        programs: app.programs.map((p) => (p in PROGRAMS ? PROGRAMS[p as CaseProgram].name : p)),
      };
    }
    return presentPublic(code, row, app.receivedAt);
  }
  if (CASE_NO.test(code) && code.slice(2, 8) === ctx.districtCode) {
    const row = await caseByNoOrId(db, scope, code);
    const person = row ? await findPerson(db, scope, row.districtCode, row.applicantPersonId) : undefined;
    if (!row || !person || !sameText(person.idNumber, idNumber)) throw notFound();
    return presentPublic(code, row, row.receivedAt);
  }
  throw notFound();
}
