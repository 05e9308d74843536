import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyIdOf, type SigningKey } from '../../audit/signing-key.ts';
import { keyIdOfHex, publicKeyFromHex, rawPublicKeyHex } from './exchange.keys.ts';
import {
  ANSWER_FORMAT,
  canonicalJson,
  PackageRefused,
  packageText,
  readEnvelope,
  regionCovers,
  REQUEST_FORMAT,
  signPackage,
  verifyEnvelope,
  type RequestPayload,
  type TrustedKey,
} from './package.ts';

/** The pure part of 异地协查: canonical JSON, signing and every check a package passes before the register. */

function keyPair(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
}

function trusted(
  key: SigningKey,
  region: string,
  validFrom = '2020-01-01',
  validTo: string | null = null,
): TrustedKey {
  return {
    keyId: key.keyId,
    region,
    authority: '杨浦区居民经济状况核对中心',
    publicKey: key.publicKey,
    validFrom,
    validTo,
  };
}

const NOW = new Date('2026-11-20T02:00:00.000Z');

function requestPayload(over: Partial<RequestPayload> = {}): RequestPayload {
  return {
    format: REQUEST_FORMAT,
    packageId: '7d4f5d0e-1c1a-4c55-9b7e-0d6a1f3b2c11',
    issuedAt: '2026-11-20T01:00:00.000Z',
    expiresAt: '2026-12-20T01:00:00.000Z',
    from: { region: '310110', authority: '杨浦区居民经济状况核对中心' },
    to: { region: '320505' },
    purpose: 'dibao',
    purposeName: '最低生活保障',
    authorisation: {
      ids: ['0c6d1e8e-2b4d-4f0e-8a55-3a9f7c2d1b00'],
      signedOn: '2026-11-01',
      reference: '授权书附件 x',
    },
    requestNo: 'HD-310110-20261120-00000A',
    persons: [
      { personId: '5b0c7a3e-9f1d-4c2b-8e6a-1d2f3a4b5c6d', idNumber: '31011019700303001X', name: '王五' },
    ],
    asOf: '2026-11-01',
    ...over,
  };
}

function refusedReason(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    if (error instanceof PackageRefused) return error.reason;
    throw error;
  }
  throw new Error('not refused');
}

describe('canonical JSON', () => {
  it('sorts keys at every depth, drops undefined members and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 'x', c: null }, 2], e: undefined, 中: '文' })).toBe(
      '{"a":[{"c":null,"d":"x"},2],"b":1,"中":"文"}',
    );
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson(JSON.parse('{ "b": 2, "a": 1 }')));
  });
});

describe('exchange keys', () => {
  it('travel as 64 hex digits and keep their id', () => {
    const key = keyPair();
    const hex = rawPublicKeyHex(key.publicKey);
    expect(hex).toMatch(/^[0-9a-f]{64}$/);
    expect(keyIdOfHex(hex)).toBe(key.keyId);
    expect(rawPublicKeyHex(publicKeyFromHex(hex.toUpperCase()))).toBe(hex);
    expect(() => publicKeyFromHex('abc')).toThrow('公钥应为64位十六进制数字');
  });
});

describe('regions', () => {
  it('a province or city key signs for what lies under it, a district key only for itself', () => {
    expect(regionCovers('320000', '320505')).toBe(true);
    expect(regionCovers('320500', '320505')).toBe(true);
    expect(regionCovers('320505', '320505')).toBe(true);
    expect(regionCovers('320505', '320506')).toBe(false);
    expect(regionCovers('330000', '320505')).toBe(false);
  });
});

describe('signing and checking a package', () => {
  const ours = keyPair();
  const text = packageText(signPackage(ours, requestPayload()));

  it('accepts a signed package whatever its layout, and returns the payload', () => {
    const relaid = JSON.stringify(JSON.parse(text));
    const payload = verifyEnvelope(readEnvelope(relaid), trusted(ours, '310000'), REQUEST_FORMAT, NOW);
    expect(payload).toEqual(requestPayload());
  });

  it('refuses a payload changed by one byte after signing', () => {
    const tampered = text.replace('王五', '王六');
    expect(tampered).not.toBe(text);
    expect(
      refusedReason(() =>
        verifyEnvelope(readEnvelope(tampered), trusted(ours, '310000'), REQUEST_FORMAT, NOW),
      ),
    ).toBe('bad_signature');
  });

  it('refuses what is not JSON, has no payload, or no signature', () => {
    expect(refusedReason(() => readEnvelope('{"payload":'))).toBe('malformed');
    expect(refusedReason(() => readEnvelope('[]'))).toBe('malformed');
    const { signature: _gone, ...unsigned } = JSON.parse(text) as Record<string, unknown>;
    expect(refusedReason(() => readEnvelope(JSON.stringify(unsigned)))).toBe('unsigned');
    expect(refusedReason(() => readEnvelope(JSON.stringify({ ...unsigned, signature: '' })))).toBe(
      'unsigned',
    );
  });

  it('refuses an unknown key, one not yet or no longer valid, and a key of another region', () => {
    const envelope = readEnvelope(text);
    expect(refusedReason(() => verifyEnvelope(envelope, undefined, REQUEST_FORMAT, NOW))).toBe('unknown_key');
    expect(
      refusedReason(() =>
        verifyEnvelope(envelope, trusted(ours, '310000', '2026-12-01'), REQUEST_FORMAT, NOW),
      ),
    ).toBe('key_not_valid');
    // valid_to is the first day the key no longer holds (NOW is 2026-11-20 in Shanghai).
    expect(
      refusedReason(() =>
        verifyEnvelope(envelope, trusted(ours, '310000', '2020-01-01', '2026-11-20'), REQUEST_FORMAT, NOW),
      ),
    ).toBe('key_not_valid');
    expect(
      verifyEnvelope(envelope, trusted(ours, '310000', '2020-01-01', '2026-11-21'), REQUEST_FORMAT, NOW)
        .requestNo,
    ).toBe('HD-310110-20261120-00000A');
    // Someone else's key, though registered, does not verify our signature.
    const other = keyPair();
    expect(
      refusedReason(() =>
        verifyEnvelope({ ...envelope, keyId: other.keyId }, trusted(other, '310000'), REQUEST_FORMAT, NOW),
      ),
    ).toBe('bad_signature');
    expect(refusedReason(() => verifyEnvelope(envelope, trusted(ours, '320000'), REQUEST_FORMAT, NOW))).toBe(
      'wrong_party',
    );
  });

  it('refuses an expired package, the other format, and a malformed payload with every problem named', () => {
    const expired = readEnvelope(
      packageText(signPackage(ours, requestPayload({ expiresAt: '2026-11-20T02:00:00.000Z' }))),
    );
    expect(refusedReason(() => verifyEnvelope(expired, trusted(ours, '310000'), REQUEST_FORMAT, NOW))).toBe(
      'expired',
    );
    expect(
      refusedReason(() => verifyEnvelope(readEnvelope(text), trusted(ours, '310000'), ANSWER_FORMAT, NOW)),
    ).toBe('wrong_format');
    const bad = requestPayload({
      persons: [{ personId: 'x', idNumber: '123', name: '' }],
      extra: 1,
    } as Partial<RequestPayload>);
    const envelope = readEnvelope(packageText(signPackage(ours, bad)));
    try {
      verifyEnvelope(envelope, trusted(ours, '310000'), REQUEST_FORMAT, NOW);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(PackageRefused);
      const refused = error as PackageRefused;
      expect(refused.reason).toBe('malformed');
      expect(refused.problems).toEqual(
        expect.arrayContaining([
          '含未定义的字段 extra',
          'persons.0.personId：应为 UUID',
          'persons.0.idNumber：应为18位身份证号',
          'persons.0.name：不能为空',
        ]),
      );
      expect(refused.message).toMatch(/^拒收异地协查包：/);
    }
  });
});
