import { z } from 'zod';
import { changePassword, login, logout, recordRefusedLogin } from '../../auth/auth.service.ts';
import { presentUser } from '../../auth/user.service.ts';
import { requireUser, SESSION_COOKIE, type ServerDeps, type ZodApp } from '../context.ts';
import { AppError } from '../errors.ts';
import { userSchema } from '../schemas.ts';

const sessionResponse = z.object({ user: userSchema, csrfToken: z.string() });

export function registerAuthRoutes(app: ZodApp, { config, store }: ServerDeps): void {
  const secure = config.MINZHENG_COOKIE_SECURE === 'true';

  app.post(
    '/api/auth/login',
    {
      schema: {
        tags: ['登录'],
        summary: '登录',
        description: '连续失败 5 次锁定 15 分钟（可配置）。成功后设置 httpOnly Cookie mz_session。',
        body: z.object({
          username: z.string().trim().min(1, '请输入用户名').max(64),
          password: z.string().min(1, '请输入密码').max(256),
        }),
        response: { 200: sessionResponse },
      },
      // A refused body still reaches the handler, which audits the attempt before answering 400.
      attachValidation: true,
      // A body that is not JSON at all never reaches it: audited here.
      onError: async (request, _reply, error) => {
        // Not every error that reaches here is Fastify's own: read the code defensively.
        const code: unknown = error.code;
        if (typeof code === 'string' && code.startsWith('FST_ERR_CTP_')) {
          await recordRefusedLogin(store, undefined, { requestId: request.id });
        }
      },
    },
    async (request, reply) => {
      if (request.validationError) {
        const typed: unknown = request.body;
        const username =
          typed !== null && typeof typed === 'object' && 'username' in typed ? typed.username : '';
        await recordRefusedLogin(store, username, { requestId: request.id });
        throw request.validationError;
      }
      const result = await login(store, config, request.body, { requestId: request.id });
      reply.setCookie(SESSION_COOKIE, result.token, {
        httpOnly: true,
        sameSite: 'strict',
        secure,
        path: '/',
        expires: result.expiresAt,
      });
      return { user: presentUser(result.user), csrfToken: result.csrfToken };
    },
  );

  app.post(
    '/api/auth/logout',
    { schema: { tags: ['登录'], summary: '退出登录（会话在服务端作废）', response: { 204: z.null() } } },
    async (request, reply) => {
      if (!request.auth) throw new AppError('AUTH_REQUIRED');
      await logout(store, request.auth, { requestId: request.id });
      reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure });
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/auth/me',
    {
      schema: {
        tags: ['登录'],
        summary: '当前用户、权限、菜单与 CSRF 令牌',
        response: { 200: sessionResponse },
      },
    },
    (request) => {
      const user = requireUser(request);
      return { user: presentUser(user), csrfToken: request.auth?.csrfToken ?? '' };
    },
  );

  app.post(
    '/api/auth/password',
    {
      schema: {
        tags: ['登录'],
        summary: '修改本人密码（首次登录须修改）',
        body: z.object({
          currentPassword: z.string().min(1).max(256),
          newPassword: z.string().min(1).max(256),
        }),
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      requireUser(request);
      if (!request.auth) throw new AppError('AUTH_REQUIRED');
      await changePassword(store, config, request.auth, request.body, { requestId: request.id });
      return reply.status(204).send(null);
    },
  );
}
