import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { calendarOf } from '../../calendar/calendar.service.ts';
import { PublicError } from '../../cases/public/public.errors.ts';
import {
  PUBLIC_FORM_ACTOR,
  publicOptions,
  publicStatus,
  submitApplication,
  type PublicContext,
} from '../../cases/public/public.service.ts';
import { RateLimiter } from '../../cases/public/rate-limit.ts';
import {
  closeOnlineApplication,
  getOnlineApplication,
  matchOnlineApplication,
} from '../../cases/public/outcome.service.ts';
import { ONLINE_OUTCOME_CODES, ONLINE_OUTCOMES } from '../../cases/public/outcomes.ts';
import { listOnlineApplications, revealApplicationContact } from '../../cases/public/street.service.ts';
import { scopeOf } from '../../auth/roles.ts';
import type { AuthUser } from '../../auth/user.ts';
import type { CaseCaller } from '../../cases/case.deps.ts';
import { inUnitOfWork, type ActingContext } from '../../workflow/unit-of-work.ts';
import { requireUser, type ServerDeps, type ZodApp } from '../context.ts';
import { pageQuery, reasonText, text, timelineEvent } from '../schemas.ts';
import { actorOf } from './edit-pipeline.ts';

/**
 * 网上申请与办理进度查询 (src/cases/public, docs/public-application.md): no account, no session, so no CSRF
 * token (auth.plugin's exemptions); the body must be JSON, which a cross-site HTML form cannot send.
 * Attempts are counted per IP address and per ID number or code; every answer takes at least the
 * configured time, so that how long it took does not tell whether the registry knew the person.
 */

const TAG = '网上申请（居民，无需登录）';
const HOUR = 3_600_000;

const applicationBody = z.object({
  name: text(40).min(1, '请填写姓名'),
  idNumber: text(18).min(1, '请填写身份证号'),
  phone: text(20).min(1, '请填写联系电话'),
  streetCode: text(9).min(1, '请选择居住的街道（镇）'),
  address: text(200).min(1, '请填写居住地址'),
  householdNote: text(1000).default(''),
  programs: z.array(text(40)).max(10, '申请项目过多'),
  consent: z.boolean(),
});

const receiptSchema = z.object({
  receiptNo: z.string().describe('受理回执编号：办理进度查询凭它和身份证号'),
  message: z.string(),
  contactWithinWorkingDays: z.number().int(),
  contactBy: z.string().describe('最迟联系日（工作日计）'),
});

const statusSchema = z.object({
  code: z.string(),
  receivedOn: z.string(),
  status: z.string(),
  explanation: z.string(),
  dueOn: z.string().nullable(),
  decision: z
    .object({
      outcome: z.enum(['已批准', '不予批准']),
      decidedOn: z.string().nullable(),
      reason: z.string().nullable(),
    })
    .nullable(),
  programs: z.array(z.string()),
});

const optionsSchema = z.object({
  district: z.object({ code: z.string(), name: z.string() }),
  streets: z.array(z.object({ code: z.string(), name: z.string() })),
  programs: z.array(z.object({ code: z.string(), name: z.string() })),
  contactWithinWorkingDays: z.number().int(),
});

const STATES = ['unmatched', 'drafted', 'matched', 'closed'] as const;

const onlineApplicationSchema = z.object({
  districtCode: z.string(),
  id: z.string(),
  receiptNo: z.string(),
  name: z.string(),
  idNumberMasked: z.string(),
  phoneMasked: z.string(),
  streetCode: z.string(),
  streetName: z.string(),
  address: z.string(),
  householdNote: z.string(),
  programs: z.array(z.string()),
  state: z.enum(STATES).describe('unmatched 待匹配、drafted 已自动建草稿、matched 已匹配建案、closed 已办结'),
  stateName: z.string(),
  version: z.number().int(),
  caseId: z.string().nullable(),
  receivedAt: z.string(),
  outcome: z.enum(ONLINE_OUTCOME_CODES).nullable(),
  outcomeName: z.string().nullable().describe('办结结果（中文）'),
  outcomeNote: z.string().nullable().describe('经办人的核实说明（仅工作人员可见）'),
  handledAt: z.string().nullable(),
});

const onlineApplicationDetail = onlineApplicationSchema.extend({
  caseNo: z.string().nullable(),
  registryMatch: z
    .object({
      personName: z.string(),
      nameMatches: z.boolean(),
      householdId: z.string().nullable(),
      householdNo: z.string().nullable(),
      address: z.string().nullable(),
    })
    .nullable()
    .describe('人口信息库中现有的同一身份证号人员及其家庭户（待匹配时）'),
  timeline: z.array(timelineEvent),
});

const applicationKey = z.object({ district: z.string().regex(/^\d{6}$/), id: z.uuid() });

const caller = (user: AuthUser): CaseCaller => ({ scope: scopeOf(user), role: user.role, userId: user.id });

function systemActor(request: FastifyRequest, reason: string): ActingContext {
  return { userId: PUBLIC_FORM_ACTOR, divisionCode: null, reason, requestId: request.id };
}

/** Refuses the attempt when any of its counters is spent (every counter counts it). */
function limit(reply: FastifyReply, hits: ReturnType<RateLimiter['hit']>[], message: string): void {
  const refused = hits.filter((h) => !h.allowed);
  if (refused.length === 0) return;
  const retryAfter = Math.max(...refused.map((h) => h.retryAfter));
  reply.header('retry-after', String(retryAfter));
  const minutes = Math.ceil(retryAfter / 60);
  throw new PublicError('rate_limited', `${message}，请 ${minutes} 分钟后再试`, { retryAfter });
}

/** Waits out the rest of the configured least answer time, whatever the outcome. */
async function padded<T>(minMs: number, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    const left = minMs - (performance.now() - started);
    if (left > 0) await sleep(left);
  }
}

export function registerPublicCaseRoutes(app: ZodApp, { config, store }: ServerDeps): void {
  const applyByIp = new RateLimiter(config.MINZHENG_PUBLIC_APPLY_PER_IP_HOUR, HOUR);
  const applyById = new RateLimiter(config.MINZHENG_PUBLIC_APPLY_PER_ID_DAY, 24 * HOUR);
  const statusByIp = new RateLimiter(config.MINZHENG_PUBLIC_STATUS_PER_IP_HOUR, HOUR);
  const statusByCode = new RateLimiter(config.MINZHENG_PUBLIC_STATUS_PER_CODE_HOUR, HOUR);
  const minMs = config.MINZHENG_PUBLIC_MIN_RESPONSE_MS;
  const context = async (): Promise<PublicContext> => ({
    districtCode: config.MINZHENG_DEMO_DISTRICT,
    calendar: await calendarOf(store),
  });

  app.get(
    '/api/public/options',
    {
      schema: {
        tags: [TAG],
        summary: '网上申请表的选项：本区街道（镇）、可申请的项目、联系时限',
        response: { 200: optionsSchema },
      },
    },
    () => publicOptions({ districtCode: config.MINZHENG_DEMO_DISTRICT }),
  );

  app.post(
    '/api/public/applications',
    {
      schema: {
        tags: [TAG],
        summary: '提交网上申请',
        description:
          '无需登录、无需 CSRF 令牌。身份证号按 GB 11643 校验位检查；无论人口信息库中是否有此人，答复都相同（受理回执编号与联系时限），由街道核实后联系申请人。按 IP 与身份证号限制次数，超出返回 429。',
        body: applicationBody,
        response: { 200: receiptSchema },
      },
    },
    async (request, reply) => {
      const body = request.body;
      limit(reply, [applyByIp.hit(request.ip), applyById.hit(body.idNumber.toUpperCase())], '提交次数过多');
      const ctx = await context();
      return padded(minMs, async () => {
        try {
          return await inUnitOfWork(store, systemActor(request, '居民网上申请'), (tx) =>
            submitApplication(tx, ctx, body),
          );
        } catch (error) {
          if (error instanceof PublicError) {
            // Refused input is audited (which fields, never their values); nothing else is written.
            await inUnitOfWork(store, systemActor(request, '网上申请未通过校验'), (tx) => {
              tx.record({
                action: 'cases.public_application',
                entityType: 'public_application',
                district: ctx.districtCode,
                after: { refused: error.code, fields: error.problems.map((p) => p.field) },
              });
              return Promise.resolve();
            });
          }
          throw error;
        }
      });
    },
  );

  app.post(
    '/api/public/status',
    {
      schema: {
        tags: [TAG],
        summary: '办理进度查询（受理回执编号或申请编号 + 身份证号）',
        description:
          '无需登录。编号与身份证号不匹配时的答复与编号不存在时完全相同（404）；未通过的查询记入审计日志；按 IP 与编号限制次数，超出返回 429。',
        body: z.object({
          code: text(30).min(1, '请填写受理回执编号或申请编号'),
          idNumber: text(18).min(1, '请填写身份证号'),
        }),
        response: { 200: statusSchema },
      },
    },
    async (request, reply) => {
      const { code, idNumber } = request.body;
      limit(reply, [statusByIp.hit(request.ip), statusByCode.hit(code.toUpperCase())], '查询次数过多');
      const ctx = await context();
      return padded(minMs, async () => {
        try {
          return await publicStatus(store.db, ctx, { code, idNumber });
        } catch (error) {
          if (error instanceof PublicError && error.code === 'not_found') {
            await inUnitOfWork(store, systemActor(request, '办理进度查询未通过'), (tx) => {
              tx.record({
                action: 'cases.public_status_refused',
                entityType: 'public_application',
                district: ctx.districtCode,
                after: { code: code.slice(0, 30) },
              });
              return Promise.resolve();
            });
          }
          throw error;
        }
      });
    },
  );

  app.get(
    '/api/online-applications',
    {
      schema: {
        tags: ['救助申请'],
        summary: '街道：本人范围内街道收到的网上申请（默认人口库未匹配的，待街道核实联系）',
        querystring: pageQuery.extend({ state: z.enum(STATES).default('unmatched') }),
        response: { 200: z.object({ items: z.array(onlineApplicationSchema), total: z.number().int() }) },
      },
    },
    (request) => listOnlineApplications(store.db, caller(requireUser(request)), request.query),
  );

  app.post(
    '/api/online-applications/:district/:id/contact',
    {
      schema: {
        tags: ['救助申请'],
        summary: '街道：查看网上申请人的完整身份证号与电话（须说明用途，记入审计日志）',
        params: applicationKey,
        body: z.object({ purpose: reasonText(2, 200, '查看用途') }),
        response: { 200: z.object({ idNumber: z.string(), phone: z.string() }) },
      },
    },
    async (request) => {
      const user = requireUser(request);
      return inUnitOfWork(store, actorOf(request, user, request.body.purpose), (tx) =>
        revealApplicationContact(tx, caller(user), {
          districtCode: request.params.district,
          id: request.params.id,
        }),
      );
    },
  );
  app.get(
    '/api/online-applications/:district/:id',
    {
      schema: {
        tags: ['救助申请'],
        summary: '街道：一件网上申请（脱敏），人口信息库中现有的匹配、所建案件与办理经过',
        params: applicationKey,
        response: { 200: onlineApplicationDetail },
      },
    },
    (request) =>
      getOnlineApplication(store.db, caller(requireUser(request)), {
        districtCode: request.params.district,
        id: request.params.id,
      }),
  );

  app.post(
    '/api/online-applications/:district/:id/match',
    {
      schema: {
        tags: ['救助申请'],
        summary: '街道：网上申请匹配建案（申请人须为所选家庭户的在册成员；建网上申请草稿，待受理）',
        description:
          '只能对“待匹配”的申请操作；version 为页面看到的版本，已被他人处理时 409。申请人按申请所填身份证号在人口信息库中查找。',
        params: applicationKey,
        body: z.object({
          version: z.number().int().min(1),
          householdId: z.uuid(),
          note: text(500).optional().describe('核实说明（选填）'),
        }),
        response: { 200: onlineApplicationDetail },
      },
    },
    async (request) => {
      const user = requireUser(request);
      const { version, householdId, note } = request.body;
      const why = note ? `网上申请匹配建案：${note}` : '网上申请回电核实后匹配建案';
      const ctx = await context();
      return inUnitOfWork(store, actorOf(request, user, why), (tx) =>
        matchOnlineApplication(tx, caller(user), ctx.calendar, {
          districtCode: request.params.district,
          id: request.params.id,
          version,
          householdId,
          note,
        }),
      );
    },
  );

  app.post(
    '/api/online-applications/:district/:id/close',
    {
      schema: {
        tags: ['救助申请'],
        summary: '街道：网上申请办结（回电后登记答复结果与说明）',
        description: `结果：${ONLINE_OUTCOME_CODES.map((c) => `${c} ${ONLINE_OUTCOMES[c].label}`).join('；')}。申请人查询进度时看到“已办结”和结果的说明，看不到核实说明。`,
        params: applicationKey,
        body: z.object({
          version: z.number().int().min(1),
          outcome: z.enum(ONLINE_OUTCOME_CODES),
          note: reasonText(2, 500, '与申请人联系核实的情况'),
        }),
        response: { 200: onlineApplicationDetail },
      },
    },
    async (request) => {
      const user = requireUser(request);
      const { version, outcome, note } = request.body;
      const why = `网上申请办结：${ONLINE_OUTCOMES[outcome].label}；${note}`;
      return inUnitOfWork(store, actorOf(request, user, why), (tx) =>
        closeOnlineApplication(tx, caller(user), {
          districtCode: request.params.district,
          id: request.params.id,
          version,
          outcome,
          note,
        }),
      );
    },
  );
}
