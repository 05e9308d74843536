import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { listAudit } from '../../audit/audit.service.ts';
import { keyIdOf, type SigningKey } from '../../audit/signing-key.ts';
import { ALL } from '../../auth/scope.ts';
import { openPglite, type Store } from '../../db/store.ts';
import { publicKeyFromHex, rawPublicKeyHex } from '../../verification/exchange/exchange.keys.ts';
import {
  ANSWER_FORMAT,
  packageText,
  readEnvelope,
  REQUEST_FORMAT,
  signPackage,
  verifyEnvelope,
  type RequestPayload,
} from '../../verification/exchange/package.ts';
import { authorise, request, seedHousehold } from '../../verification/verification.fixtures.ts';
import { CliError } from '../errors.ts';
import { registerVerifyPackageCommands } from './package.commands.ts';

/**
 * `verify package …` and `verify keys …` as an operator runs them, on a PGlite data folder: we are 杨浦区;
 * 苏州市 is the other region, reading and writing packages with package.ts alone.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'mz-exchange-cli-'));
const SLOW = 300_000;

function keyPair(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
}
const suzhou = keyPair();

/** Runs `minzheng verify …args` in this process and returns what it printed, or the CliError it threw. */
async function verify(...args: string[]): Promise<{ out: string; error?: CliError }> {
  const program = new Command().exitOverride();
  registerVerifyPackageCommands(program.command('verify'));
  const printed: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed.push(String(chunk));
    return true;
  });
  try {
    await program.parseAsync(['node', 'minzheng', 'verify', ...args]);
    return { out: printed.join('') };
  } catch (error) {
    if (error instanceof CliError) return { out: printed.join(''), error };
    throw error;
  } finally {
    spy.mockRestore();
  }
}

async function withStore<T>(work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openPglite(join(dataDir, 'pglite'));
  try {
    await store.migrate();
    return await work(store);
  } finally {
    await store.close();
  }
}

describe('minzheng verify package / keys', () => {
  let savedDir: string | undefined;
  let savedUrl: string | undefined;
  let requestNo: string;
  let ourPublicKey: string;

  beforeAll(async () => {
    savedDir = process.env.MINZHENG_DATA_DIR;
    savedUrl = process.env.DATABASE_URL;
    process.env.MINZHENG_DATA_DIR = dataDir;
    delete process.env.DATABASE_URL;
    requestNo = await withStore(async (store) => {
      const seeded = await seedHousehold(store, 'CLI');
      await authorise(store, seeded, { signedOn: '2026-11-01' });
      return (await request(store, seeded)).requestNo;
    });
  }, SLOW);
  afterAll(() => {
    if (savedDir === undefined) delete process.env.MINZHENG_DATA_DIR;
    else process.env.MINZHENG_DATA_DIR = savedDir;
    if (savedUrl !== undefined) process.env.DATABASE_URL = savedUrl;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows our public key, created on first use in the data folder with mode 0600', async () => {
    const { out, error } = await verify('keys', 'show-own');
    expect(error).toBeUndefined();
    const match = /^密钥编号 ([0-9a-f]{16})\n公钥 ([0-9a-f]{64})\n$/.exec(out);
    expect(match).not.toBeNull();
    ourPublicKey = match![2]!;
    expect(keyIdOf(publicKeyFromHex(ourPublicKey))).toBe(match![1]);
    expect(statSync(join(dataDir, 'verification-exchange-key.pem')).mode & 0o777).toBe(0o600);
    expect((await verify('keys', 'show-own')).out).toBe(out);
  });

  it(
    'registers the other region’s key and lists it; a key that is not one is refused in one line',
    async () => {
      const added = await verify(
        'keys',
        'add',
        '--region',
        '320500',
        '--authority',
        '苏州市居民家庭经济状况核对中心',
        '--public-key',
        rawPublicKeyHex(suzhou.publicKey),
        '--valid-from',
        '2026-01-01',
      );
      expect(added.error).toBeUndefined();
      expect(added.out).toBe(
        `已登记：苏州市居民家庭经济状况核对中心（320500）的公钥，密钥编号 ${suzhou.keyId}，2026-01-01 起长期有效\n`,
      );
      const listed = await verify('keys', 'list');
      expect(listed.out).toContain(suzhou.keyId);
      expect(listed.out).toContain('有效');
      const bad = await verify(
        'keys',
        'add',
        '--region',
        '320500',
        '--authority',
        '某地',
        '--public-key',
        'abcd',
      );
      expect(bad.error?.message).toContain('公钥应为64位十六进制数字');
    },
    SLOW,
  );

  it(
    'exports a request package, imports the answer once, and answers a package from the other region',
    async () => {
      const out = join(dataDir, 'request.json');
      const exported = await verify('package', 'export', requestNo, '--to', '320505', '--out', out);
      expect(exported.error).toBeUndefined();
      expect(exported.out).toContain(
        `已导出：核对委托 ${requestNo} 的异地协查请求包 → 320505（苏州市居民家庭经济状况核对中心），3 人`,
      );
      const theirs = {
        keyId: keyIdOf(publicKeyFromHex(ourPublicKey)),
        region: '310000',
        authority: '上海市',
        publicKey: publicKeyFromHex(ourPublicKey),
        validFrom: '2026-01-01',
        validTo: null,
      };
      const sent = verifyEnvelope(
        readEnvelope(readFileSync(out, 'utf8')),
        theirs,
        REQUEST_FORMAT,
        new Date(),
      );
      expect(
        (await verify('package', 'export', requestNo, '--to', '320505', '--out', out)).error?.message,
      ).toContain('输出文件已存在');

      const answerFile = join(dataDir, 'answer.json');
      writeFileSync(
        answerFile,
        packageText(
          signPackage(suzhou, {
            format: ANSWER_FORMAT,
            packageId: randomUUID(),
            requestPackageId: sent.packageId,
            issuedAt: new Date().toISOString(),
            expiresAt: sent.expiresAt,
            from: { region: '320505', authority: '姑苏区居民家庭经济状况核对中心' },
            to: { region: sent.from.region },
            requestNo: sent.requestNo,
            persons: sent.persons.map((p) => ({ personId: p.personId, status: 'found' as const })),
            answers: [
              {
                personId: sent.persons[0]!.personId,
                kind: 'vehicles',
                quantity: 1,
                reference: '苏E 车管 17',
              },
            ],
            gaps: [],
          }),
        ),
      );
      const imported = await verify('package', 'import', answerFile);
      expect(imported.error).toBeUndefined();
      expect(imported.out).toBe(
        `已导入：核对委托 ${requestNo} 的异地答复（姑苏区居民家庭经济状况核对中心），登记 1 条；查到 3 人，无记录 0 人\n`,
      );
      const again = await verify('package', 'import', answerFile);
      expect(again.error?.message).toMatch(
        /^拒收异地协查包：协查包 [0-9a-f-]{36} 已于 .+ 登记，不再重复接收$/,
      );
      const tampered = join(dataDir, 'tampered.json');
      writeFileSync(tampered, readFileSync(answerFile, 'utf8').replace('"quantity": 1', '"quantity": 0'));
      expect((await verify('package', 'import', tampered)).error?.message).toContain('签名与内容不符');
      const refusals = await withStore((store) =>
        listAudit(store, { scope: ALL, action: 'verification.package_refused', limit: 10, offset: 0 }),
      );
      expect(refusals.items).toHaveLength(2);

      // The other direction: 苏州 asks about one of our members and someone we do not know.
      const asked: RequestPayload = {
        format: REQUEST_FORMAT,
        packageId: randomUUID(),
        issuedAt: new Date().toISOString(),
        expiresAt: sent.expiresAt,
        from: { region: '320505', authority: '姑苏区居民家庭经济状况核对中心' },
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
      };
      const incoming = join(dataDir, 'incoming.json');
      const reply = join(dataDir, 'reply.json');
      writeFileSync(incoming, packageText(signPackage(suzhou, asked)));
      const answered = await verify('package', 'answer', incoming, '--out', reply);
      expect(answered.error).toBeUndefined();
      expect(answered.out).toContain(
        '已答复：姑苏区居民家庭经济状况核对中心 的协查请求（SZ-2026-0042），查到 1 人，无记录 1 人',
      );
      const back = verifyEnvelope(
        readEnvelope(readFileSync(reply, 'utf8')),
        theirs,
        ANSWER_FORMAT,
        new Date(),
      );
      expect(back.requestPackageId).toBe(asked.packageId);
      expect(back.persons.map((p) => p.status)).toEqual(['found', 'no_record']);
      expect(back.answers.every((a) => a.personId === asked.persons[0]!.personId)).toBe(true);
    },
    SLOW,
  );
});
