import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpSource } from './http.source.ts';
import type { SourceBatch } from './source.ts';

/** A local agency: answers, fails with 500, hangs, or answers a kind the source does not declare. */
const R1 = '11111111-1111-4111-8111-111111111111';
const R2 = '22222222-2222-4222-8222-222222222222';
const P1 = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';

const batch = (ref: string): SourceBatch => ({
  source: 'deposits',
  batchRef: ref,
  queries: [R1, R2].map((requestId) => ({
    districtCode: '310110',
    requestId,
    requestNo: `HD-${requestId.slice(0, 4)}`,
    purpose: 'dibao',
    authorisationRefs: ['auth-1'],
    asOf: '2026-11-20',
    persons: [{ personId: P1, idNumber: '310110197003030011', name: '王大明' }],
  })),
});

describe('HTTP source', () => {
  let server: Server;
  let base: string;
  const seen: { path: string; auth: string | undefined; key: string | undefined; body: unknown }[] = [];
  const hanging: ServerResponse[] = [];

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      req.on('end', () => {
        seen.push({
          path: req.url ?? '',
          auth: req.headers.authorization,
          key: req.headers['idempotency-key'] as string | undefined,
          body: JSON.parse(text) as unknown,
        });
        if (req.url === '/hang') {
          hanging.push(res);
          return;
        }
        if (req.url === '/fail') {
          res.writeHead(500).end('内部错误');
          return;
        }
        const rows =
          req.url === '/wrong-kind'
            ? [{ personId: P1, kind: 'wage', value: 100, reference: 'x' }]
            : [{ personId: P1, kind: 'deposits', value: 1_234_500, reference: '银行-01' }];
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ answered: [{ requestId: R1, rows }], waiting: [R2] }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    hanging.forEach((res) => res.destroy());
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const source = (path: string, timeoutMs = 2000) =>
    new HttpSource('deposits', {
      endpoint: `${base}${path}`,
      token: 'secret-token',
      timeoutMs,
      maxAttempts: 3,
    });

  it('posts the batch once with the bearer token and the batch as Idempotency-Key, and reads the answers', async () => {
    const outcome = await source('/ok').send(batch('job-1#1:deposits'));
    expect(outcome.answered.get(R1)).toEqual([
      { requestId: R1, personId: P1, kind: 'deposits', amountFen: 1_234_500, reference: '银行-01' },
    ]);
    expect(outcome.waiting).toEqual([R2]);
    expect(outcome.failed.size).toBe(0);
    const request = seen.find((s) => s.path === '/ok')!;
    expect(request.auth).toBe('Bearer secret-token');
    expect(request.key).toBe('job-1#1:deposits');
    expect((request.body as { queries: unknown[] }).queries).toHaveLength(2);
  });

  it('fails every request of the batch on a 500, with the status in Chinese', async () => {
    const outcome = await source('/fail').send(batch('job-1#2:deposits'));
    expect([...outcome.failed.keys()]).toEqual([R1, R2]);
    expect(outcome.failed.get(R1)).toBe('银行业金融机构接口答复 HTTP 500：内部错误');
  });

  it('leaves the requests sent when the source hangs past its timeout (the job then times them out)', async () => {
    const outcome = await source('/hang', 200).send(batch('job-1#3:deposits'));
    expect(outcome.waiting).toEqual([R1, R2]);
    expect(outcome.answered.size + outcome.failed.size).toBe(0);
  });

  it('fails a request answered with a kind the source does not declare', async () => {
    const outcome = await source('/wrong-kind').send(batch('job-1#4:deposits'));
    expect(outcome.answered.has(R1)).toBe(false);
    expect(outcome.failed.get(R1)).toBe(
      '银行业金融机构接口答复格式有误（第 1 行：类别「wage」不是银行业金融机构答复的类别）',
    );
  });

  it('fails the batch when nothing listens there', async () => {
    const outcome = await new HttpSource('deposits', {
      endpoint: 'http://127.0.0.1:1/none',
      token: undefined,
      timeoutMs: 2000,
      maxAttempts: 1,
    }).send(batch('job-1#5:deposits'));
    expect(outcome.failed.get(R1)).toMatch(/^银行业金融机构接口无法连接：/);
  });
});
