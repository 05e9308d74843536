import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { verifyAuditChain } from '../audit/verify.service.ts';
import { selectRows } from '../db/sql.ts';
import { jpegBytes, pdfBytes, pngBytes } from '../files/files.fixtures.ts';
import { stagingFolder } from '../files/staging.ts';
import { multipart } from './multipart.fixtures.ts';
import { addUser, loginAs, seedTwoStreets, testServer, type Agent, type TwoStreets } from './test-helpers.ts';

interface Attachment {
  id: string;
  name: string;
  kind: string;
  kindName: string;
  size: number;
  contentType: string;
  uploadedByName: string;
  removedAt: string | null;
  removalReason: string | null;
}

/**
 * The attachments API on both databases, each with its production file store (the embedded store on disk
 * under the data directory, PostgreSQL in file_blobs), and a 1 MB limit.
 */
describeStores('attachments routes', (ctx) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mz-attach-'));
  let app: FastifyInstance;
  let data: TwoStreets;
  let street: Agent;
  let otherStreet: Agent;
  let otherDistrict: Agent;
  let auditor: Agent;
  let finance: Agent;
  let url: string;

  const upload = (agent: Agent, target: string, file: { name: string; content: Buffer }, fields = {}) => {
    const body = multipart(file, { kind: 'income', ...fields });
    return app.inject({
      method: 'POST',
      url: target,
      headers: { cookie: agent.cookie, 'x-csrf-token': agent.csrf, ...body.headers },
      payload: body.payload,
    });
  };
  const count = async (table: string) => {
    const [row] = await selectRows<{ n: number }>(
      ctx.store.db,
      sql`select count(*)::int as n from ${sql.identifier(table)}`,
    );
    return row?.n ?? 0;
  };
  const contents = () => {
    const root = join(dataDir, 'files');
    if (!existsSync(root)) return 0;
    return readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((p) => /[0-9a-f]{64}$/.test(p))
      .length;
  };
  const written = async () => ({
    files: await count('files'),
    blobs: await count('file_blobs'),
    attachments: await count('attachments'),
    audit: await count('audit_log'),
    contents: contents(),
  });
  const staging = () => (existsSync(stagingFolder(dataDir)) ? readdirSync(stagingFolder(dataDir)) : []);

  beforeAll(async () => {
    app = await testServer(ctx.store, { MINZHENG_DATA_DIR: dataDir, MINZHENG_FILE_MAX_MB: '1' });
    data = await seedTwoStreets(ctx.store);
    url = `/api/attachments/household/${data.a.householdId}`;
    await addUser(ctx.store, 'street_a', 'street_caseworker', '310110012');
    await addUser(ctx.store, 'street_b', 'street_caseworker', '310110016');
    await addUser(ctx.store, 'huangpu', 'admin', '310101');
    await addUser(ctx.store, 'auditor', 'auditor', '310110');
    await addUser(ctx.store, 'finance', 'finance_officer', '310110');
    [street, otherStreet, otherDistrict, auditor, finance] = await Promise.all([
      loginAs(app, 'street_a'),
      loginAs(app, 'street_b'),
      loginAs(app, 'huangpu'),
      loginAs(app, 'auditor'),
      loginAs(app, 'finance'),
    ]);
  });
  afterAll(async () => {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('uploads, lists and downloads an attachment; the same content twice is stored once', async () => {
    const before = await written();
    const response = await upload(street, url, { name: '收入证明.pdf', content: pdfBytes('route') });
    expect(response.statusCode).toBe(201);
    const added = response.json<Attachment>();
    expect(added).toMatchObject({
      name: '收入证明.pdf',
      kind: 'income',
      kindName: '收入证明',
      contentType: 'application/pdf',
      size: pdfBytes('route').length,
      uploadedByName: 'street_a',
    });
    const again = await upload(
      street,
      `/api/attachments/person/${data.a.personId}`,
      { name: '收入证明-副本.PDF', content: pdfBytes('route') },
      { kind: 'identity' },
    );
    expect(again.statusCode).toBe(201);
    const after = await written();
    expect(after.files - before.files).toBe(1);
    expect(after.attachments - before.attachments).toBe(2);
    expect(ctx.kind === 'pglite' ? after.contents - before.contents : after.blobs - before.blobs).toBe(1);
    expect(staging()).toEqual([]);

    const list = (await street.get(url)).json<Attachment[]>();
    expect(list.map((a) => a.id)).toEqual([added.id]);

    const download = await street.get(`${url}/${added.id}/content`);
    expect(download.statusCode).toBe(200);
    expect(download.rawPayload.equals(pdfBytes('route'))).toBe(true);
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(download.headers['content-disposition']).toBe(
      `attachment; filename="____.pdf"; filename*=UTF-8''${encodeURIComponent('收入证明.pdf')}`,
    );
    expect(download.headers['cache-control']).toBe('private, no-store');
  });

  it('audits every download: who took which file of which record', async () => {
    const added = (
      await upload(street, url, { name: '身份证.jpg', content: jpegBytes() }, { kind: 'identity' })
    ).json<Attachment>();
    expect((await auditor.get(`${url}/${added.id}/content`)).statusCode).toBe(200);
    const rows = await selectRows<{
      actor_id: string;
      entity_type: string;
      entity_id: string;
      district_code: string;
      reason: string;
      after: Record<string, unknown>;
    }>(
      ctx.store.db,
      sql`select a.actor_id, a.entity_type, a.entity_id, a.district_code, a.reason, a.after
          from audit_log a join users u on u.id::text = a.actor_id
          where a.action = 'attachment.downloaded' and u.username = 'auditor'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      entity_type: 'attachment',
      entity_id: added.id,
      district_code: '310110',
      reason: '下载附件',
      after: { entityType: 'household', entityId: data.a.householdId, name: '身份证.jpg' },
    });
    expect((await verifyAuditChain(ctx.store)).ok).toBe(true);
  });

  it("another district's or street's user gets 404 for list, download, upload and remove; a role without the registry 403", async () => {
    const added = (
      await upload(street, url, { name: 'scoped.png', content: pngBytes(1) })
    ).json<Attachment>();
    const before = await written();
    for (const agent of [otherDistrict, otherStreet]) {
      expect((await agent.get(url)).statusCode).toBe(404);
      expect((await agent.get(`${url}/${added.id}/content`)).statusCode).toBe(404);
      expect((await agent.get(`${url}/${added.id}/content?district=310110`)).statusCode).toBe(404);
      const refused = await upload(agent, url, { name: 'x.pdf', content: pdfBytes('x') });
      expect(refused.statusCode).toBe(404);
      expect(refused.json<{ error: { message: string } }>().error.message).toMatch(
        /^(记录不存在|家庭户不存在或不在您的数据范围内)$/,
      );
      expect((await agent.post(`${url}/${added.id}/remove`, { reason: '越权移除' })).statusCode).toBe(404);
    }
    expect((await finance.get(url)).statusCode).toBe(403);
    // The auditor may read but not attach.
    expect((await upload(auditor, url, { name: 'x.pdf', content: pdfBytes('x') })).statusCode).toBe(403);
    expect(await written()).toEqual(before);
    expect(staging()).toEqual([]);
  });

  it('refuses content that does not match its name with 415 in Chinese, writing nothing', async () => {
    const before = await written();
    const response = await upload(
      street,
      url,
      { name: '授权书.pdf', content: pngBytes(2) },
      { kind: 'authorisation' },
    );
    expect(response.statusCode).toBe(415);
    expect(response.json<{ error: { code: string; message: string } }>().error).toMatchObject({
      code: 'FILE_CONTENT_MISMATCH',
      message:
        '文件「授权书.pdf」的内容与文件名不符：文件名表明是PDF 文档，实际内容是PNG 图片。请确认文件没有被改名或损坏后重新上传',
    });
    const exe = await upload(street, url, { name: 'setup.exe', content: Buffer.from('MZ') });
    expect(exe.statusCode).toBe(415);
    expect(exe.json<{ error: { code: string } }>().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(await written()).toEqual(before);
    expect(staging()).toEqual([]);
  });

  it('refuses a file over MINZHENG_FILE_MAX_MB with 413, an unknown kind with 400, writing nothing', async () => {
    const before = await written();
    const big = Buffer.concat([pdfBytes('big'), Buffer.alloc(1024 * 1024)]);
    const response = await upload(street, url, { name: '大.pdf', content: big });
    expect(response.statusCode).toBe(413);
    expect(response.json<{ error: { message: string } }>().error.message).toBe(
      '文件「大.pdf」超过 1 MB 的上限',
    );
    const kind = await upload(street, url, { name: 'a.pdf', content: pdfBytes('k') }, { kind: 'selfie' });
    expect(kind.statusCode).toBe(400);
    const none = await app.inject({
      method: 'POST',
      url,
      headers: {
        cookie: street.cookie,
        'x-csrf-token': street.csrf,
        ...multipart(null, { kind: 'income' }).headers,
      },
      payload: multipart(null, { kind: 'income' }).payload,
    });
    expect(none.statusCode).toBe(400);
    expect(await written()).toEqual(before);
    expect(staging()).toEqual([]);
  });

  it('removes with a reason (audited), keeps the file, and lists removed attachments on request', async () => {
    const added = (
      await upload(street, url, { name: '错传.pdf', content: pdfBytes('wrong') })
    ).json<Attachment>();
    expect((await street.post(`${url}/${added.id}/remove`, { reason: '' })).statusCode).toBe(400);
    const removed = await street.post(`${url}/${added.id}/remove`, { reason: '上传错了文件' });
    expect(removed.statusCode).toBe(200);
    expect(removed.json<Attachment>()).toMatchObject({ removalReason: '上传错了文件' });
    expect((await street.post(`${url}/${added.id}/remove`, { reason: '再移除一次' })).statusCode).toBe(409);
    expect((await street.get(url)).json<Attachment[]>().map((a) => a.id)).not.toContain(added.id);
    const all = (await street.get(`${url}?removed=true`)).json<Attachment[]>();
    expect(all.find((a) => a.id === added.id)?.removedAt).not.toBeNull();
    expect((await street.get(`${url}/${added.id}/content`)).statusCode).toBe(200);
    const [row] = await selectRows<{ reason: string; entity_id: string }>(
      ctx.store.db,
      sql`select reason, entity_id from audit_log where action = 'attachment.removed' order by id desc limit 1`,
    );
    expect(row).toEqual({ reason: '上传错了文件', entity_id: added.id });
  });

  it('says which kinds and types it takes', async () => {
    const response = (await street.get('/api/attachments/kinds')).json<{
      kinds: { name: string }[];
      maxBytes: number;
    }>();
    expect(response.kinds.map((k) => k.name)).toContain('授权书');
    expect(response.maxBytes).toBe(1024 * 1024);
  });
});
