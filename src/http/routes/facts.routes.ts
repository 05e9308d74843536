import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { hasPermission, scopeOf, type Permission } from '../../auth/roles.ts';
import type { DataScope } from '../../auth/scope.ts';
import type { AuthUser } from '../../auth/user.ts';
import { shanghaiToday } from '../../core/clock.ts';
import {
  addFact,
  correctFact,
  endFact,
  listFacts,
  type FactView,
  type SubjectFacts,
} from '../../registry/facts/facts.service.ts';
import {
  FACT_KIND_LIST,
  FACT_KINDS,
  SOURCE_KIND_LIST,
  SOURCE_KINDS,
  type SubjectType,
} from '../../registry/facts/facts.types.ts';
import { inUnitOfWork, type WorkTx } from '../../workflow/unit-of-work.ts';
import { requireUser, type ServerDeps, type ZodApp } from '../context.ts';
import { AppError } from '../errors.ts';
import { reasonText, text } from '../schemas.ts';
import { districtOf, districtQuery } from './registry.routes.ts';

/**
 * 经济状况 (dated economic facts) of a person or a household: read as of a date with the whole history, add a
 * fact, end one, correct one. Each route: authenticate → validate (zod; the service checks the rest and
 * reports every problem at once) → authorise (registry.view to read, facts.write to add and end, facts.correct
 * to correct; the subject must lie in the user's scope, else 404) → one unit of work with the user's reason →
 * the facts service.
 */

const int = z.number().int();
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD');
const uuid = z.uuid('编号格式不正确');
const reason = reasonText(2, 200, '原因');

const newFact = z.object({
  kind: z.enum(FACT_KIND_LIST).describe(FACT_KIND_LIST.map((k) => `${k} ${FACT_KINDS[k].name}`).join('；')),
  amountFen: int.min(0).nullish().describe('金额（分）：收入为月额，货币财产为存量，支出为该笔金额'),
  quantity: int.min(0).nullish().describe('数量：机动车辆、住房'),
  flag: z.boolean().nullish().describe('是/否：就业、重病、有赡养人、住房面积低于平均'),
  disabilityCategory: int.nullish().describe('残疾类别 GB/T 26341：1–7'),
  disabilityGrade: int.nullish().describe('残疾等级：1–4（一级最重）'),
  category: z.string().nullish().describe('特殊对象类别（仅认定）'),
  validFrom: isoDate.describe('起始日期（含）；支出为支出日期'),
  validTo: isoDate.nullish().describe('结束日期（不含，即不再成立的第一天）；不填为持续'),
  sourceKind: z
    .enum(SOURCE_KIND_LIST)
    .describe(SOURCE_KIND_LIST.map((s) => `${s} ${SOURCE_KINDS[s]}`).join('；')),
  sourceRef: text(200).optional().describe('来源依据：申报表编号、部门及批次、核对报告编号、认定文书号'),
});

const factSchema = z.object({
  id: z.string(),
  districtCode: z.string(),
  subjectType: z.enum(['person', 'household']),
  subjectId: z.string(),
  kind: z.string(),
  kindName: z.string(),
  amountFen: int.nullable(),
  quantity: int.nullable(),
  flag: z.boolean().nullable(),
  disabilityCategory: int.nullable(),
  disabilityGrade: int.nullable(),
  category: z.string().nullable(),
  valueText: z.string(),
  validFrom: z.string(),
  validTo: z.string().nullable(),
  sourceKind: z.string(),
  sourceKindName: z.string(),
  sourceRef: z.string(),
  recordedAt: z.string(),
  recordedBy: z.string().nullable(),
  voidedAt: z.string().nullable(),
  voidReason: z.string().nullable(),
  replacedBy: z.string().nullable(),
  version: int,
  counts: z.boolean().describe('在所选日期计入（该类的胜出记录、持有的类别、计入的支出）'),
  validOnDate: z.boolean(),
});

const figuresSchema = z.record(z.string(), z.union([z.number(), z.boolean(), z.null(), z.array(z.string())]));

const subjectFactsSchema = z.object({
  subjectType: z.enum(['person', 'household']),
  districtCode: z.string(),
  subjectId: z.string(),
  asOf: z.string(),
  figures: figuresSchema.describe('所选日期所在月份用于测算的数值（支出：该月之前十二个月）'),
  facts: z.array(factSchema),
});

function present(f: FactView) {
  return f;
}

function presentAll(s: SubjectFacts) {
  return { ...s, figures: { ...s.figures }, facts: s.facts.map(present) };
}

function caller(request: FastifyRequest, permission: Permission): { user: AuthUser; scope: DataScope } {
  const user = requireUser(request);
  if (!hasPermission(user.role, permission)) throw new AppError('FORBIDDEN');
  return { user, scope: scopeOf(user) };
}

const PATHS: Record<SubjectType, { base: string; name: string }> = {
  person: { base: '/api/persons/:id/facts', name: '人员' },
  household: { base: '/api/households/:id/facts', name: '家庭户' },
};

export function registerFactRoutes(app: ZodApp, { store, config }: ServerDeps): void {
  const write = <T>(
    request: FastifyRequest,
    permission: Permission,
    why: string,
    work: (tx: WorkTx, scope: DataScope) => Promise<T>,
  ): Promise<T> => {
    const { user, scope } = caller(request, permission);
    return inUnitOfWork(
      store,
      { userId: user.id, divisionCode: user.divisionCode, requestId: request.id, reason: why },
      (tx) => work(tx, scope),
    );
  };

  for (const subjectType of ['person', 'household'] as const) {
    const { base, name } = PATHS[subjectType];
    const subjectOf = (request: FastifyRequest, id: string, district: string | undefined) => ({
      subjectType,
      districtCode: districtOf(scopeOf(requireUser(request)), district, config),
      subjectId: id,
    });

    app.get(
      base,
      {
        schema: {
          tags: ['经济状况'],
          summary: `${name}的经济状况：某日计入的数值与全部事实（含历史与已更正作废的记录）`,
          params: z.object({ id: uuid }),
          querystring: districtQuery.extend({
            asOf: isoDate.optional().describe('查看日期，默认今天（上海）'),
          }),
          response: { 200: subjectFactsSchema },
        },
      },
      async (request) => {
        const { scope } = caller(request, 'registry.view');
        const result = await listFacts(
          store.db,
          scope,
          subjectOf(request, request.params.id, request.query.district),
          request.query.asOf ?? shanghaiToday(),
        );
        return presentAll(result);
      },
    );

    app.post(
      base,
      {
        schema: {
          tags: ['经济状况'],
          summary: `新增${name}的经济状况事实（同类型、同来源的上一条于新记录起始日前一天结束）`,
          params: z.object({ id: uuid }),
          querystring: districtQuery,
          body: z.object({ fact: newFact, reason }),
          response: { 200: z.object({ fact: factSchema.partial(), supersededId: z.string().nullable() }) },
        },
      },
      async (request) => {
        const subject = subjectOf(request, request.params.id, request.query.district);
        const result = await write(request, 'facts.write', request.body.reason, (tx, scope) =>
          addFact(tx, scope, subject, request.body.fact),
        );
        return { fact: result.fact, supersededId: result.superseded?.after.id ?? null };
      },
    );

    app.post(
      `${base}/:factId/end`,
      {
        schema: {
          tags: ['经济状况'],
          summary: `结束${name}的一条经济状况事实（结束日期不含当日）`,
          params: z.object({ id: uuid, factId: uuid }),
          querystring: districtQuery,
          body: z.object({
            validTo: isoDate.describe('不再成立的第一天'),
            version: int.min(1).describe('页面读到的版本号；已被他人修改则 409'),
            reason,
          }),
          response: { 200: z.object({ fact: factSchema.partial() }) },
        },
      },
      async (request) => {
        const ref = {
          ...subjectOf(request, request.params.id, request.query.district),
          factId: request.params.factId,
        };
        const { validTo, version } = request.body;
        const fact = await write(request, 'facts.write', request.body.reason, (tx, scope) =>
          endFact(tx, scope, ref, { validTo, version }),
        );
        return { fact };
      },
    );

    app.post(
      `${base}/:factId/correct`,
      {
        schema: {
          tags: ['经济状况'],
          summary: `更正${name}的一条经济状况事实：原记录作废保留，可同时录入更正后的记录（须说明原因，记入审计日志）`,
          params: z.object({ id: uuid, factId: uuid }),
          querystring: districtQuery,
          body: z.object({
            version: int.min(1),
            reason: reasonText(2, 500, '更正原因'),
            replacement: newFact.nullish(),
          }),
          response: {
            200: z.object({ voided: factSchema.partial(), replacement: factSchema.partial().nullable() }),
          },
        },
      },
      async (request) => {
        const ref = {
          ...subjectOf(request, request.params.id, request.query.district),
          factId: request.params.factId,
        };
        const { version, replacement } = request.body;
        return write(request, 'facts.correct', request.body.reason, (tx, scope) =>
          correctFact(tx, scope, ref, { version, reason: request.body.reason, replacement }),
        );
      },
    );
  }
}
