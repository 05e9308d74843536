import { z } from 'zod';
import { householdPolicy } from '../../auth/policies/household.policy.ts';
import { personPolicy } from '../../auth/policies/person.policy.ts';
import { scopeOf } from '../../auth/roles.ts';
import { inScope, scopeDistrict, type DataScope } from '../../auth/scope.ts';
import type { AuthUser } from '../../auth/user.ts';
import type { Config } from '../../config.ts';
import { toPersonView } from '../../registry/present.ts';
import {
  currentHouseholdOf,
  getHouseholdDetail,
  getPerson,
  getDivision,
  listDivisionChildren,
  searchHouseholds,
  searchPersons,
  type HouseholdSearch,
  type PersonSearch,
} from '../../registry/registry.service.ts';
import { recordOnly } from '../../workflow/unit-of-work.ts';
import { actorOf, requireUser, type ServerDeps, type ZodApp } from '../context.ts';
import { AppError } from '../errors.ts';
import {
  presentHouseholdDetail,
  presentHouseholdSummary,
  presentPersonDetail,
  presentPersonSummary,
  todayIso,
} from '../presenters/registry.presenter.ts';
import {
  householdDetailSchema,
  householdSummarySchema,
  personDetailSchema,
  personSummarySchema,
} from '../registry.schemas.ts';
import { divisionCode, pageOf, pageQuery, reasonText, text } from '../schemas.ts';

const listQuery = pageQuery.extend({
  q: text(60).optional().describe('姓名、拼音首字母、身份证号（18 位或后 4 位）；家庭户另可按户编号'),
  division: divisionCode.optional().describe('街道或居委会代码（须在本人数据范围内）'),
});

const idParams = z.object({ id: z.uuid('编号格式不正确') });
export const districtQuery = z.object({
  district: z
    .string()
    .regex(/^\d{6}$/)
    .optional()
    .describe('所在区代码；区级以下用户可省略（取其数据范围所在区）'),
});

/** How `q` reads: a full or last-4 ID number, pinyin initials, or a name. */
export function personQuery(q: string | undefined): Pick<PersonSearch, 'idNumber' | 'initials' | 'name'> {
  if (!q) return {};
  if (/^\d{17}[\dXx]$/.test(q) || /^\d{3}[\dXx]$/.test(q)) return { idNumber: q };
  if (/^[A-Za-z]{1,10}$/.test(q)) return { initials: q.toLowerCase() };
  return { name: q };
}

export function householdQuery(
  q: string | undefined,
): Pick<HouseholdSearch, 'headInitials' | 'headName' | 'householdNo'> {
  if (!q) return {};
  if (/^[A-Za-z]{1,10}$/.test(q)) return { headInitials: q.toLowerCase() };
  if (/\d/.test(q) && /^[A-Za-z0-9-]+$/.test(q)) return { householdNo: q };
  return { headName: q };
}

/**
 * Records are keyed by (district, id). A user below district level works in one district; a city-wide
 * user (auditor) names it with ?district=, defaulting to the installation's district.
 */
export function districtOf(scope: DataScope, requested: string | undefined, config: Config): string {
  const own = scopeDistrict(scope);
  if (own) {
    if (requested && requested !== own) throw new AppError('NOT_FOUND');
    return own;
  }
  return requested ?? config.MINZHENG_DEMO_DISTRICT;
}

function registryReader(user: AuthUser): DataScope {
  if (!personPolicy.canList(user)) throw new AppError('FORBIDDEN');
  return scopeOf(user);
}

export function registerRegistryRoutes(app: ZodApp, { store, config }: ServerDeps): void {
  app.get(
    '/api/divisions/:code/children',
    {
      schema: {
        tags: ['区划'],
        summary: '下级区划（仅本人数据范围内）',
        params: z.object({ code: divisionCode }),
        response: { 200: z.array(z.object({ code: z.string(), name: z.string(), level: z.string() })) },
      },
    },
    (request) => {
      const scope = scopeOf(requireUser(request));
      const { code } = request.params;
      const related = (c: string) =>
        inScope(scope, c) || (scope.kind === 'division' && scope.code.startsWith(c));
      if (!getDivision(code) || !related(code))
        throw new AppError('NOT_FOUND', '区划不存在或不在您的数据范围内');
      return listDivisionChildren(code)
        .filter((child) => related(child.code))
        .map(({ code: childCode, name, level }) => ({ code: childCode, name, level }));
    },
  );

  app.get(
    '/api/persons',
    {
      schema: {
        tags: ['人口信息'],
        summary: '人员查询（身份证号、电话已脱敏）',
        querystring: listQuery,
        response: { 200: pageOf(personSummarySchema) },
      },
    },
    async (request) => {
      const scope = registryReader(requireUser(request));
      const { q, division, limit, offset } = request.query;
      const page = await searchPersons(store.db, scope, {
        ...personQuery(q),
        nameMatch: 'prefix',
        ...(division ? { divisionCode: division } : {}),
        limit,
        offset,
      });
      const today = todayIso();
      return {
        items: page.rows.map((row) => presentPersonSummary(row, today)),
        total: page.total,
        totalExact: page.totalExact,
      };
    },
  );

  app.get(
    '/api/persons/:id',
    {
      schema: {
        tags: ['人口信息'],
        summary: '人员详情（脱敏）及当前家庭户；不在数据范围内时 404',
        params: idParams,
        querystring: districtQuery,
        response: { 200: personDetailSchema },
      },
    },
    async (request) => {
      const user = requireUser(request);
      const scope = registryReader(user);
      const ref = { districtCode: districtOf(scope, request.query.district, config), id: request.params.id };
      const full = await getPerson(store.db, scope, ref, { unmask: true });
      if (!personPolicy.canView(user, full)) throw new AppError('NOT_FOUND');
      return presentPersonDetail(
        toPersonView(full, false),
        await currentHouseholdOf(store.db, full),
        todayIso(),
      );
    },
  );

  app.post(
    '/api/persons/:id/unmask',
    {
      schema: {
        tags: ['人口信息'],
        summary: '查看完整身份证号与电话（须有 person.unmask 权限并说明用途；记入审计日志）',
        params: idParams,
        querystring: districtQuery,
        body: z.object({ purpose: reasonText(4, 200, '用途') }),
        response: { 200: z.object({ idNumber: z.string(), phone: z.string().nullable() }) },
      },
    },
    async (request) => {
      const user = requireUser(request);
      const scope = registryReader(user);
      const ref = { districtCode: districtOf(scope, request.query.district, config), id: request.params.id };
      const person = await getPerson(store.db, scope, ref, { unmask: true });
      if (!personPolicy.canView(user, person)) throw new AppError('NOT_FOUND');
      if (!personPolicy.canUnmask(user, person))
        throw new AppError('FORBIDDEN', '您没有查看完整身份信息的权限');
      await recordOnly(store, actorOf(request, user), request.body.purpose, {
        action: 'person.unmask',
        entityType: 'person',
        entityId: person.id,
        district: person.districtCode,
        after: { districtCode: person.districtCode, fields: ['idNumber', 'phone'] },
      });
      return { idNumber: person.idNumber, phone: person.phone };
    },
  );

  app.get(
    '/api/households',
    {
      schema: {
        tags: ['人口信息'],
        summary: '家庭户查询',
        querystring: listQuery,
        response: { 200: pageOf(householdSummarySchema) },
      },
    },
    async (request) => {
      const user = requireUser(request);
      if (!householdPolicy.canList(user)) throw new AppError('FORBIDDEN');
      const { q, division, limit, offset } = request.query;
      const page = await searchHouseholds(store.db, scopeOf(user), {
        ...householdQuery(q),
        ...(division ? { divisionCode: division } : {}),
        limit,
        offset,
      });
      return {
        items: page.rows.map(presentHouseholdSummary),
        total: page.total,
        totalExact: page.totalExact,
      };
    },
  );

  app.get(
    '/api/households/:id',
    {
      schema: {
        tags: ['人口信息'],
        summary: '家庭户详情：户、当前成员（脱敏）与成员变动历史；不在数据范围内时 404',
        params: idParams,
        querystring: districtQuery,
        response: { 200: householdDetailSchema },
      },
    },
    async (request) => {
      const user = requireUser(request);
      if (!householdPolicy.canList(user)) throw new AppError('FORBIDDEN');
      const scope = scopeOf(user);
      const ref = { districtCode: districtOf(scope, request.query.district, config), id: request.params.id };
      const detail = await getHouseholdDetail(store.db, scope, ref, { unmask: false });
      if (!householdPolicy.canView(user, detail.household)) throw new AppError('NOT_FOUND');
      return presentHouseholdDetail(detail, todayIso());
    },
  );
}
