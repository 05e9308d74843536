import { randomUUID } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifyMultipart from '@fastify/multipart';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from '../config.ts';
import { attachSessionCache, SessionCache } from '../auth/session-cache.ts';
import { attachParametersInForce } from '../parameter-changes/parameters-in-force.ts';
import type { Store } from '../db/store.ts';
import type { ServerDeps, ZodApp } from './context.ts';
import { registerAuth } from './plugins/auth.plugin.ts';
import { registerErrorHandling } from './plugins/errors.plugin.ts';
import { registerSecurityHeaders } from './plugins/security.plugin.ts';
import { registerWeb } from './plugins/web.plugin.ts';
import { noteRequest } from '../core/activity.ts';
import { routeModules } from './routes/index.ts';
import { validatorCompiler } from './validation.ts';

export interface BuildServerOptions {
  config: Config;
  store: Store;
  /** Overrides config.MINZHENG_WEB_DIST (tests point it at a fixture). */
  webDist?: string;
  /** Pino options or false; defaults to config.LOG_LEVEL. */
  logger?: FastifyServerOptions['logger'];
  version?: string;
}

export const API_VERSION = '0.1.0';

/**
 * Logs carry method, path and status — never query strings (they hold names and ID numbers searched
 * for), bodies, cookies or the CSRF header.
 */
function loggerOptions(config: Config): FastifyServerOptions['logger'] {
  return {
    level: config.LOG_LEVEL,
    redact: {
      paths: ['req.headers.cookie', 'req.headers["x-csrf-token"]', 'res.headers["set-cookie"]'],
      remove: true,
    },
    serializers: {
      req: (req: { method: string; url: string; id: string }) => ({
        id: req.id,
        method: req.method,
        path: req.url.split('?', 1)[0],
      }),
    },
  };
}

/**
 * The server's session cache (session-cache.ts), wired to the store until the server closes; none when
 * MINZHENG_SESSION_CACHE_SECONDS is 0.
 */
async function sessionCache(
  app: FastifyInstance,
  store: Store,
  config: Config,
): Promise<SessionCache | undefined> {
  if (config.MINZHENG_SESSION_CACHE_SECONDS === 0) return undefined;
  const cache = new SessionCache(config.MINZHENG_SESSION_CACHE_SECONDS * 1000);
  const detach = await attachSessionCache(store, cache);
  app.addHook('onClose', async () => {
    await detach().catch(() => undefined);
  });
  return cache;
}

/** The API and console server, ready for `inject` or `listen`; does not listen itself. */
export async function buildServer(options: BuildServerOptions): Promise<FastifyInstance> {
  const { config, store } = options;
  const app = Fastify({
    logger: options.logger ?? loggerOptions(config),
    bodyLimit: config.MINZHENG_BODY_LIMIT_KB * 1024,
    genReqId: () => randomUUID(),
    trustProxy: false,
    routerOptions: { maxParamLength: 200 },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app);
  app.addHook('onRequest', (_request, _reply, done) => {
    noteRequest();
    done();
  });
  registerSecurityHeaders(app, { secureCookies: config.MINZHENG_COOKIE_SECURE === 'true' });

  await app.register(fastifyCookie);
  await app.register(fastifyMultipart, {
    limits: {
      fileSize: config.MINZHENG_MAX_UPLOAD_MB * 1024 * 1024,
      files: 1,
      fields: 10,
      fieldSize: 64 * 1024,
      parts: 12,
      headerPairs: 100,
    },
  });
  const version = options.version ?? API_VERSION;
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: '智慧民政 Minzheng API',
        description:
          '人口信息库、政策计算、审计日志等接口。会话使用 httpOnly Cookie `mz_session`；除登录外的 POST/PUT/PATCH/DELETE 须带请求头 `x-csrf-token`（登录或 /api/auth/me 返回）。',
        version,
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'mz_session' },
          csrf: { type: 'apiKey', in: 'header', name: 'x-csrf-token' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, {
    routePrefix: '/api/docs',
    staticCSP: true,
    uiConfig: { docExpansion: 'list', deepLinking: true },
  });

  const detachParameters = await attachParametersInForce(store);
  app.addHook('onClose', async () => detachParameters().catch(() => undefined));
  registerAuth(app, store, await sessionCache(app, store, config));
  const deps: ServerDeps = { config, store, version };
  await app.register((scoped, _opts, done) => {
    const zodApp: ZodApp = scoped.withTypeProvider<ZodTypeProvider>();
    for (const register of routeModules) register(zodApp, deps);
    done();
  });
  app.get('/api/openapi.json', { schema: { hide: true } }, () => app.swagger());
  await registerWeb(app, options.webDist ?? config.MINZHENG_WEB_DIST);
  return app;
}
