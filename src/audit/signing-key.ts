import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The Ed25519 key that signs audit checkpoints. It lives in a file outside the database (whoever can
 * rewrite the log through SQL must not also hold the key), created on first use with mode 0600; the
 * public key is what operators ship elsewhere to check checkpoints with.
 */

export class SigningKeyError extends Error {}

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** First 16 hex digits of the SHA-256 of the public key (SPKI DER): names the key in checkpoints. */
  keyId: string;
}

export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

export function publicKeyPem(publicKey: KeyObject): string {
  return publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

function readPrivateKey(path: string): SigningKey {
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new SigningKeyError(
      `审计签名密钥 ${path} 的权限过宽（${mode.toString(8)}），其他用户可读；请执行 chmod 600 ${path}`,
    );
  }
  const privateKey = createPrivateKey(readFileSync(path));
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new SigningKeyError(`审计签名密钥 ${path} 不是 Ed25519 私钥`);
  }
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
}

/** The key in `path`, created there (mode 0600) when there is none yet. */
export function loadOrCreateSigningKey(path: string): SigningKey {
  try {
    return readPrivateKey(path);
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
  mkdirSync(dirname(path), { recursive: true });
  const { privateKey } = generateKeyPairSync('ed25519');
  try {
    // 'wx': of two processes creating it at once, one wins and the other reads the winner's key.
    writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
  }
  return readPrivateKey(path);
}

/** The key in `path` if there is one (verification does not create keys). */
export function loadSigningKey(path: string): SigningKey | undefined {
  try {
    return readPrivateKey(path);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/** A public key from PEM text (a shipped copy, or the console's paste). */
export function parsePublicKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new SigningKeyError('公钥格式不正确（应为 audit public-key 输出的 PEM 文本）');
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new SigningKeyError('公钥不是 Ed25519 公钥');
  return key;
}

export function signText(key: SigningKey, text: string): string {
  return sign(null, Buffer.from(text, 'utf8'), key.privateKey).toString('base64');
}

export function verifyText(publicKey: KeyObject, text: string, signature: string): boolean {
  try {
    return verify(null, Buffer.from(text, 'utf8'), publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

function isMissing(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ENOENT';
}
