import { z } from 'zod';
import { END_REASONS, sexName } from '../../registry/codes.ts';
import {
  changeRelation,
  correctHousehold,
  correctPerson,
  householdMembersAsOf,
  recordDeath,
  registerBirth,
} from '../../registry/edits/edits.service.ts';
import { correctDeathDate } from '../../registry/edits/death-correction.service.ts';
import { addMember, changeHead, endMembership, movePerson } from '../../registry/registry.service.ts';
import { hasPermission, scopeOf } from '../../auth/roles.ts';
import { requireUser, type ServerDeps, type ZodApp } from '../context.ts';
import { AppError } from '../errors.ts';
import { ageOn } from '../presenters/registry.presenter.ts';
import { text } from '../schemas.ts';
import { editPipeline, int, isoDate, reason, relationCode, version } from './edit-pipeline.ts';
import { districtOf, districtQuery } from './registry.routes.ts';

/**
 * 登记变更: every write of the registry between imports (births, deaths, corrections, members in and out,
 * head and relations), each route the pipeline of edit-pipeline.ts; 跨区迁移 is transfers.routes.ts.
 */

const idParams = z.object({ id: z.uuid('编号格式不正确') });
const memberParams = z.object({ id: z.uuid('编号格式不正确'), personId: z.uuid('编号格式不正确') });

const newPerson = z.object({
  idNumber: z.string().trim().min(15).max(18),
  name: text(50).min(1, '请填写姓名'),
  sex: int,
  birthDate: isoDate,
  ethnicity: z
    .string()
    .regex(/^\d{2}$/)
    .nullish(),
  maritalStatus: z
    .string()
    .regex(/^\d{2}$/)
    .nullish(),
  phone: text(20).nullish(),
  hukouDivisionCode: z.string().regex(/^\d{6}(\d{3}(\d{3})?)?$/, '户籍地区划代码应为 6、9 或 12 位数字'),
});

const written = z.object({
  personId: z.string().optional(),
  householdId: z.string().optional(),
  personVersion: int.optional(),
  householdVersion: int.optional(),
  notice: z.string().optional().describe('办理后需要注意的事项，如户主死亡后该户需变更户主'),
});

export function registerRegistryEditRoutes(app: ZodApp, deps: ServerDeps): void {
  const { store, config } = deps;
  const { edit, district } = editPipeline(deps);
  app.post(
    '/api/households/:id/births',
    {
      schema: {
        tags: ['登记变更'],
        summary: '出生登记：新生儿登记为本户成员（自出生之日起）',
        params: idParams,
        querystring: districtQuery,
        body: z.object({ version, person: newPerson, relationCode, reason }),
        response: { 200: written },
      },
    },
    async (request) => {
      const { body } = request;
      const districtCode = district(request, request.query.district);
      const result = await edit(request, body.reason, (tx, scope) =>
        registerBirth(tx, scope, {
          household: { districtCode, id: request.params.id },
          version: body.version,
          person: body.person,
          relationCode: body.relationCode,
        }),
      );
      return { personId: result.value.personId, householdId: result.value.householdId };
    },
  );

  app.post(
    '/api/persons/:id/death',
    {
      schema: {
        tags: ['登记变更'],
        summary: '死亡登记：登记死亡日期，次日起终止其全部成员关系',
        params: idParams,
        querystring: districtQuery,
        body: z.object({ version, deathDate: isoDate, reason }),
        response: { 200: written },
      },
    },
    async (request) => {
      const { body } = request;
      const districtCode = district(request, request.query.district);
      const result = await edit(request, body.reason, (tx, scope) =>
        recordDeath(tx, scope, {
          districtCode,
          personId: request.params.id,
          version: body.version,
          deathDate: body.deathDate,
        }),
      );
      const headless = result.value.headless.map((h) => h.householdNo);
      return {
        personId: result.value.person.id,
        personVersion: result.value.person.version ?? 1,
        ...(headless.length > 0
          ? { notice: `户主已死亡：户「${headless.join('、')}」现无户主，请办理变更户主` }
          : {}),
      };
    },
  );

  app.patch(
    '/api/persons/:id/death',
    {
      schema: {
        tags: ['登记变更'],
        summary: '更正死亡日期：因死亡终止的成员关系和经济状况信息随之改到新日期的次日',
        params: idParams,
        querystring: districtQuery,
        body: z.object({ version, deathDate: isoDate, reason }),
        response: { 200: written },
      },
    },
    async (request) => {
      const { body } = request;
      const districtCode = district(request, request.query.district);
      const result = await edit(request, body.reason, (tx, scope) =>
        correctDeathDate(tx, scope, {
          districtCode,
          personId: request.params.id,
          version: body.version,
          deathDate: body.deathDate,
        }),
      );
      return { personId: result.value.person.id, personVersion: result.value.person.version ?? 1 };
    },
  );

  app.patch(
    '/api/persons/:id',
    {
      schema: {
        tags: ['登记变更'],
        summary: '更正人员信息：姓名、性别、出生日期、身份证号、民族、婚姻状况、电话、户籍地',
        params: idParams,
        querystring: districtQuery,
        body: z.object({
          version,
          reason,
          changes: z
            .object({
              name: text(50).min(1),
              sex: int,
              birthDate: isoDate,
              idNumber: z.string().trim().min(15).max(18),
              ethnicity: z
                .string()
                .regex(/^\d{2}$/)
                .nullable(),
              maritalStatus: z
                .string()
                .regex(/^\d{2}$/)
                .nullable(),
              phone: text(20).nullable(),
              hukouDivisionCode: z.string().regex(/^\d{6}(\d{3}(\d{3})?)?$/),
            })
            .partial(),
        }),
        response: { 200: written },
      },
    },
    async (request) => {
      const { body } = request;
      const districtCode = district(request, request.query.district);
      const result = await edit(request, body.reason, (tx, scope) =>
        correctPerson(tx, scope, {
          districtCode,
          personId: request.params.id,
          version: body.version,
          changes: body.changes,
        }),
      );
      return { personId: result.value.id, personVersion: result.value.version ?? 1 };
    },
  );

  app.patch(
    '/api/households/:id',
    {
      schema: {
        tags: ['登记变更'],
        summary: '更正家庭户地址',
        params: idParams,
        querystring: districtQuery,
        body: z.object({ version, address: text(200), reason }),
        response: { 200: written },
      },
    },
    async (request) => {
      const { body } = request;
      const districtCode = district(request, request.query.district);
      const result = await edit(request, body.reason, (tx, scope) =>
        correctHousehold(tx, scope, {
          household: { districtCode, id: request.params.id },
          version: body.version,
          address: body.address,
        }),
      );
      return { householdId: result.value.id, householdVersion: result.value.version ?? 1 };
    },
  );

  app.post(
    '/api/households/:id/members',
    {
      schema: {
        tags: ['登记变更'],
        summary: '成员迁入：本区已登记人员（人员ID）或新登记人员迁入本户',
        params: idParams,
        querystring: districtQuery,
        body: z.object({
          version,
          member: z.union([
            z.object({ personId: z.uuid('编号格式不正确'), relationCode }),
            z.object({ person: newPerson, relationCode }),
          ]),
          validFrom: isoDate,
          reason,
        }),
        response: { 200: written },
      },
    },
    async (request) => {
      const { body } = request;
      const districtCode = district(request, request.query.district);
      const result = await edit(request, body.reason, (tx, scope) =>
        addMember(tx, scope, {
          household: { districtCode, id: request.params.id },
          version: body.version,
          member: body.member,
          validFrom: body.validFrom,
        }),
      );
      return { personId: result.value.personId, householdId: result.value.householdId };
    },
  );

  app.post(
    '/api/households/:id/members/:personId/end',
    {
      schema: {
        tags: ['登记变更'],
        summary: '成员迁出：成员关系于迁出日期终止（死亡请用死亡登记）',
        params: memberParams,
        querystring: districtQuery,
        body: z.object({
          version,
          validTo: isoDate.describe('迁出日期（当日起不再是本户成员）'),
          endReason: z.enum(['moved_out', 'correction', 'other']).describe(
            Object.entries(END_REASONS)
              .filter(([k]) => ['moved_out', 'correction', 'other'].includes(k))
              .map(([k, v]) => `${k} ${v}`)
              .join('，'),
          ),
          reason,
        }),
        response: { 200: written },
      },
    },
    async (request) => {
      const { body } = request;
      const districtCode = district(request, request.query.district);
      const result = await edit(request, body.reason, (tx, scope) =>
        endMembership(tx, scope, {
          household: { districtCode, id: request.params.id },
          version: body.version,
          personId: request.params.personId,
          validTo: body.validTo,
          endReason: body.endReason,
        }),
      );
      return { personId: result.value.personId, householdId: result.value.householdId };
    },
  );

  app.post(
    '/api/persons/:id/move',
    {
      schema: {
        tags: ['登记变更'],
        summary: '转户：迁入本区另一家庭户（迁往他区请发起跨区迁移）',
        params: idParams,
        querystring: districtQuery,
        body: z.object({
          version,
          toHouseholdId: z.uuid('编号格式不正确'),
          toHouseholdVersion: version.optional(),
          relationCode,
          date: isoDate,
          reason,
        }),
        response: { 200: written },
      },
    },
    async (request) => {
      const { body } = request;
      const districtCode = district(request, request.query.district);
      const result = await edit(request, body.reason, (tx, scope) =>
        movePerson(tx, scope, {
          districtCode,
          personId: request.params.id,
          version: body.version,
          to: { districtCode, id: body.toHouseholdId },
          toVersion: body.toHouseholdVersion,
          relationCode: body.relationCode,
          date: body.date,
        }),
      );
      return { personId: result.value.personId, householdId: result.value.householdId };
    },
  );

  app.post(
    '/api/households/:id/head',
    {
      schema: {
        tags: ['登记变更'],
        summary: '变更户主：新户主自变更日期起为户主，原户主及其他成员改为与新户主的关系',
        params: idParams,
        querystring: districtQuery,
        body: z.object({
          version,
          newHeadPersonId: z.uuid('编号格式不正确'),
          formerHeadRelationCode: relationCode,
          otherRelations: z.record(z.uuid(), relationCode).optional(),
          date: isoDate,
          reason,
        }),
        response: { 200: written },
      },
    },
    async (request) => {
      const { body } = request;
      const districtCode = district(request, request.query.district);
      await edit(request, body.reason, (tx, scope) =>
        changeHead(tx, scope, {
          household: { districtCode, id: request.params.id },
          version: body.version,
          newHeadPersonId: body.newHeadPersonId,
          formerHeadRelationCode: body.formerHeadRelationCode,
          ...(body.otherRelations ? { otherRelations: body.otherRelations } : {}),
          date: body.date,
        }),
      );
      return { householdId: request.params.id };
    },
  );

  app.post(
    '/api/households/:id/relations',
    {
      schema: {
        tags: ['登记变更'],
        summary: '变更成员与户主的关系（自变更日期起）',
        params: idParams,
        querystring: districtQuery,
        body: z.object({ version, personId: z.uuid('编号格式不正确'), relationCode, date: isoDate, reason }),
        response: { 200: written },
      },
    },
    async (request) => {
      const { body } = request;
      const districtCode = district(request, request.query.district);
      const result = await edit(request, body.reason, (tx, scope) =>
        changeRelation(tx, scope, {
          household: { districtCode, id: request.params.id },
          version: body.version,
          personId: body.personId,
          relationCode: body.relationCode,
          date: body.date,
        }),
      );
      return { personId: result.value.personId, householdId: result.value.householdId };
    },
  );

  app.get(
    '/api/households/:id/members',
    {
      schema: {
        tags: ['人口信息'],
        summary: '某日的家庭成员（脱敏）',
        params: idParams,
        querystring: districtQuery.extend({ date: isoDate.describe('日期，如 2025-01-01') }),
        response: {
          200: z.object({
            date: z.string(),
            members: z.array(
              z.object({
                personId: z.string(),
                name: z.string(),
                sexName: z.string(),
                birthDate: z.string(),
                age: int,
                idNumberMasked: z.string(),
                relationCode: z.string(),
                relationName: z.string(),
                validFrom: z.string(),
                validTo: z.string().nullable(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const user = requireUser(request);
      if (!hasPermission(user.role, 'registry.view')) throw new AppError('FORBIDDEN');
      const scope = scopeOf(user);
      const districtCode = districtOf(scope, request.query.district, config);
      const asOf = await householdMembersAsOf(
        store.db,
        scope,
        { districtCode, id: request.params.id },
        request.query.date,
      );
      return {
        date: asOf.date,
        members: asOf.members.map((m) => ({
          personId: m.person.id,
          name: m.person.name,
          sexName: sexName(m.person.sex),
          birthDate: m.person.birthDate,
          age: ageOn(m.person.birthDate, asOf.date),
          idNumberMasked: m.person.idNumber,
          relationCode: m.relationCode,
          relationName: m.relationName,
          validFrom: m.validFrom,
          validTo: m.validTo,
        })),
      };
    },
  );
}
