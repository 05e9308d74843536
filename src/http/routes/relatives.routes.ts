import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { hasPermission, scopeOf, type Permission } from '../../auth/roles.ts';
import type { AuthUser } from '../../auth/user.ts';
import { relativeConflicts } from '../../relatives/conflicts.service.ts';
import { RELATION_KINDS, RELATIVE_KIND_NAMES } from '../../relatives/relation-kinds.ts';
import type { RelativesCaller } from '../../relatives/relatives.caller.ts';
import {
  addCommitteeMember,
  declareRelative,
  endCommitteeMember,
  endDeclaration,
  linkSelf,
  linkUser,
  listStaff,
  myRelatives,
  staffDetail,
} from '../../relatives/relatives.service.ts';
import { inUnitOfWork } from '../../workflow/unit-of-work.ts';
import { requireUser, type ServerDeps, type ZodApp } from '../context.ts';
import { AppError } from '../errors.ts';
import { pageOf, pageQuery, reasonText, text } from '../schemas.ts';
import { actorOf, int, isoDate, version } from './edit-pipeline.ts';
import { districtOf, districtQuery } from './registry.routes.ts';

/** 近亲属备案 (src/relatives): one's own link and declarations, and the administrators' list. */

const TAG = '近亲属备案';

const linkSchema = z.object({
  id: z.string(),
  districtCode: z.string(),
  kind: z.enum(['user', 'committee']),
  kindName: z.string(),
  userId: z.string().nullable(),
  name: z.string(),
  divisionCode: z.string(),
  divisionName: z.string(),
  committeeRole: z.string().nullable().describe('居委会成员的职务'),
  idNumberMasked: z.string(),
  personId: z.string().nullable(),
  inRegistry: z.boolean().describe('身份证号是否在人口信息库中找到'),
  endedOn: z.string().nullable().describe('居委会成员离任日期'),
  activeDeclarations: int.optional().describe('有效备案数'),
  version: int,
});

const declarationSchema = z.object({
  id: z.string(),
  districtCode: z.string(),
  staffId: z.string(),
  relationCode: z.string().describe('GB/T 4761 家庭关系代码（亲属是本人的…）'),
  relationName: z.string(),
  relativeName: z.string(),
  idNumberMasked: z.string(),
  personId: z.string().nullable(),
  inRegistry: z.boolean(),
  declaredOn: z.string(),
  endedOn: z.string().nullable(),
  endReason: z.string().nullable(),
  state: z.enum(['active', 'ended']),
  stateName: z.string(),
  version: int,
});

const relationKindSchema = z.object({ code: z.string(), name: z.string(), kindName: z.string() });

const conflictSchema = z.object({
  staff: z.object({
    staffId: z.string(),
    kind: z.enum(['user', 'committee']),
    userId: z.string().nullable(),
    name: z.string(),
    divisionCode: z.string(),
    divisionName: z.string(),
    role: z.string().nullable(),
    roleName: z.string(),
    committeeRole: z.string().nullable(),
  }),
  member: z.object({ personId: z.string(), name: z.string(), idNumberMasked: z.string() }),
  relation: z.object({ kind: z.string(), name: z.string(), code: z.string().nullable() }),
  foundBy: z.enum(['declared', 'registry']),
  foundByName: z.string(),
  declarationId: z.string().nullable(),
  householdId: z.string().nullable(),
  current: z.boolean(),
});

const keyParams = z.object({
  district: z.string().regex(/^\d{6}$/, '区代码应为 6 位数字'),
  id: z.uuid('编号格式不正确'),
});

const idNumber = z.string().trim().min(1, '请填写身份证号').max(18, '身份证号为 18 位');
const declareBody = z.object({
  relationCode: z.string().regex(/^\d{2}$/, '亲属关系代码应为两位数字（GB/T 4761）'),
  relativeName: text(50),
  idNumber,
  declaredOn: isoDate.optional().describe('备案日期，默认今天'),
  reason: reasonText(2, 200, '备案说明').default('登记近亲属备案'),
});

const RELATION_KIND_LIST = Object.entries(RELATION_KINDS).map(([code, k]) => ({
  code,
  name: k.name,
  kindName: RELATIVE_KIND_NAMES[k.kind],
}));

function callerOf(user: AuthUser): RelativesCaller {
  return { scope: scopeOf(user), role: user.role, userId: user.id };
}

function allowed(request: FastifyRequest, permission: Permission): AuthUser {
  const user = requireUser(request);
  if (!hasPermission(user.role, permission)) throw new AppError('FORBIDDEN');
  return user;
}

export function registerRelativesRoutes(app: ZodApp, deps: ServerDeps): void {
  const { store, config } = deps;

  app.get(
    '/api/relatives/me',
    {
      schema: {
        tags: [TAG],
        summary: '本人的人员关联与近亲属备案（含已结束的），以及可备案的亲属关系',
        response: {
          200: z.object({
            link: linkSchema.nullable(),
            declarations: z.array(declarationSchema),
            relationKinds: z.array(relationKindSchema),
          }),
        },
      },
    },
    async (request) => {
      const user = allowed(request, 'relatives.declare');
      const mine = await myRelatives(store, callerOf(user));
      return { ...mine, relationKinds: RELATION_KIND_LIST };
    },
  );

  app.post(
    '/api/relatives/me/link',
    {
      schema: {
        tags: [TAG],
        summary: '关联本人人员信息（按身份证号，只能自行填写一次；更正请联系系统管理员）',
        body: z.object({ idNumber, reason: reasonText(2, 200, '说明').default('关联本人人员信息') }),
        response: { 201: linkSchema },
      },
    },
    async (request, reply) => {
      const user = allowed(request, 'relatives.declare');
      const view = await inUnitOfWork(store, actorOf(request, user, request.body.reason), (tx) =>
        linkSelf(tx, callerOf(user), { idNumber: request.body.idNumber }),
      );
      void reply.status(201);
      return view;
    },
  );

  app.post(
    '/api/relatives/me',
    {
      schema: {
        tags: [TAG],
        summary: '登记本人的一名近亲属（配偶、父母、子女、兄弟姐妹及其配偶）',
        body: declareBody,
        response: { 201: declarationSchema },
      },
    },
    async (request, reply) => {
      const user = allowed(request, 'relatives.declare');
      const { reason, ...input } = request.body;
      const view = await inUnitOfWork(store, actorOf(request, user, reason), (tx) =>
        declareRelative(tx, callerOf(user), input),
      );
      void reply.status(201);
      return view;
    },
  );

  app.post(
    '/api/relatives/declarations/:district/:id/end',
    {
      schema: {
        tags: [TAG],
        summary: '结束一条近亲属备案（关系终止或登记有误）；记录保留',
        params: keyParams,
        body: z.object({
          version,
          endedOn: isoDate.optional().describe('结束日期，默认今天'),
          reason: reasonText(2, 200, '结束原因'),
        }),
        response: { 200: declarationSchema },
      },
    },
    async (request) => {
      const user = allowed(request, 'relatives.declare');
      const { params, body } = request;
      return inUnitOfWork(store, actorOf(request, user, body.reason), (tx) =>
        endDeclaration(tx, callerOf(user), {
          districtCode: params.district,
          id: params.id,
          version: body.version,
          reason: body.reason,
          endedOn: body.endedOn,
        }),
      );
    },
  );

  app.get(
    '/api/relatives',
    {
      schema: {
        tags: [TAG],
        summary: '数据范围内的工作人员（系统用户与居委会成员）及其有效备案数',
        querystring: pageQuery.extend({
          kind: z.enum(['user', 'committee']).optional(),
          division: z
            .string()
            .regex(/^(\d{6}|\d{9}|\d{12})$/, '区划代码须为 6、9 或 12 位数字')
            .optional(),
          name: text(50).optional(),
          includeEnded: z.enum(['true', 'false']).optional().describe('含已离任的居委会成员'),
        }),
        response: { 200: pageOf(linkSchema) },
      },
    },
    async (request) => {
      const user = allowed(request, 'relatives.view');
      const q = request.query;
      const page = await listStaff(store, callerOf(user), {
        kind: q.kind,
        divisionCode: q.division,
        name: q.name || undefined,
        includeEnded: q.includeEnded === 'true',
        limit: q.limit,
        offset: q.offset,
      });
      return { ...page, totalExact: true };
    },
  );

  app.get(
    '/api/relatives/:district/:id',
    {
      schema: {
        tags: [TAG],
        summary: '一名工作人员的人员关联与全部近亲属备案',
        params: keyParams,
        response: { 200: z.object({ link: linkSchema, declarations: z.array(declarationSchema) }) },
      },
    },
    async (request) => {
      const user = allowed(request, 'relatives.view');
      return staffDetail(store, callerOf(user), request.params.district, request.params.id);
    },
  );

  app.post(
    '/api/relatives/links',
    {
      schema: {
        tags: [TAG],
        summary: '为数据范围内的用户关联或更正本人人员信息（系统管理员）',
        body: z.object({
          userId: z.uuid('用户编号格式不正确'),
          idNumber,
          version: version.optional().describe('已有关联时页面读到的版本号'),
          reason: reasonText(2, 200, '关联原因'),
        }),
        response: { 200: linkSchema },
      },
    },
    async (request) => {
      const user = allowed(request, 'relatives.manage');
      const { reason, ...input } = request.body;
      return inUnitOfWork(store, actorOf(request, user, reason), (tx) => linkUser(tx, callerOf(user), input));
    },
  );

  app.post(
    '/api/relatives/committee-members',
    {
      schema: {
        tags: [TAG],
        summary: '登记一名没有系统账号的居委会成员（姓名、身份证号、职务）',
        body: z.object({
          committeeCode: z.string().regex(/^\d{12}$/, '居委会代码应为 12 位数字'),
          name: text(50),
          committeeRole: text(50),
          idNumber,
          reason: reasonText(2, 200, '登记原因').default('登记居委会成员'),
        }),
        response: { 201: linkSchema },
      },
    },
    async (request, reply) => {
      const user = allowed(request, 'relatives.manage');
      const { reason, ...input } = request.body;
      const view = await inUnitOfWork(store, actorOf(request, user, reason), (tx) =>
        addCommitteeMember(tx, callerOf(user), input),
      );
      void reply.status(201);
      return view;
    },
  );

  app.post(
    '/api/relatives/:district/:id/end',
    {
      schema: {
        tags: [TAG],
        summary: '居委会成员离任（保留在名单中，不再参与比对）',
        params: keyParams,
        body: z.object({
          version,
          endedOn: isoDate.optional().describe('离任日期，默认今天'),
          reason: reasonText(2, 200, '离任说明'),
        }),
        response: { 200: linkSchema },
      },
    },
    async (request) => {
      const user = allowed(request, 'relatives.manage');
      const { params, body } = request;
      return inUnitOfWork(store, actorOf(request, user, body.reason), (tx) =>
        endCommitteeMember(tx, callerOf(user), {
          districtCode: params.district,
          id: params.id,
          version: body.version,
          endedOn: body.endedOn,
        }),
      );
    },
  );

  app.post(
    '/api/relatives/:district/:id/declarations',
    {
      schema: {
        tags: [TAG],
        summary: '为数据范围内的工作人员（如没有账号的居委会成员）登记近亲属备案（系统管理员）',
        params: keyParams,
        body: declareBody,
        response: { 201: declarationSchema },
      },
    },
    async (request, reply) => {
      const user = requireUser(request);
      const { reason, ...input } = request.body;
      const view = await inUnitOfWork(store, actorOf(request, user, reason), (tx) =>
        declareRelative(tx, callerOf(user), {
          ...input,
          staff: { districtCode: request.params.district, id: request.params.id },
        }),
      );
      void reply.status(201);
      return view;
    },
  );

  app.post(
    '/api/relatives/conflicts',
    {
      schema: {
        tags: [TAG],
        summary: '比对申请人员与工作人员的近亲属关系（本人备案与户籍登记），数据范围内',
        querystring: districtQuery,
        body: z.object({
          personIds: z.array(z.uuid('人员编号格式不正确')).min(1, '请指定人员').max(50),
        }),
        response: { 200: z.object({ items: z.array(conflictSchema) }) },
      },
    },
    async (request) => {
      const user = allowed(request, 'relatives.view');
      const districtCode = districtOf(scopeOf(user), request.query.district, config);
      const items = await store.transaction((tx) =>
        relativeConflicts(tx, scopeOf(user), { districtCode, personIds: request.body.personIds }),
      );
      return { items };
    },
  );
}
