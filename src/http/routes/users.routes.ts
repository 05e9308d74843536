import { z } from 'zod';
import { roleList } from '../../auth/roles.ts';
import { createUserAs, listUsersAs, resetPasswordAs } from '../../auth/user.service.ts';
import { requirePermission, type ServerDeps, type ZodApp } from '../context.ts';
import { divisionCode, pageOf, pageQuery, text, userSchema, uuidParam } from '../schemas.ts';

const adminUser = userSchema.extend({ disabled: z.boolean(), locked: z.boolean(), createdAt: z.string() });

export function registerUserRoutes(app: ZodApp, { store }: ServerDeps): void {
  app.get(
    '/api/users',
    {
      schema: {
        tags: ['用户'],
        summary: '用户列表（系统管理员，本人区划内）',
        querystring: pageQuery,
        response: { 200: pageOf(adminUser) },
      },
    },
    async (request) => ({
      ...(await listUsersAs(store, requirePermission(request, 'users.manage'), request.query)),
      totalExact: true,
    }),
  );

  app.post(
    '/api/users',
    {
      schema: {
        tags: ['用户'],
        summary: '新建用户：返回一次性密码（只显示这一次，首次登录须修改）',
        body: z.object({
          username: z
            .string()
            .regex(/^[a-z][a-z0-9_.-]{2,31}$/, '用户名须为 3–32 位小写字母、数字、._-，以字母开头'),
          displayName: text(40).pipe(z.string().min(1, '请输入姓名')),
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
}
