import { createPublicKey, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import {
  keyIdOf,
  loadOrCreateSigningKey,
  SigningKeyError,
  type SigningKey,
} from '../../audit/signing-key.ts';
import type { Db } from '../../db/store.ts';
import { findPeerKey, type PeerKeyRow } from './exchange.repository.ts';
import type { TrustedKey } from './package.ts';

/**
 * Our Ed25519 key for 异地协查 packages: a file under the data directory (mode 0600, created on first use,
 * like the audit signing key and with the same code — but a key of its own, so that handing our exchange
 * public key to another region says nothing about the audit chain, and either can be replaced alone).
 * Keys travel between regions as the raw 32-byte public key in hex (64 digits): short enough to read out
 * on the phone when the two centres confirm it.
 */

export const EXCHANGE_KEY_FILE = 'verification-exchange-key.pem';

export function exchangeKeyPath(dataDir: string): string {
  return join(dataDir, EXCHANGE_KEY_FILE);
}

/** Our exchange key, created under the data directory when there is none yet. */
export function ownExchangeKey(dataDir: string): SigningKey {
  const path = exchangeKeyPath(dataDir);
  try {
    return loadOrCreateSigningKey(path);
  } catch (error) {
    if (error instanceof SigningKeyError) {
      // The shared code names the audit key; say which key this is.
      throw new SigningKeyError(
        `异地协查签名密钥不可用：${error.message.replace('审计签名密钥', '密钥文件')}`,
      );
    }
    throw error;
  }
}

/** The raw 32-byte Ed25519 public key as 64 lower-case hex digits. */
export function rawPublicKeyHex(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') {
    throw new SigningKeyError('不是 Ed25519 公钥');
  }
  return Buffer.from(jwk.x, 'base64url').toString('hex');
}

/** A public key from 64 hex digits (raw Ed25519), refused in Chinese when it is not one. */
export function publicKeyFromHex(hex: string): KeyObject {
  const text = hex.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(text)) {
    throw new SigningKeyError(
      '公钥应为64位十六进制数字（Ed25519 原始公钥，对方 verify keys show-own 的输出）',
    );
  }
  try {
    return createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(text, 'hex').toString('base64url') },
      format: 'jwk',
    });
  } catch {
    throw new SigningKeyError('公钥不是有效的 Ed25519 公钥');
  }
}

/** The key id a package names: the same rule as the audit key (first 16 hex of the SPKI's SHA-256). */
export function keyIdOfHex(hex: string): string {
  return keyIdOf(publicKeyFromHex(hex));
}

/** What `verify keys show-own` prints and another region registers. */
export interface OwnKeyView {
  keyId: string;
  publicKey: string;
}

export function ownKeyView(key: SigningKey): OwnKeyView {
  return { keyId: key.keyId, publicKey: rawPublicKeyHex(key.publicKey) };
}

/** Whether a peer key holds on a day (valid_to is the first day it no longer does). */
export function validOn(row: Pick<PeerKeyRow, 'validFrom' | 'validTo'>, day: string): boolean {
  return row.validFrom <= day && (row.validTo === null || day < row.validTo);
}

/** A registered peer key, ready to verify with (undefined: not registered). */
export async function trustedKey(db: Db, keyId: string): Promise<TrustedKey | undefined> {
  const row = await findPeerKey(db, keyId);
  return row && { ...row, publicKey: publicKeyFromHex(row.publicKey) };
}
