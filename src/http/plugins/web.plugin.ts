import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { apiNotFound } from './errors.plugin.ts';

const START_PAGE = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>智慧民政 Minzheng</title>
<style>body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;max-width:40rem;margin:4rem auto;line-height:1.7;color:#1f2937}
a{color:#2563eb}code{background:#f3f4f6;padding:0 .3em}</style></head>
<body><h1>智慧民政 Minzheng</h1>
<p>服务已启动。管理控制台尚未构建（缺少 <code>web/dist</code>），构建后刷新本页即可使用：<code>npx vite build --config web/vite.config.ts</code>。</p>
<ul><li><a href="/api/docs">接口文档（OpenAPI，可在线调试）</a></li>
<li><a href="/api/health">健康检查 /api/health</a></li></ul></body></html>`;

const isApi = (url: string) => url === '/api' || url.startsWith('/api/') || url.startsWith('/api?');

/**
 * The console: files from web/dist (@fastify/static keeps every path inside the root, so "../" cannot
 * escape it) and index.html for any other non-API GET so that client-side routes survive a reload.
 * Without web/dist, `/` shows a small start page.
 */
export async function registerWeb(app: FastifyInstance, webDist: string): Promise<void> {
  const root = resolve(webDist);
  const built = existsSync(resolve(root, 'index.html'));
  if (built) {
    await app.register(fastifyStatic, { root, prefix: '/', wildcard: false, index: ['index.html'] });
  } else {
    app.get('/', { schema: { hide: true } }, (_request, reply) =>
      reply.type('text/html; charset=utf-8').send(START_PAGE),
    );
  }
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    if (isApi(request.url) || !built || (request.method !== 'GET' && request.method !== 'HEAD')) {
      return apiNotFound(request, reply);
    }
    return reply.type('text/html; charset=utf-8').sendFile('index.html', root);
  });
}
