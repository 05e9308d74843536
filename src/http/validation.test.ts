import Fastify from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { serializerCompiler } from 'fastify-type-provider-zod';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { registerErrorHandling } from './plugins/errors.plugin.ts';
import { reasonText } from './schemas.ts';
import { validatorCompiler } from './validation.ts';

async function echoApp() {
  const app = Fastify({ logger: false });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app);
  const zodApp = app.withTypeProvider<ZodTypeProvider>();
  zodApp.post(
    '/echo',
    { schema: { body: z.object({ name: z.string(), tags: z.array(z.string()).optional() }) } },
    (request) => request.body,
  );
  zodApp.get(
    '/find',
    { schema: { querystring: z.object({ q: z.string().optional() }) } },
    (request) => request.query,
  );
  zodApp.post(
    '/unmask',
    { schema: { body: z.object({ purpose: reasonText(4, 200, '用途') }) } },
    (request) => request.body,
  );
  await app.ready();
  return app;
}

describe('text check on every validated request part', () => {
  it('refuses NUL, lone surrogates and control characters with 400 naming the field', async () => {
    const app = await echoApp();
    for (const name of ['a\u0000b', 'x\udfffy', '核对\ud800身份', '地址\u001b', '\u0007']) {
      const response = await app.inject({
        method: 'POST',
        url: '/echo',
        headers: { 'content-type': 'application/json' },
        // JSON.stringify writes a lone surrogate as an escape, as a hostile client would.
        payload: JSON.stringify({ name, tags: ['ok'] }),
      });
      expect(response.statusCode, JSON.stringify(name)).toBe(400);
      const body = response.json<{ error: { code: string; details: { field: string; reason: string }[] } }>();
      expect(body.error.code).toBe('VALIDATION');
      expect(body.error.details[0]?.field).toBe('body.name');
      expect(body.error.details[0]?.reason).toMatch(/[\u4e00-\u9fff]/);
    }
    const nested = await app.inject({
      method: 'POST',
      url: '/echo',
      payload: { name: 'ok', tags: ['a', 'b\u0000'] },
    });
    expect(nested.json<{ error: { details: { field: string }[] } }>().error.details[0]?.field).toBe(
      'body.tags.1',
    );
  });

  it('refuses NUL in a query string', async () => {
    const app = await echoApp();
    const response = await app.inject({ method: 'GET', url: '/find?q=%00' });
    expect(response.statusCode).toBe(400);
    expect(response.json<{ error: { code: string } }>().error.code).toBe('VALIDATION');
  });

  it('hands the handler NFC text', async () => {
    const app = await echoApp();
    const response = await app.inject({ method: 'POST', url: '/echo', payload: { name: 'Jose\u0301' } });
    expect(response.json<{ name: string }>().name).toBe('Jos\u00e9');
  });

  it('counts only visible characters of a reason', async () => {
    const app = await echoApp();
    const invisible = await app.inject({
      method: 'POST',
      url: '/unmask',
      payload: { purpose: '\u200b\u200b\u200b\u200b' },
    });
    expect(invisible.statusCode).toBe(400);
    const spaced = await app.inject({ method: 'POST', url: '/unmask', payload: { purpose: '核 \u200b 对' } });
    expect(spaced.statusCode).toBe(400);
    const fine = await app.inject({ method: 'POST', url: '/unmask', payload: { purpose: '核对身份' } });
    expect(fine.statusCode).toBe(200);
  });
});
