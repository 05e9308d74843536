import { z } from 'zod';
import { levelsOf, roleList, ROLES } from '../../auth/roles.ts';
import { userPolicy } from '../../auth/policies/user.policy.ts';
import { divisionsInReach } from '../../auth/user-division.ts';
import { createUserAs, listUsersAs, resetPasswordAs } from '../../auth/user.service.ts';
import { updateUserAs } from '../../auth/user-update.service.ts';
import { requirePermission, type ServerDeps, type ZodApp } from '../context.ts';
import { divisionCode, pageOf, pageQuery, reasonText, text, userSchema, uuidParam } from '../schemas.ts';

const adminUser = userSchema.extend({ disabled: z.boolean(), locked: z.boolean(), createdAt: z.string() });
const userLevel = z.enum(['city', 'district', 'street', 'committee']);
const displayName = text(40).pipe(z.string().min(1, '请输入姓名'));

const listQuery = pageQuery.extend({
  q: text(40).optional().describe('用户名或姓名的一部分'),
  role: z.enum(roleList).optional(),
  status: z
    .enum(['active', 'disabled', 'locked'])
    .optional()
    .describe('active 正常、disabled 已停用、locked 已锁定'),
  division: divisionCode.optional().describe('本人管辖范围内的区划：该区划及其下级的用户'),
});

const updateBody = z
  .object({
    displayName: displayName.optional(),
    role: z.enum(roleList).optional(),
    divisionCode: divisionCode.optional(),
    disabled: z.boolean().optional().describe('true 停用（结束其全部会话），false 启用'),
    unlock: z.literal(true).optional().describe('解除登录失败锁定'),
    reason: reasonText(2, 200, '修改原因'),
  })
  .strict();

export function registerUserRoutes(app: ZodApp, { store }: ServerDeps): void {
  app.get(
    '/api/users',
    {
      schema: {
        tags: ['用户'],
        summary: '用户列表（系统管理员，本人管辖范围内；可按姓名、角色、状态、区划筛选）',
        querystring: listQuery,
        response: { 200: pageOf(adminUser) },
      },
    },
    async (request) => {
      const { division, ...query } = request.query;
      const admin = requirePermission(request, 'users.manage');
      return { ...(await listUsersAs(store, admin, { ...query, divisionCode: division })), totalExact: true };
    },
  );

  app.post(
    '/api/users',
    {
      schema: {
        tags: ['用户'],
        summary: '新建用户：返回一次性密码（只显示这一次，首次登录须修改）',
        description: '角色须与区划层级相符；只能在本人管辖范围内创建权限不超过本人的用户。',
        body: z.object({
          username: z
            .string()
            .regex(/^[a-z][a-z0-9_.-]{2,31}$/, '用户名须为 3–32 位小写字母、数字、._-，以字母开头'),
          displayName,
          role: z.enum(roleList),
          divisionCode,
        }),
        response: { 201: z.object({ user: adminUser, password: z.string() }) },
      },
    },
    async (request, reply) => {
      const admin = requirePermission(request, 'users.manage');
      const created = await createUserAs(store, admin, request.body, request.id);
      return reply.status(201).send(created);
    },
  );

  app.patch(
    '/api/users/:id',
    {
      schema: {
        tags: ['用户'],
        summary: '修改用户：停用/启用、解锁、角色与区划、姓名（须说明原因，记审计）',
        description:
          '用户须在本人管辖范围内（否则 404），修改后仍须在范围内（否则 403）；停用或更改角色、区划会结束该用户全部会话；不能停用本人或更改本人的角色、区划。',
        params: uuidParam,
        body: updateBody,
        response: { 200: z.object({ user: adminUser }) },
      },
    },
    async (request) => {
      const admin = requirePermission(request, 'users.manage');
      return { user: await updateUserAs(store, admin, request.params.id, request.body, request.id) };
    },
  );

  app.post(
    '/api/users/:id/reset-password',
    {
      schema: {
        tags: ['用户'],
        summary: '重置密码：返回新的一次性密码，结束该用户所有会话',
        params: uuidParam,
        response: { 200: z.object({ password: z.string() }) },
      },
    },
    (request) =>
      resetPasswordAs(store, requirePermission(request, 'users.manage'), request.params.id, request.id),
  );

  app.get(
    '/api/users/roles',
    {
      schema: {
        tags: ['用户'],
        summary: '本人可分配的角色及各角色允许的区划层级',
        response: {
          200: z.object({
            items: z.array(
              z.object({ role: z.enum(roleList), name: z.string(), levels: z.array(userLevel) }),
            ),
          }),
        },
      },
    },
    (request) => {
      const admin = requirePermission(request, 'users.manage');
      const items = roleList
        .filter((role) => userPolicy.roleWithin(admin.role, role))
        .map((role) => ({ role, name: ROLES[role], levels: [...levelsOf(role)] }));
      return { items };
    },
  );

  app.get(
    '/api/users/divisions',
    {
      schema: {
        tags: ['用户'],
        summary:
          '本人可分配的区划：不带 parent 时为本人区划（市级管理员为上海市 310000），带 parent 时为其下级',
        querystring: z.object({ parent: divisionCode.optional() }),
        response: {
          200: z.array(z.object({ code: z.string(), name: z.string(), level: userLevel, leaf: z.boolean() })),
        },
      },
    },
    (request) => {
      const admin = requirePermission(request, 'users.manage');
      return divisionsInReach(admin, request.query.parent);
    },
  );
}
