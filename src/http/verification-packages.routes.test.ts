import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { keyIdOf, type SigningKey } from '../audit/signing-key.ts';
import { fixedClock, setClock } from '../core/clock.ts';
import { rawPublicKeyHex } from '../verification/exchange/exchange.keys.ts';
import { ANSWER_FORMAT, signPackage, type RequestPayload } from '../verification/exchange/package.ts';
import { authorise, request, seedHousehold } from '../verification/verification.fixtures.ts';
import { addUser, loginAs, testServer, type Agent } from './test-helpers.ts';

interface ErrorBody {
  error: { code: string; message: string };
}

/**
 * 异地协查 through the API: our key shown, the other region's registered, a request's package exported, a
 * tampered answer refused (422, audited), the genuine one imported; only verification staff may.
 */
describeStores('verification package routes', (ctx) => {
  let app: FastifyInstance;
  let officer: Agent;
  let street: Agent;
  let restore: () => void;
  let request_: { id: string; requestNo: string };
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const suzhou: SigningKey = { privateKey, publicKey, keyId: keyIdOf(publicKey) };

  beforeAll(async () => {
    restore = setClock(fixedClock('2026-12-01T10:00:00+08:00'));
    app = await testServer(ctx.store, { MINZHENG_DATA_DIR: mkdtempSync(join(tmpdir(), 'mz-exchange-api-')) });
    await addUser(ctx.store, 'hd', 'verification_officer', '310110');
    await addUser(ctx.store, 'kj', 'street_caseworker', '310110012');
    officer = await loginAs(app, 'hd');
    street = await loginAs(app, 'kj');
    const seeded = await seedHousehold(ctx.store, `API${ctx.kind}`);
    await authorise(ctx.store, seeded, { signedOn: '2026-11-20' });
    request_ = await request(ctx.store, seeded);
  });
  afterAll(async () => {
    restore();
    await app.close();
  });

  it('shows our key and registers theirs; a street caseworker may do neither', async () => {
    const own = await officer.get('/api/verifications/exchange-key');
    expect(own.statusCode).toBe(200);
    expect(own.json<{ publicKey: string }>().publicKey).toMatch(/^[0-9a-f]{64}$/);
    expect((await street.get('/api/verifications/exchange-key')).statusCode).toBe(403);
    const body = {
      region: '320500',
      authority: '苏州市居民家庭经济状况核对中心',
      publicKey: rawPublicKeyHex(suzhou.publicKey),
      validFrom: '2026-01-01',
    };
    expect((await street.post('/api/verifications/peer-keys', body)).statusCode).toBe(403);
    const added = await officer.post('/api/verifications/peer-keys', body);
    expect(added.statusCode).toBe(201);
    expect(added.json()).toMatchObject({ keyId: suzhou.keyId, status: 'valid' });
    const listed = await officer.get('/api/verifications/peer-keys');
    expect(listed.json<{ items: { keyId: string }[] }>().items.map((k) => k.keyId)).toEqual([suzhou.keyId]);
  });

  it('exports a package, refuses a tampered answer with 422, imports the genuine one', async () => {
    const exported = await officer.post(`/api/verifications/310110/${request_.id}/packages`, {
      toRegion: '320505',
    });
    expect(exported.statusCode).toBe(201);
    const sent = exported.json<{ package: { payload: RequestPayload } }>().package.payload;
    expect(sent).toMatchObject({ requestNo: request_.requestNo, to: { region: '320505' } });

    const file = signPackage(suzhou, {
      format: ANSWER_FORMAT,
      packageId: randomUUID(),
      requestPackageId: sent.packageId,
      issuedAt: '2026-12-01T03:00:00.000Z',
      expiresAt: sent.expiresAt,
      from: { region: '320500', authority: '苏州市居民家庭经济状况核对中心' },
      to: { region: '310110' },
      requestNo: sent.requestNo,
      persons: sent.persons.map((p) => ({ personId: p.personId, status: 'found' as const })),
      answers: [
        {
          personId: sent.persons[0]!.personId,
          kind: 'securities',
          amountFen: 5_000_000,
          reference: '中登 17',
        },
      ],
      gaps: [],
    });
    const tampered = {
      ...file,
      payload: { ...file.payload, answers: [{ ...file.payload.answers[0]!, amountFen: 5 }] },
    };
    const refused = await officer.post('/api/verifications/packages/import', { package: tampered });
    expect(refused.statusCode).toBe(422);
    expect(refused.json<ErrorBody>().error).toMatchObject({ code: 'PACKAGE_REFUSED' });
    expect(refused.json<ErrorBody>().error.message).toContain('签名与内容不符');

    const imported = await officer.post('/api/verifications/packages/import', { package: file });
    expect(imported.statusCode).toBe(200);
    expect(imported.json()).toMatchObject({ requestNo: request_.requestNo, rows: 1, late: false });
    const again = await officer.post('/api/verifications/packages/import', { package: file });
    expect(again.statusCode).toBe(422);
    expect((await street.post('/api/verifications/packages/import', { package: file })).statusCode).toBe(403);
  });
});
