/**
 * One application driven through the HTTP API as a street and its district work it (issue 10, "Numbers"):
 * 窗口登记, the adults' signed 核对授权书 (uploaded, then registered), 受理, 发起核对, the report waited for
 * (the worker gathers it from the simulated sources), 完成核对, then whatever steps the case requires
 * (dated parameters: 入户调查, 民主评议, 审核, 公示), 联合认定, 拟定决定明细 and 审批 by the district (or
 * 不予批准 with the engine's reasons when it finds the household ineligible). Each step's time is kept.
 */
import { addDays } from '../../src/calendar/days.ts';
import { pdfBytes } from '../../src/files/files.fixtures.ts';
import type { ApiUser } from './api-client.ts';

export interface Application {
  districtCode: string;
  householdId: string;
  committeeCode: string;
  /** The head: the applicant and, when granted, the payee. */
  applicantId: string;
  /** The adults who sign the authorisation (age from the verification parameters). */
  adultIds: string[];
}

export interface CaseOutcome {
  state: 'approved' | 'denied';
  /** Milliseconds per step (a step's requests together). */
  steps: Map<string, number>;
}

interface CaseBody {
  districtCode: string;
  id: string;
  state: string;
  version: number;
  allowedActions: string[];
  verificationRequestId: string | null;
  secondApproverRequired: boolean;
}

interface Determination {
  programs: { program: string; eligible: boolean; applied: boolean; reportFresh: boolean }[];
}

const REPORTED = new Set(['reported', 'in_review', 'reviewed']);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface DriverContext {
  caseworker: ApiUser;
  approver: ApiUser;
  /** Today in Shanghai, as the server reckons it. */
  today: string;
  /** The publicity's calendar days on its start day (the dated parameter the server applies). */
  publicityDays: (startsOn: string) => number;
  /** How often the report is asked for while the worker gathers it. */
  pollMs: number;
  /** Gives up on the report after this long. */
  reportTimeoutMs: number;
}

export async function driveCase(ctx: DriverContext, app: Application, serial: number): Promise<CaseOutcome> {
  const steps = new Map<string, number>();
  const timed = async <T>(step: string, work: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      steps.set(step, (steps.get(step) ?? 0) + performance.now() - t0);
    }
  };
  const { caseworker, approver, today } = ctx;
  const d = app.districtCode;
  let c = await timed('登记', () =>
    caseworker.post<CaseBody>(`/api/cases?district=${d}`, {
      householdId: app.householdId,
      programs: ['dibao'],
      applicantPersonId: app.applicantId,
      contactPhone: `139${String(serial).padStart(8, '0')}`,
    }),
  );
  const one = `/api/cases/${d}/${c.id}`;
  const act = (user: ApiUser, action: string, extra: Record<string, unknown> = {}) =>
    timed(action, () => user.post<CaseBody>(`${one}/actions/${action}`, { version: c.version, ...extra }));

  await timed('授权书', async () => {
    const attachment = await caseworker.upload<{ id: string }>(
      `/api/attachments/household/${app.householdId}?district=${d}`,
      { name: '核对授权书.pdf', content: pdfBytes(`authorisation ${app.householdId}`) },
      { kind: 'authorisation', reason: '申请时签署的核对授权书' },
    );
    await caseworker.post(`/api/verifications/authorisations?district=${d}`, {
      householdId: app.householdId,
      purpose: 'dibao',
      personIds: app.adultIds,
      signedOn: today,
      standing: false,
      attachmentId: attachment.id,
    });
  });
  c = await act(caseworker, 'accept');
  if (c.secondApproverRequired) throw new Error(`${c.id}: 近亲属提示，须两名审批人（基准不处理）`);
  c = await act(caseworker, 'start_verification');
  const requestId = c.verificationRequestId;
  if (!requestId) throw new Error(`${c.id}: 发起核对后没有核对委托`);
  await timed('等待核对报告', async () => {
    const deadline = performance.now() + ctx.reportTimeoutMs;
    for (;;) {
      const request = await caseworker.get<{ state: string }>(`/api/verifications/${d}/${requestId}`);
      if (REPORTED.has(request.state)) return;
      if (performance.now() > deadline)
        throw new Error(`${c.id}: 核对报告 ${ctx.reportTimeoutMs} ms 内未出具`);
      await sleep(ctx.pollMs);
    }
  });
  for (let guard = 0; guard < 12 && c.state !== 'deciding'; guard += 1) {
    c = await step(c);
  }
  if (c.state !== 'deciding') throw new Error(`${c.id}: 未进入待审批（${c.state}）`);
  return decide(c);

  async function step(now: CaseBody): Promise<CaseBody> {
    switch (now.state) {
      case 'verifying':
        return act(caseworker, 'verified');
      case 'visit':
        return act(caseworker, 'record_visit', {
          record: {
            visitedOn: today,
            visitors: ['社工甲', '社工乙'],
            checklist: { residence: true, property: true },
            notes: '实际居住情况与申报一致',
          },
        });
      case 'evaluation':
        return act(caseworker, 'record_evaluation', {
          record: {
            heldOn: today,
            participants: ['甲', '乙', '丙', '丁', '戊'],
            votesFor: 5,
            votesAgainst: 0,
            votesAbstain: 0,
            opinion: '一致同意',
          },
        });
      case 'review':
        return act(caseworker, 'record_review', { record: { opinion: '材料齐全，同意' } });
      case 'publicity': {
        // The period ends by the calendar (no way to end it early): the bench's publicity started far
        // enough back to have ended yesterday, as a case that was publicised before the run would have.
        let startsOn = addDays(today, -ctx.publicityDays(today));
        while (addDays(startsOn, ctx.publicityDays(startsOn) - 1) >= today) startsOn = addDays(startsOn, -1);
        c = await act(caseworker, 'start_publicity', { record: { startsOn } });
        return act(caseworker, 'end_publicity');
      }
      default:
        throw new Error(`${now.id}: 意外的状态 ${now.state}`);
    }
  }

  async function decide(now: CaseBody): Promise<CaseOutcome> {
    const month = today.slice(0, 7);
    const found = await timed('联合认定', () =>
      caseworker.get<Determination>(`${one}/determination?month=${month}`),
    );
    const dibao = found.programs.find((p) => p.program === 'dibao');
    const granted = dibao?.eligible === true && dibao.reportFresh;
    await timed('拟定决定', () =>
      caseworker.put(`${one}/decision`, {
        month,
        lines: [{ program: 'dibao', outcome: granted ? 'granted' : 'denied' }],
        payees: granted
          ? [
              {
                beneficiaryId: app.householdId,
                payeePersonId: app.applicantId,
                bankName: '上海农商银行',
                accountNo: `62284800${String(serial).padStart(11, '0')}`,
              },
            ]
          : [],
      }),
    );
    c = now;
    if (granted) {
      c = await act(approver, 'approve');
    } else {
      c = await act(approver, 'deny', { reason: '经联合认定，不符合最低生活保障条件' });
    }
    if (c.state !== 'approved' && c.state !== 'denied') throw new Error(`${c.id}: 决定后状态为 ${c.state}`);
    return { state: c.state, steps };
  }
}
