import { randomUUID } from 'node:crypto';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeStores } from '../../../test/support/stores.ts';
import { listAudit } from '../../audit/audit.service.ts';
import type { SigningKey } from '../../audit/signing-key.ts';
import { ALL } from '../../auth/scope.ts';
import { fixedClock, setClock } from '../../core/clock.ts';
import { selectRows } from '../../db/sql.ts';
import type { Store } from '../../db/store.ts';
import { getPerson } from '../../registry/registry.service.ts';
import { inUnitOfWork, type ActingContext } from '../../workflow/unit-of-work.ts';
import type { SourceAdapter, SourceBatch } from '../sources/source.ts';
import type { VerificationCaller } from '../verification.caller.ts';
import { VerificationError } from '../verification.errors.ts';
import {
  authorise,
  OFFICER,
  request,
  seedHousehold,
  STREET_CASEWORKER,
  type SeededHousehold,
} from '../verification.fixtures.ts';
import { answerRequestPackage } from './answer.service.ts';
import { ownExchangeKey, ownKeyView, rawPublicKeyHex } from './exchange.keys.ts';
import { findRemoteQuery } from './exchange.repository.ts';
import { exportRequestPackage, importAnswerPackage, importingPackage } from './exchange.service.ts';
import { addPeerKey, listPeerKeys } from './peer-keys.service.ts';
import {
  ANSWER_FORMAT,
  PackageRefused,
  packageText,
  readEnvelope,
  REQUEST_FORMAT,
  signPackage,
  verifyEnvelope,
  type AnswerPayload,
  type RequestPayload,
} from './package.ts';
import { keyIdOf } from '../../audit/signing-key.ts';
import { generateKeyPairSync } from 'node:crypto';

/**
 * Two regions, two key pairs: we are 杨浦区 (310110, this store); the other region is 苏州市 (320500), whose
 * system is not ours — it reads and writes packages with the pure functions of package.ts alone.
 */

const officer: ActingContext = {
  userId: 'u-officer',
  divisionCode: '310110',
  reason: '异地协查：成员在苏州有财产',
};
const SUZHOU = { region: '320500', authority: '苏州市居民家庭经济状况核对中心' };

function keyPair(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
}

async function count(store: Store, table: string, where = sql`true`): Promise<number> {
  const rows = await selectRows<{ n: number }>(
    store.db,
    sql`select count(*)::int as n from ${sql.identifier(table)} where ${where}`,
  );
  return rows[0]!.n;
}

async function refusal(work: Promise<unknown>): Promise<VerificationError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof VerificationError) return error;
    throw error;
  }
  throw new Error('not refused');
}

describeStores('异地协查 packages', (ctx) => {
  let restore: () => void;
  let seeded: SeededHousehold;
  let requestId: string;
  let ours: SigningKey;
  const suzhou = keyPair();
  const dataDir = mkdtempSync(join(tmpdir(), 'mz-exchange-'));
  let sent: RequestPayload;

  const importAnswer = (file: unknown, caller: VerificationCaller = OFFICER) =>
    importingPackage(ctx.store, officer, (tx) =>
      importAnswerPackage(tx, caller, typeof file === 'string' ? file : packageText(file as never)),
    );

  function answer(over: Partial<AnswerPayload> = {}): AnswerPayload {
    const [head, wife] = sent.persons;
    return {
      format: ANSWER_FORMAT,
      packageId: randomUUID(),
      requestPackageId: sent.packageId,
      issuedAt: '2026-11-21T01:00:00.000Z',
      expiresAt: '2026-12-21T01:00:00.000Z',
      from: SUZHOU,
      to: { region: '310110' },
      requestNo: sent.requestNo,
      persons: sent.persons.map((p) => ({
        personId: p.personId,
        status: p === wife ? 'no_record' : 'found',
      })),
      answers: [
        { personId: head!.personId, kind: 'deposits', amountFen: 8_765_400, reference: '苏核 2026-118' },
        { personId: head!.personId, kind: 'homes', quantity: 1, reference: '苏不动产 2026-7' },
      ],
      gaps: ['证券登记结算机构：需另行答复'],
      ...over,
    };
  }

  async function snapshot() {
    return Promise.all([
      count(ctx.store, 'verification_packages'),
      count(ctx.store, 'verification_answers'),
      count(ctx.store, 'verification_source_queries', sql`source = 'remote' and state = 'answered'`),
      count(ctx.store, 'audit_log'),
    ]);
  }

  beforeAll(async () => {
    restore = setClock(fixedClock('2026-11-21T10:00:00+08:00'));
    ours = ownExchangeKey(dataDir);
    seeded = await seedHousehold(ctx.store, `X${ctx.kind}`);
    await authorise(ctx.store, seeded, { signedOn: '2026-11-01' });
    requestId = (await request(ctx.store, seeded)).id;
  });
  afterAll(() => restore());

  it('keeps our key in a file of mode 0600 under the data directory, the same key on every use', () => {
    const path = join(dataDir, 'verification-exchange-key.pem');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(ownKeyView(ownExchangeKey(dataDir))).toEqual({
      keyId: ours.keyId,
      publicKey: rawPublicKeyHex(ours.publicKey),
    });
  });

  it('refuses to export before the other region’s key is registered, or to a district of our own city', async () => {
    const input = { districtCode: '310110', requestId, toRegion: '320505' };
    const noKey = await refusal(
      inUnitOfWork(ctx.store, officer, (tx) => exportRequestPackage(tx, OFFICER, ours, input)),
    );
    expect(noKey.message).toContain('尚未登记地区 320505 今日有效的公钥');
    const own = await refusal(
      inUnitOfWork(ctx.store, officer, (tx) =>
        exportRequestPackage(tx, OFFICER, ours, { ...input, toRegion: '310104' }),
      ),
    );
    expect(own.message).toContain('本市的地区');
    const street = await refusal(
      inUnitOfWork(ctx.store, officer, (tx) => exportRequestPackage(tx, STREET_CASEWORKER, ours, input)),
    );
    expect(street.message).toContain('没有异地协查的权限');
  });

  it('registers the other region’s key once, refusing a bad key with every problem named', async () => {
    const added = await inUnitOfWork(ctx.store, officer, (tx) =>
      addPeerKey(tx, OFFICER, {
        ...SUZHOU,
        publicKey: rawPublicKeyHex(suzhou.publicKey),
        validFrom: '2026-01-01',
      }),
    );
    expect(added).toMatchObject({
      keyId: suzhou.keyId,
      region: '320500',
      status: 'valid',
      statusName: '有效',
    });
    const again = await refusal(
      inUnitOfWork(ctx.store, officer, (tx) =>
        addPeerKey(tx, OFFICER, { ...SUZHOU, publicKey: rawPublicKeyHex(suzhou.publicKey) }),
      ),
    );
    expect(again.message).toBe(`该公钥已登记（密钥编号 ${suzhou.keyId}）`);
    const bad = await refusal(
      inUnitOfWork(ctx.store, officer, (tx) =>
        addPeerKey(tx, OFFICER, { region: '3205', authority: ' ', publicKey: 'zz', validTo: '2020-01-01' }),
      ),
    );
    expect(bad.problems).toHaveLength(4);
    expect((await listPeerKeys(ctx.store.db, OFFICER)).map((k) => k.keyId)).toEqual([suzhou.keyId]);
  });

  it('exports a signed request package the other region can verify, and waits for it as the remote source', async () => {
    const result = await inUnitOfWork(ctx.store, officer, (tx) =>
      exportRequestPackage(tx, OFFICER, ours, { districtCode: '310110', requestId, toRegion: '320505' }),
    );
    // The other region reads it with our public key, as registered there for 上海市.
    const theirCopyOfOurKey = {
      keyId: ours.keyId,
      region: '310000',
      authority: '上海市',
      publicKey: ours.publicKey,
      validFrom: '2026-01-01',
      validTo: null,
    };
    sent = verifyEnvelope(
      readEnvelope(packageText(result.file)),
      theirCopyOfOurKey,
      REQUEST_FORMAT,
      new Date(),
    );
    expect(sent).toMatchObject({
      from: { region: '310110', authority: '杨浦区居民经济状况核对中心' },
      to: { region: '320505' },
      purpose: 'dibao',
      issuedAt: '2026-11-21T02:00:00.000Z',
      // verification.package_valid_days: 30
      expiresAt: '2026-12-21T02:00:00.000Z',
      authorisation: { signedOn: '2026-11-01' },
    });
    expect(result.peerAuthority).toBe(SUZHOU.authority);
    const head = await getPerson(
      ctx.store.db,
      ALL,
      { districtCode: '310110', id: seeded.adults[0]!.id },
      { unmask: true },
    );
    expect(sent.persons).toHaveLength(3);
    expect(sent.persons[0]).toEqual({ personId: head.id, idNumber: head.idNumber, name: head.name });
    const query = await findRemoteQuery(ctx.store.db, '310110', requestId);
    expect(query).toMatchObject({ state: 'sent', attempts: 1, batchRef: `package:${sent.packageId}` });
    expect(Date.parse(query!.expiresAt!)).toBe(Date.parse(sent.expiresAt));
    const audit = await listAudit(ctx.store, {
      scope: ALL,
      action: 'verification.package_exported',
      limit: 5,
      offset: 0,
    });
    expect(audit.items[0]).toMatchObject({ entityId: sent.packageId });
    expect(JSON.stringify(audit.items[0])).not.toContain(head.idNumber);
  });

  describe('an answer package is refused, with nothing written but the audit row of the refusal,', () => {
    const cases: [string, () => string, string][] = [
      [
        'when one byte of its payload was changed',
        () => packageText(signPackage(suzhou, answer())).replace('8765400', '8765401'),
        'bad_signature',
      ],
      [
        'when it carries no signature',
        () => JSON.stringify({ payload: answer(), keyId: suzhou.keyId }),
        'unsigned',
      ],
      [
        'when signed by a key nobody registered',
        () => packageText(signPackage(keyPair(), answer())),
        'unknown_key',
      ],
      [
        'when expired',
        () => packageText(signPackage(suzhou, answer({ expiresAt: '2026-11-21T01:59:59.000Z' }))),
        'expired',
      ],
      [
        'when it is a request package, not an answer',
        () => packageText(signPackage(suzhou, { ...sent, from: SUZHOU })),
        'wrong_format',
      ],
      [
        'when a row has a kind the other region does not answer',
        () =>
          packageText(
            signPackage(
              suzhou,
              answer({
                answers: [
                  { personId: sent.persons[0]!.personId, kind: 'wage', amountFen: 1, reference: '' },
                ] as never,
              }),
            ),
          ),
        'malformed',
      ],
      [
        'when it answers a package we never sent',
        () => packageText(signPackage(suzhou, answer({ requestPackageId: randomUUID() }))),
        'not_sent',
      ],
      [
        'when it comes from a region we did not ask',
        () => packageText(signPackage(suzhou, answer({ from: { region: '320200', authority: '无锡' } }))),
        'wrong_party',
      ],
    ];
    for (const [what, file, reason] of cases) {
      it(what, async () => {
        const before = await snapshot();
        const error = await refusal(importAnswer(file()));
        expect(error).toBeInstanceOf(PackageRefused);
        expect((error as PackageRefused).reason).toBe(reason);
        expect(error.message).toMatch(/^拒收异地协查包：/);
        const after = await snapshot();
        expect(after).toEqual([before[0], before[1], before[2], before[3] + 1]);
        const audit = await listAudit(ctx.store, {
          scope: ALL,
          action: 'verification.package_refused',
          limit: 1,
          offset: 0,
        });
        expect(audit.items[0]).toMatchObject({ reason: officer.reason });
        expect(JSON.stringify(audit.items[0])).toContain(reason);
      });
    }
  });

  it('imports the answer as the remote source, once: a replay and a second answer are refused', async () => {
    const file = packageText(signPackage(suzhou, answer()));
    const result = await importAnswer(file);
    expect(result).toMatchObject({ requestId, rows: 2, found: 2, noRecord: 1, late: false, complete: false });
    const rows = await selectRows<{
      kind: string;
      amount_fen: number | null;
      quantity: number | null;
      late: boolean;
    }>(
      ctx.store.db,
      sql`select kind, amount_fen::int as amount_fen, quantity, late from verification_answers where request_id = ${requestId} and source = 'remote' order by kind`,
    );
    expect(rows).toEqual([
      { kind: 'deposits', amount_fen: 8_765_400, quantity: null, late: false },
      { kind: 'homes', amount_fen: null, quantity: 1, late: false },
    ]);
    const query = await findRemoteQuery(ctx.store.db, '310110', requestId);
    expect(query).toMatchObject({ state: 'answered', error: '对方未能答复：证券登记结算机构：需另行答复' });

    const before = await snapshot();
    expect(((await refusal(importAnswer(file))) as PackageRefused).reason).toBe('replayed');
    expect(
      ((await refusal(importAnswer(packageText(signPackage(suzhou, answer()))))) as PackageRefused).reason,
    ).toBe('already_answered');
    expect(await snapshot()).toEqual([before[0], before[1], before[2], before[3] + 2]);
    const exported = await refusal(
      inUnitOfWork(ctx.store, officer, (tx) =>
        exportRequestPackage(tx, OFFICER, ours, { districtCode: '310110', requestId, toRegion: '320505' }),
      ),
    );
    expect(exported.message).toContain('已收到异地协查答复');
  });

  /** A second request of its own, exported to 苏州, with the local sources' queries in the state given. */
  async function exportedRequest(tag: string, local: 'pending' | 'answered') {
    const household = await seedHousehold(ctx.store, `${tag}${ctx.kind}`);
    await authorise(ctx.store, household, { signedOn: '2026-11-01' });
    const id = (await request(ctx.store, household)).id;
    const result = await inUnitOfWork(ctx.store, officer, (tx) =>
      exportRequestPackage(tx, OFFICER, ours, { districtCode: '310110', requestId: id, toRegion: '320505' }),
    );
    // What the gathering job would have done by now: the request gathering, our own sources in.
    await inUnitOfWork(ctx.store, { ...officer, reason: '测试：模拟信息获取' }, async (tx) => {
      await tx.db.execute(sql`update verification_requests set state = 'gathering' where id = ${id}`);
      await tx.db.execute(
        sql`update verification_source_queries set state = ${local}, answered_at = now()
            where request_id = ${id} and source <> 'remote'`,
      );
      tx.record({ action: 'verification.transition', entityType: 'verification_request', entityId: id });
    });
    return { id, payload: result.file.payload };
  }

  it('keeps an answer that arrives after the query timed out, marked late and not counted', async () => {
    const { id, payload } = await exportedRequest('L', 'pending');
    await inUnitOfWork(ctx.store, { ...officer, reason: '测试：模拟超时' }, async (tx) => {
      await tx.db.execute(
        sql`update verification_source_queries set state = 'timed_out' where request_id = ${id} and source = 'remote'`,
      );
      tx.record({ action: 'verification.transition', entityType: 'verification_request', entityId: id });
    });
    const result = await importAnswer(
      packageText(
        signPackage(
          suzhou,
          answer({
            requestPackageId: payload.packageId,
            requestNo: payload.requestNo,
            persons: payload.persons.map((p) => ({ personId: p.personId, status: 'found' as const })),
            answers: [
              { personId: payload.persons[0]!.personId, kind: 'business', flag: true, reference: '苏市监 9' },
            ],
          }),
        ),
      ),
    );
    expect(result).toMatchObject({ late: true, rows: 1, complete: false, reported: false });
    const rows = await selectRows<{ late: boolean }>(
      ctx.store.db,
      sql`select late from verification_answers where request_id = ${id} and source = 'remote'`,
    );
    expect(rows).toEqual([{ late: true }]);
    expect(await findRemoteQuery(ctx.store.db, '310110', id)).toMatchObject({ state: 'timed_out' });
  });

  it('issues the report in the same unit when the remote answer is the last one in', async () => {
    const { id, payload } = await exportedRequest('R', 'answered');
    const result = await importAnswer(
      packageText(
        signPackage(
          suzhou,
          answer({
            requestPackageId: payload.packageId,
            requestNo: payload.requestNo,
            persons: payload.persons.map((p) => ({ personId: p.personId, status: 'no_record' as const })),
            answers: [],
            gaps: [],
          }),
        ),
      ),
    );
    expect(result).toMatchObject({ late: false, rows: 0, complete: true, reported: true });
    expect(await count(ctx.store, 'verification_reports', sql`request_id = ${id}`)).toBe(1);
  });

  describe('a request package from the other region', () => {
    const failing: SourceAdapter = {
      source: 'vehicles',
      timeoutMs: 1000,
      maxAttempts: 1,
      send: () => Promise.reject(new Error('车管所接口超时')),
    };
    // Our deposits source: answers every person it is asked about (the test knows what it said).
    const batches: SourceBatch[] = [];
    const deposits: SourceAdapter = {
      source: 'deposits',
      timeoutMs: 1000,
      maxAttempts: 1,
      send: async (batch) => {
        // Reads the database, as the simulated sources do: on PGlite an open unit of work would block this.
        await selectRows(ctx.store.db, sql`select 1 as one`);
        batches.push(batch);
        const answered = new Map(
          batch.queries.map((q) => [
            q.requestId,
            q.persons.map((p) => ({
              requestId: q.requestId,
              personId: p.personId,
              kind: 'deposits' as const,
              amountFen: 123_400,
              reference: `银行 ${p.name}`,
            })),
          ]),
        );
        return { answered, failed: new Map<string, string>(), waiting: [] };
      },
    };

    function theirRequest(over: Partial<RequestPayload> = {}): RequestPayload {
      return {
        format: REQUEST_FORMAT,
        packageId: randomUUID(),
        issuedAt: '2026-11-21T01:00:00.000Z',
        expiresAt: '2026-12-21T01:00:00.000Z',
        from: { region: '320505', authority: SUZHOU.authority },
        to: { region: '310110' },
        purpose: 'dibao',
        purposeName: '最低生活保障',
        authorisation: { ids: [randomUUID()], signedOn: '2026-11-10', reference: '苏授 2026-33' },
        requestNo: 'SZ-2026-0042',
        persons: [
          { personId: randomUUID(), idNumber: sent.persons[0]!.idNumber, name: sent.persons[0]!.name },
          { personId: randomUUID(), idNumber: '320505198001010012', name: '陌生人' },
        ],
        asOf: '2026-11-01',
        ...over,
      };
    }

    it('is answered from our sources, signed with our key; unknown persons 无记录, a failing source a gap', async () => {
      const asked = theirRequest();
      const result = await answerRequestPackage(
        ctx.store,
        officer,
        OFFICER,
        ours,
        packageText(signPackage(suzhou, asked)),
        [deposits, failing],
      );
      expect(result).toMatchObject({ found: 1, noRecord: 1, rows: 1 });
      expect(batches.at(-1)!.queries[0]!.persons.map((p) => p.personId)).toEqual([seeded.adults[0]!.id]);
      // Their side verifies our answer with our public key.
      const back = verifyEnvelope(
        readEnvelope(packageText(result.file)),
        {
          keyId: ours.keyId,
          region: '310000',
          authority: '上海市',
          publicKey: ours.publicKey,
          validFrom: '2026-01-01',
          validTo: null,
        },
        ANSWER_FORMAT,
        new Date(),
      );
      expect(back).toMatchObject({
        requestPackageId: asked.packageId,
        from: { region: '310110', authority: '杨浦区居民经济状况核对中心' },
        to: { region: '320505' },
        persons: [
          { personId: asked.persons[0]!.personId, status: 'found' },
          { personId: asked.persons[1]!.personId, status: 'no_record' },
        ],
        answers: [
          {
            personId: asked.persons[0]!.personId,
            kind: 'deposits',
            amountFen: 123_400,
            reference: `银行 ${sent.persons[0]!.name}`,
          },
        ],
      });
      expect(back.gaps).toEqual(['公安交通管理部门：查询失败（车管所接口超时）']);
      // Our person ids never leave: the answer names theirs.
      expect(packageText(result.file)).not.toContain(seeded.adults[0]!.id);
      const directions = await selectRows<{ direction: string }>(
        ctx.store.db,
        sql`select direction from verification_packages where package_id in (${asked.packageId}, ${back.packageId}) order by direction`,
      );
      expect(directions.map((d) => d.direction)).toEqual(['answer-out', 'request-in']);

      const replay = await refusal(
        answerRequestPackage(ctx.store, officer, OFFICER, ours, packageText(signPackage(suzhou, asked)), [
          deposits,
        ]),
      );
      expect((replay as PackageRefused).reason).toBe('replayed');
    });

    it('is refused when addressed to a district outside the caller’s scope', async () => {
      const error = await refusal(
        answerRequestPackage(
          ctx.store,
          officer,
          OFFICER,
          ours,
          packageText(signPackage(suzhou, theirRequest({ to: { region: '310104' } }))),
          [deposits],
        ),
      );
      expect((error as PackageRefused).reason).toBe('wrong_party');
      const audit = await listAudit(ctx.store, {
        scope: ALL,
        action: 'verification.package_refused',
        limit: 1,
        offset: 0,
      });
      expect(JSON.stringify(audit.items[0])).toContain('310104');
    });
  });
});
