import { createHash, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { signText, verifyText, type SigningKey } from '../../audit/signing-key.ts';
import { shanghaiToday } from '../../core/clock.ts';
import { ANSWER_KINDS, SOURCES } from '../sources/catalogue.ts';
import { VerificationError } from '../verification.errors.ts';

/**
 * 异地协查包 (docs/verification-exchange.md): what one region's verification centre sends another, signed
 * with Ed25519 over the canonical JSON of the payload. Pure: no database, no clock of its own (the instant
 * is an argument), no files — the service looks up keys and package ids, the edges read and write files.
 *
 * A file is `{ payload, signature, keyId }`; whitespace and key order in the file do not matter, because
 * what is signed is the canonical form (`canonicalJson`), which either side can recompute.
 */

export const REQUEST_FORMAT = 'minzheng.verification.request/1';
export const ANSWER_FORMAT = 'minzheng.verification.answer/1';
export type PackageFormat = typeof REQUEST_FORMAT | typeof ANSWER_FORMAT;

/** Why a package was refused: stable codes for the audit row and the tests; the message is Chinese. */
export type RefusalReason =
  | 'malformed'
  | 'unsigned'
  | 'unknown_key'
  | 'key_not_valid'
  | 'bad_signature'
  | 'wrong_format'
  | 'wrong_party'
  | 'expired'
  | 'replayed'
  | 'not_sent'
  | 'already_answered';

export class PackageRefused extends VerificationError {
  readonly reason: RefusalReason;
  readonly packageId: string | undefined;
  readonly keyId: string | undefined;
  constructor(
    reason: RefusalReason,
    message: string,
    detail: { problems?: readonly string[]; packageId?: string | undefined; keyId?: string | undefined } = {},
  ) {
    super('package_refused', `拒收异地协查包：${message}`, detail.problems ?? []);
    this.name = 'PackageRefused';
    this.reason = reason;
    this.packageId = detail.packageId;
    this.keyId = detail.keyId;
  }
}

/**
 * JSON with object keys sorted (by UTF-16 code units), no whitespace, undefined members dropped: RFC 8785
 * for the values a package holds (strings, integers, booleans, null). The bytes signed and hashed.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

// ---- the formats -------------------------------------------------------------------------------

const region = z.string().regex(/^\d{6}$/, '应为6位行政区划代码（GB/T 2260）');
const instant = z.iso.datetime({ offset: true, error: '应为 ISO 8601 时间（如 2026-12-01T08:00:00.000Z）' });
const isoDay = z.iso.date({ error: '应为 YYYY-MM-DD 日期' });
const uuid = z.uuid({ error: '应为 UUID' });
const name = (max: number) =>
  z.string({ error: '应为文本' }).trim().min(1, '不能为空').max(max, `不超过${max}字`);
const party = z.strictObject({ region, authority: name(100) });

/** The kinds another region answers: those of the source `remote` (money, homes, vehicles, business). */
export const REMOTE_KINDS = SOURCES.remote.kinds;

export const requestPayloadSchema = z.strictObject({
  format: z.literal(REQUEST_FORMAT),
  packageId: uuid,
  issuedAt: instant,
  expiresAt: instant,
  from: party,
  to: z.strictObject({ region }),
  /** Our purpose code (a program of the engine, or housing_lianzu, housing_gongyou, other) and its name. */
  purpose: name(40),
  purposeName: name(40),
  authorisation: z.strictObject({
    ids: z.array(uuid).min(1, '至少一份授权书'),
    signedOn: isoDay,
    reference: name(400),
  }),
  requestNo: name(40),
  persons: z
    .array(
      z.strictObject({
        personId: uuid,
        idNumber: z.string().regex(/^\d{17}[\dX]$/, '应为18位身份证号'),
        name: name(50),
      }),
    )
    .min(1, '至少一人')
    .max(50, '一个协查包至多50人'),
  asOf: isoDay,
});
export type RequestPayload = z.infer<typeof requestPayloadSchema>;

const answerRowSchema = z
  .strictObject({
    personId: uuid,
    kind: z.enum(REMOTE_KINDS, { error: `应为 ${REMOTE_KINDS.join('、')} 之一` }),
    amountFen: z.number().int('应为整数（分）').min(0, '不能为负').optional(),
    quantity: z.number().int('应为整数').min(0, '不能为负').optional(),
    flag: z.boolean({ error: '应为 true 或 false' }).optional(),
    textValue: z.string().max(200).optional(),
    reference: z.string().max(200, '不超过200字'),
  })
  .superRefine((row, ctx) => {
    // Exactly the value field of the kind's type, as sources/source.ts AnswerRow says.
    const field = VALUE_FIELD[ANSWER_KINDS[row.kind].value];
    const set = VALUE_FIELDS.filter((f) => row[f] !== undefined);
    if (set.length !== 1 || set[0] !== field) {
      ctx.addIssue({ code: 'custom', message: `「${ANSWER_KINDS[row.kind].label}」应且只应填写 ${field}` });
    }
  });
export type RemoteAnswerRow = z.infer<typeof answerRowSchema>;

const VALUE_FIELDS = ['amountFen', 'quantity', 'flag', 'textValue'] as const;
const VALUE_FIELD = { fen: 'amountFen', quantity: 'quantity', flag: 'flag', text: 'textValue' } as const;

export const answerPayloadSchema = z
  .strictObject({
    format: z.literal(ANSWER_FORMAT),
    packageId: uuid,
    /** The request package answered. */
    requestPackageId: uuid,
    issuedAt: instant,
    expiresAt: instant,
    from: party,
    to: z.strictObject({ region }),
    requestNo: name(40),
    /** Every person asked: found in the answering region's registry, or 无记录 (no rows for them). */
    persons: z.array(z.strictObject({ personId: uuid, status: z.enum(['found', 'no_record']) })).max(50),
    answers: z.array(answerRowSchema).max(50 * REMOTE_KINDS.length),
    /** What the answering region could not ask (a source that failed or answers later), in Chinese. */
    gaps: z.array(name(200)).max(20),
  })
  .superRefine((payload, ctx) => {
    const found = new Set(payload.persons.filter((p) => p.status === 'found').map((p) => p.personId));
    const seen = new Set<string>();
    payload.answers.forEach((row, i) => {
      if (!found.has(row.personId)) {
        ctx.addIssue({ code: 'custom', path: ['answers', i], message: '答复了未列为“已找到”的人员' });
      }
      const key = `${row.personId}/${row.kind}`;
      if (seen.has(key))
        ctx.addIssue({ code: 'custom', path: ['answers', i], message: '同一人员同一类型重复答复' });
      seen.add(key);
    });
  });
export type AnswerPayload = z.infer<typeof answerPayloadSchema>;

export interface PackageFile<P = unknown> {
  payload: P;
  /** Ed25519 over canonicalJson(payload), base64. */
  signature: string;
  /** The signing key's id: the first 16 hex digits of the SHA-256 of its SPKI DER. */
  keyId: string;
}

// ---- signing and checking ---------------------------------------------------------------------

export function signPackage<P extends RequestPayload | AnswerPayload>(
  key: SigningKey,
  payload: P,
): PackageFile<P> {
  return { payload, signature: signText(key, canonicalJson(payload)), keyId: key.keyId };
}

/** The file as written to disk: indented for a reader; the signature does not depend on the layout. */
export function packageText(file: PackageFile): string {
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** A file read but not yet trusted: its claimed key, and the hash of what was signed. */
export interface Envelope {
  payload: unknown;
  signature: string;
  keyId: string;
  /** SHA-256 of the canonical payload: what the package register keeps. */
  sha256: string;
  /** The package id the payload claims (for the refusal's audit row; not trusted). */
  claimedId: string | undefined;
}

/** Reads a file's envelope: malformed JSON, or no signature, is refused here. */
export function readEnvelope(text: string): Envelope {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new PackageRefused('malformed', '文件不是有效的 JSON');
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data) || !('payload' in data)) {
    throw new PackageRefused('malformed', '文件中没有协查包内容（payload）');
  }
  const { payload, signature, keyId } = data as Record<string, unknown>;
  const claimed =
    payload !== null && typeof payload === 'object'
      ? (payload as Record<string, unknown>).packageId
      : undefined;
  const claimedId = typeof claimed === 'string' && uuid.safeParse(claimed).success ? claimed : undefined;
  if (
    typeof signature !== 'string' ||
    signature.trim() === '' ||
    typeof keyId !== 'string' ||
    keyId.trim() === ''
  ) {
    throw new PackageRefused('unsigned', '协查包未签名（缺少 signature 或 keyId），无法确认来源', {
      packageId: claimedId,
    });
  }
  return { payload, signature, keyId, sha256: sha256Hex(canonicalJson(payload)), claimedId };
}

/** A peer's public key as registered (verification_peer_keys), ready to verify with. */
export interface TrustedKey {
  keyId: string;
  region: string;
  authority: string;
  publicKey: KeyObject;
  validFrom: string;
  /** The first day the key is no longer valid (exclusive), or null. */
  validTo: string | null;
}

/** A region code as a prefix of the codes it holds: 310000 → 31, 320500 → 3205, 310110 → 310110. */
export function regionPrefix(code: string): string {
  return code.replace(/(00)+$/, '') || code;
}

/** Whether `outer` is `inner` or holds it (a province's key signs for its cities and districts). */
export function regionCovers(outer: string, inner: string): boolean {
  return inner.startsWith(regionPrefix(outer));
}

type PayloadOf<F extends PackageFormat> = F extends typeof REQUEST_FORMAT ? RequestPayload : AnswerPayload;

/**
 * Checks a package against the key its envelope names (undefined: not registered), in the order a reader
 * would ask: do we know the key, is it valid today, does the signature hold, is it the format expected and
 * well-formed, does the key's region sign for the sender, has it expired. Replay and "did we send it" need
 * the register and are the service's.
 */
export function verifyEnvelope<F extends PackageFormat>(
  envelope: Envelope,
  key: TrustedKey | undefined,
  format: F,
  now: Date,
): PayloadOf<F> {
  const detail = { packageId: envelope.claimedId, keyId: envelope.keyId };
  if (!key) {
    throw new PackageRefused('unknown_key', `签名密钥 ${envelope.keyId} 未登记为可信的对端公钥`, detail);
  }
  const today = shanghaiToday(now);
  if (today < key.validFrom || (key.validTo !== null && today >= key.validTo)) {
    const when = today < key.validFrom ? `自 ${key.validFrom} 起才生效` : `已于 ${key.validTo ?? ''} 失效`;
    throw new PackageRefused('key_not_valid', `签名密钥 ${key.keyId}（${key.authority}）${when}`, detail);
  }
  if (!verifyText(key.publicKey, canonicalJson(envelope.payload), envelope.signature)) {
    throw new PackageRefused(
      'bad_signature',
      '签名与内容不符：协查包在签发后被改动，或并非该密钥所签',
      detail,
    );
  }
  const claimedFormat =
    envelope.payload !== null && typeof envelope.payload === 'object'
      ? (envelope.payload as Record<string, unknown>).format
      : undefined;
  if (claimedFormat !== format) {
    const what = format === REQUEST_FORMAT ? '协查请求包' : '协查答复包';
    throw new PackageRefused(
      'wrong_format',
      `此处应导入${what}（${format}），文件的格式为 ${String(claimedFormat)}`,
      detail,
    );
  }
  const schema = format === REQUEST_FORMAT ? requestPayloadSchema : answerPayloadSchema;
  const parsed = schema.safeParse(envelope.payload);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(describeIssue);
    throw new PackageRefused('malformed', `协查包内容不符合格式：${problems.join('；')}`, {
      ...detail,
      problems,
    });
  }
  const payload = parsed.data as PayloadOf<F>;
  if (!regionCovers(key.region, payload.from.region)) {
    throw new PackageRefused(
      'wrong_party',
      `签名密钥登记的地区为 ${key.region}（${key.authority}），协查包却自称来自 ${payload.from.region}`,
      detail,
    );
  }
  if (Date.parse(payload.expiresAt) <= now.getTime()) {
    throw new PackageRefused('expired', `协查包已于 ${payload.expiresAt} 过期`, detail);
  }
  return payload;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length > 0 ? `${issue.path.join('.')}：` : '';
  if (issue.code === 'unrecognized_keys') return `${where}含未定义的字段 ${issue.keys.join('、')}`;
  if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined'))
    return `${where}缺少该字段`;
  // Our schemas give Chinese messages; zod's own English ones are replaced by a plain statement.
  return `${where}${/[\u4e00-\u9fff]/.test(issue.message) ? issue.message : '格式不正确'}`;
}
