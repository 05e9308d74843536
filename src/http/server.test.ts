import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { buildServer } from './server.ts';
import { addUser, loginAs, testConfig, testServer, type Agent } from './test-helpers.ts';

interface OpenApi {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<
    string,
    Record<string, { responses?: Record<string, unknown>; parameters?: { name: string; in: string }[] }>
  >;
}

/** The contract's endpoints (api-contract.md) the server must serve and document. */
const CONTRACT_PATHS = [
  'get /api/health',
  'post /api/auth/login',
  'post /api/auth/logout',
  'get /api/auth/me',
  'get /api/divisions/{code}/children',
  'get /api/persons',
  'get /api/persons/{id}',
  'post /api/persons/{id}/unmask',
  'get /api/households',
  'get /api/households/{id}',
  'get /api/audit',
  'get /api/users',
  'post /api/users',
  'post /api/users/{id}/reset-password',
  'post /api/households/import',
  'get /api/households/export',
  'get /api/statistics/population',
  'get /api/policy/programs',
  'post /api/policy/calculate',
  'get /api/policy/households/{id}/calculate',
  'get /api/policy/parameters',
];

describeStores('server hardening', (ctx) => {
  let app: FastifyInstance;
  let admin: Agent;
  let webRoot: string;
  let web: FastifyInstance;
  beforeAll(async () => {
    app = await testServer(ctx.store, { MINZHENG_BODY_LIMIT_KB: '16' });
    await addUser(ctx.store, 'boss', 'admin', '310110');
    admin = await loginAs(app, 'boss');
    webRoot = mkdtempSync(join(tmpdir(), 'mz-web-'));
    mkdirSync(join(webRoot, 'dist', 'assets'), { recursive: true });
    writeFileSync(join(webRoot, 'dist', 'index.html'), '<!doctype html><title>console</title>');
    writeFileSync(join(webRoot, 'dist', 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(webRoot, 'secret.txt'), 'TOP-SECRET');
    web = await buildServer({
      config: testConfig(),
      store: ctx.store,
      logger: false,
      webDist: join(webRoot, 'dist'),
    });
    web.get('/api/test/boom', () => {
      throw new Error('connection to 10.0.0.5 failed: password=hunter2');
    });
    await web.ready();
  });
  afterAll(async () => {
    await app.close();
    await web.close();
  });

  it('health reports the database kind', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/health' });
    expect(response.json()).toEqual({ status: 'ok', database: ctx.kind, version: '0.1.0' });
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses an oversized body with 413', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ username: 'x', password: 'y'.repeat(20 * 1024) }),
    });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({
      error: { code: 'PAYLOAD_TOO_LARGE', message: '请求体或上传文件过大' },
    });
  });

  it('refuses malformed JSON with 400', async () => {
    for (const payload of ['{"username": "a", ', '{username: a}', '']) {
      const response = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { 'content-type': 'application/json' },
        payload,
      });
      expect(response.statusCode, payload).toBe(400);
      expect(response.json<{ error: { code: string } }>().error.code).toMatch(/MALFORMED_JSON|VALIDATION/);
    }
  });

  it('names invalid fields in Chinese', async () => {
    const response = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: '' } });
    expect(response.statusCode).toBe(400);
    const body = response.json<{ error: { code: string; message: string; details: { field: string }[] } }>();
    expect(body.error.code).toBe('VALIDATION');
    expect(body.error.details.map((d) => d.field)).toEqual(
      expect.arrayContaining(['body.username', 'body.password']),
    );
  });

  it('an unknown error is a 500 INTERNAL that leaks nothing', async () => {
    const response = await web.inject({ method: 'GET', url: '/api/test/boom' });
    expect(response.statusCode).toBe(500);
    const body = response.json<{ error: { code: string; requestId: string } }>();
    expect(body.error.code).toBe('INTERNAL');
    expect(body.error.requestId).toBe(response.headers['x-request-id']);
    expect(response.body).not.toMatch(/hunter2|10\.0\.0\.5|stack|at .*\.ts/);
  });

  it('unknown API paths are a JSON 404', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/nope' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ error: { code: 'ROUTE_NOT_FOUND' } });
  });

  it('serves the console with SPA fallback and no way out of its folder', async () => {
    expect((await web.inject({ method: 'GET', url: '/' })).body).toContain('console');
    const asset = await web.inject({ method: 'GET', url: '/assets/app.js' });
    expect(asset.body).toBe('console.log(1)');
    expect(asset.headers['cache-control']).toContain('immutable');
    const missing = await web.inject({ method: 'GET', url: '/assets/app-old.js' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: { code: 'FILE_NOT_FOUND' } });
    const deep = await web.inject({ method: 'GET', url: '/households/123' });
    expect(deep.statusCode).toBe(200);
    expect(deep.body).toContain('<title>console</title>');
    expect(deep.headers['cache-control']).toBe('no-cache');
    for (const url of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt',
      '/..%5csecret.txt',
      '/assets/....//....//secret.txt',
    ]) {
      const response = await web.inject({ method: 'GET', url });
      expect(response.body, url).not.toContain('TOP-SECRET');
    }
    const api = await web.inject({ method: 'GET', url: '/api/../secret.txt' });
    expect(api.body).not.toContain('TOP-SECRET');
  });

  it('without a built console, / is a Chinese start page', async () => {
    const response = await app.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('/api/docs');
    expect(response.body).toContain('智慧民政');
  });

  it('publishes a valid OpenAPI 3.1 document listing every route, and the docs page', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json<OpenApi>();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toContain('Minzheng');
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method} ${path}`),
    );
    expect(operations).toEqual(expect.arrayContaining(CONTRACT_PATHS));
    for (const [path, ops] of Object.entries(doc.paths)) {
      const pathParams = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(ops)) {
        expect(Object.keys(op.responses ?? {}).length, `${method} ${path} responses`).toBeGreaterThan(0);
        const declared = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
        expect(declared.sort(), `${method} ${path} path parameters`).toEqual([...pathParams].sort());
      }
    }
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/([^"]+)"/g)].map((m) => m[1] ?? '');
    for (const ref of refs) {
      const target = ref
        .split('/')
        .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], doc);
      expect(target, ref).toBeDefined();
    }
    const docs = await app.inject({ method: 'GET', url: '/api/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger');
  });

  it('treats SQL and HTML injection strings as data in every text field', async () => {
    const nasty = [
      "'; DROP TABLE persons; --",
      "' OR '1'='1",
      '<script>alert(1)</script>',
      '"><img src=x onerror=alert(1)>',
      '%27%20OR%201=1--',
      '\\u0000',
      "张三'); DELETE FROM users; --",
    ];
    const before = (await admin.get('/api/users?limit=200')).json<{ total: number }>().total;
    for (const value of nasty) {
      const q = encodeURIComponent(value);
      for (const url of [
        `/api/persons?q=${q}`,
        `/api/households?q=${q}`,
        `/api/audit?entity=${q}&actor=${q}`,
      ]) {
        const response = await admin.get(url);
        expect([200, 400], url).toContain(response.statusCode);
        expect(response.headers['content-type']).toMatch(/application\/json/);
        if (response.statusCode === 200) expect(response.json<{ total: number }>().total).toBe(0);
      }
      const login = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: value, password: value },
      });
      expect([400, 401]).toContain(login.statusCode);
      const user = await admin.post('/api/users', {
        username: value,
        displayName: value,
        role: 'admin',
        divisionCode: '310110',
      });
      expect(user.statusCode).toBe(400);
      const unmask = await admin.post('/api/persons/00000000-0000-4000-8000-000000000000/unmask', {
        purpose: value,
      });
      expect([400, 404]).toContain(unmask.statusCode);
      expect((await admin.get(`/api/persons/${q}`)).statusCode).toBe(400);
      expect((await admin.get(`/api/divisions/${q}/children`)).statusCode).toBe(400);
    }
    // A display name is free text: stored and returned as data, byte for byte.
    const created = await admin.post('/api/users', {
      username: 'html.name',
      displayName: "<b>王</b>'); --",
      role: 'auditor',
      divisionCode: '310110',
    });
    expect(created.statusCode).toBe(201);
    expect(created.json<{ user: { displayName: string } }>().user.displayName).toBe("<b>王</b>'); --");
    expect(created.headers['content-type']).toMatch(/application\/json/);
    expect((await admin.get('/api/users?limit=200')).json<{ total: number }>().total).toBe(before + 1);
    expect((await app.inject({ method: 'GET', url: '/api/health' })).statusCode).toBe(200);
  });
});
