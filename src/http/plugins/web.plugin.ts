import { readFile } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from '../errors.ts';
import { apiNotFound } from './errors.plugin.ts';

const START_PAGE = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>智慧民政 Minzheng</title>
<style>body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;max-width:40rem;margin:4rem auto;line-height:1.7;color:#1f2937}
a{color:#2563eb}code{background:#f3f4f6;padding:0 .3em}</style></head>
<body><h1>智慧民政 Minzheng</h1>
<p>服务已启动。管理控制台尚未构建（缺少 <code>web/dist</code>），构建后刷新本页即可使用：<code>npx vite build --config web/vite.config.ts</code>。</p>
<ul><li><a href="/api/docs">接口文档（OpenAPI，可在线调试）</a></li>
<li><a href="/api/health">健康检查 /api/health</a></li></ul></body></html>`;

/** Vite's hashed build output: a changed file gets a new name, so a cached copy is never stale. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html (and any other unhashed file) is revalidated on every load, so a rebuild shows at once. */
export const REVALIDATE = 'no-cache';

const isApi = (url: string) => url === '/api' || url.startsWith('/api/') || url.startsWith('/api?');

const pathOf = (url: string) => url.split('?', 1)[0] ?? url;

/**
 * A request for a file rather than a page of the console: anything under /assets/, or a last path
 * segment with an extension (app.js, favicon.ico). A missing file is a 404, never index.html — a browser
 * that gets HTML for a script reports a confusing MIME error, and a cache would keep the HTML.
 */
export function isFileRequest(path: string): boolean {
  if (path.startsWith('/assets/')) return true;
  const last = path.slice(path.lastIndexOf('/') + 1);
  return /\.[A-Za-z0-9]+$/.test(last);
}

/**
 * The console: files from web/dist, read from disk on every request (@fastify/static with `wildcard`, no
 * file list taken at start-up, so a rebuilt console with new hashed names is served without a restart);
 * @fastify/static keeps every path inside the root, so "../" cannot escape it. index.html for any other
 * non-API GET so that client-side routes survive a reload; a missing file is a 404. Without
 * web/dist/index.html, `/` shows a small start page (and the console appears once it is built).
 */
export async function registerWeb(app: FastifyInstance, webDist: string): Promise<void> {
  const root = resolve(webDist);
  const assets = resolve(root, 'assets') + sep;
  const indexFile = resolve(root, 'index.html');
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: true,
    index: ['index.html'],
    // .vite/manifest.json and the like: not for the browser (send answers 404, then the handler below).
    dotfiles: 'ignore',
    // Only files are looked up on disk: never an /api path (the API has its own routes), and a console
    // route (no extension) goes straight to the handler below, which answers with index.html.
    allowedPath: (pathname) => !isApi(pathname) && (pathname === '/' || isFileRequest(pathname)),
    suppressWarning: true,
    setHeaders: (reply, path) => {
      reply.header('cache-control', path.startsWith(assets) ? IMMUTABLE : REVALIDATE);
    },
  });
  app.setNotFoundHandler(async (request: FastifyRequest, reply: FastifyReply) => {
    const path = pathOf(request.url);
    if (isApi(path) || (request.method !== 'GET' && request.method !== 'HEAD')) {
      return apiNotFound(request, reply);
    }
    if (isFileRequest(path)) return reply.status(404).send(errorBody('FILE_NOT_FOUND', request.id));
    // Read, not streamed: the page is small, and streaming it from this handler (reached through the static
    // route) puts more 'close' listeners on the response than Node allows without a warning.
    const page = await readFile(indexFile).catch(() => undefined);
    if (page) return reply.type('text/html; charset=utf-8').header('cache-control', REVALIDATE).send(page);
    if (path === '/') return reply.type('text/html; charset=utf-8').send(START_PAGE);
    return apiNotFound(request, reply);
  });
}
