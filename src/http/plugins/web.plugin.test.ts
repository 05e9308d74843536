import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerErrorHandling } from './errors.plugin.ts';
import { registerSecurityHeaders } from './security.plugin.ts';
import { IMMUTABLE, isFileRequest, registerWeb, REVALIDATE } from './web.plugin.ts';

/** A server with the console plugin only (no database): the same plugins buildServer registers around it. */
async function webServer(dist: string): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  registerErrorHandling(app);
  registerSecurityHeaders(app, { secureCookies: false });
  app.get('/api/ping', () => ({ ok: true }));
  await registerWeb(app, dist);
  await app.ready();
  return app;
}

describe('console files (web/dist)', () => {
  let root: string;
  let dist: string;
  let app: FastifyInstance;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'mz-web-'));
    dist = join(root, 'dist');
    mkdirSync(join(dist, 'assets'), { recursive: true });
    mkdirSync(join(dist, '.vite'), { recursive: true });
    writeFileSync(
      join(dist, 'index.html'),
      '<!doctype html><script src="/assets/index-AAAA1111.js"></script>',
    );
    writeFileSync(join(dist, 'assets', 'index-AAAA1111.js'), 'console.log("v1")');
    writeFileSync(join(dist, '.vite', 'manifest.json'), '{}');
    writeFileSync(join(root, 'secret.txt'), 'TOP-SECRET');
    app = await webServer(dist);
  });
  afterAll(async () => {
    await app.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('sends index.html for / and for console routes, revalidated on every load', async () => {
    for (const url of ['/', '/index.html', '/households/123', '/persons?q=zs', '/assets']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
      expect(response.body, url).toContain('index-AAAA1111.js');
      expect(response.headers['content-type'], url).toMatch(/^text\/html/);
      expect(response.headers['cache-control'], url).toBe(REVALIDATE);
    }
  });

  it('sends hashed assets with a long immutable cache', async () => {
    const response = await app.inject({ method: 'GET', url: '/assets/index-AAAA1111.js' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('console.log("v1")');
    expect(response.headers['content-type']).toMatch(/javascript/);
    expect(response.headers['cache-control']).toBe(IMMUTABLE);
    const head = await app.inject({ method: 'HEAD', url: '/assets/index-AAAA1111.js' });
    expect(head.statusCode).toBe(200);
  });

  it('answers 404 for a missing file, never index.html', async () => {
    for (const url of [
      '/assets/index-GONE0000.js',
      '/assets/chunk',
      '/assets/',
      '/favicon.ico',
      '/x/y.css',
    ]) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(404);
      expect(response.body, url).not.toContain('<!doctype html>');
      expect(response.json(), url).toMatchObject({
        error: { code: 'FILE_NOT_FOUND', message: '文件不存在' },
      });
      expect(response.headers['cache-control'], url).toBeUndefined();
    }
  });

  it('serves a rebuilt console from disk without a restart', async () => {
    writeFileSync(join(dist, 'assets', 'index-BBBB2222.js'), 'console.log("v2")');
    writeFileSync(
      join(dist, 'index.html'),
      '<!doctype html><script src="/assets/index-BBBB2222.js"></script>',
    );
    rmSync(join(dist, 'assets', 'index-AAAA1111.js'));
    const page = await app.inject({ method: 'GET', url: '/dashboard' });
    expect(page.body).toContain('index-BBBB2222.js');
    const fresh = await app.inject({ method: 'GET', url: '/assets/index-BBBB2222.js' });
    expect(fresh.statusCode).toBe(200);
    expect(fresh.body).toBe('console.log("v2")');
    expect((await app.inject({ method: 'GET', url: '/assets/index-AAAA1111.js' })).statusCode).toBe(404);
  });

  it('keeps every path inside the folder, and hidden build files out', async () => {
    for (const url of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt',
      '/..%5csecret.txt',
      '/assets/....//....//secret.txt',
      '/assets//../../secret.txt',
      '/api/../secret.txt',
      '/.vite/manifest.json',
    ]) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.body, url).not.toContain('TOP-SECRET');
      expect(response.statusCode, url).toBe(404);
      expect(response.json(), url).toMatchObject({ error: { code: 'FILE_NOT_FOUND' } });
    }
  });

  it('leaves the API alone: its routes answer, unknown API paths and other methods are a JSON 404', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/ping' })).json()).toEqual({ ok: true });
    for (const [method, url] of [
      ['GET', '/api/nope'],
      ['GET', '/api/index.html'],
      ['POST', '/households'],
    ] as const) {
      const response = await app.inject({ method, url });
      expect(response.statusCode, url).toBe(404);
      expect(response.json(), url).toMatchObject({ error: { code: 'ROUTE_NOT_FOUND' } });
    }
  });
});

describe('console not built yet', () => {
  it('shows the start page at /, and the console once it has been built', async () => {
    const root = mkdtempSync(join(tmpdir(), 'mz-web-'));
    const dist = join(root, 'dist');
    const app = await webServer(dist);
    try {
      const start = await app.inject({ method: 'GET', url: '/' });
      expect(start.statusCode).toBe(200);
      expect(start.body).toContain('管理控制台尚未构建');
      expect((await app.inject({ method: 'GET', url: '/households' })).statusCode).toBe(404);
      mkdirSync(join(dist, 'assets'), { recursive: true });
      writeFileSync(join(dist, 'index.html'), '<!doctype html><title>built</title>');
      const built = await app.inject({ method: 'GET', url: '/households' });
      expect(built.statusCode).toBe(200);
      expect(built.body).toContain('<title>built</title>');
      expect((await app.inject({ method: 'GET', url: '/' })).body).toContain('<title>built</title>');
    } finally {
      await app.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('isFileRequest', () => {
  it('tells files from console routes', () => {
    expect(isFileRequest('/assets/app.js')).toBe(true);
    expect(isFileRequest('/assets/chunk')).toBe(true);
    expect(isFileRequest('/favicon.ico')).toBe(true);
    expect(isFileRequest('/households/123')).toBe(false);
    expect(isFileRequest('/')).toBe(false);
    expect(isFileRequest('/assets')).toBe(false);
  });
});
