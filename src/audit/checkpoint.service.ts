import type { KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { Db, Store } from '../db/store.ts';
import { countRowsBetween, hashesAt } from './audit.repository.ts';
import { canonicalJson } from './hash.ts';
import { keyIdOf, loadOrCreateSigningKey, signText, verifyText } from './signing-key.ts';
import { verifyAuditChain, verifyAuditChainSince, type VerifyReport } from './verify.service.ts';

/**
 * 审计检查点: the chain's head (row count, last id, last hash, time) signed with the Ed25519 key and
 * appended as one JSON line to the checkpoint file. A consistent rewrite of the whole chain, or a cut
 * tail with the head moved back, passes plain verification; it cannot match a checkpoint signed before
 * it, unless the forger also holds the key, hence the key outside the database and the checkpoints
 * and public key shipped off the machine (docs/security.md).
 */

export interface AuditFiles {
  keyFile: string;
  checkpointFile: string;
}

export interface AuditFileSettings {
  MINZHENG_DATA_DIR: string;
  MINZHENG_AUDIT_KEY_FILE?: string | undefined;
  MINZHENG_AUDIT_CHECKPOINT_FILE?: string | undefined;
}

export function auditFiles(settings: AuditFileSettings): AuditFiles {
  return {
    keyFile: settings.MINZHENG_AUDIT_KEY_FILE ?? join(settings.MINZHENG_DATA_DIR, 'audit-signing-key.pem'),
    checkpointFile:
      settings.MINZHENG_AUDIT_CHECKPOINT_FILE ?? join(settings.MINZHENG_DATA_DIR, 'audit-checkpoints.jsonl'),
  };
}

const checkpointSchema = z
  .object({
    v: z.literal(1),
    at: z.iso.datetime(),
    count: z.number().int().min(0),
    lastId: z.number().int().min(0),
    lastHash: z.string().regex(/^[0-9a-f]{64}$/),
    keyId: z.string().regex(/^[0-9a-f]{16}$/),
    signature: z.string().min(1),
  })
  .strict();

export type Checkpoint = z.infer<typeof checkpointSchema>;

/** What the signature covers: every field but the signature, canonically serialised. */
function signedText(c: Omit<Checkpoint, 'signature'>): string {
  return canonicalJson({
    v: c.v,
    at: c.at,
    count: c.count,
    lastId: c.lastId,
    lastHash: c.lastHash,
    keyId: c.keyId,
  });
}

export class CheckpointError extends Error {}

export function readCheckpointText(path: string): string {
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
}

/** The last well-formed line of the file (its signature is checked by verification, not here). */
export function latestCheckpoint(path: string): Checkpoint | undefined {
  const lines = readCheckpointText(path).split('\n').reverse();
  for (const line of lines) {
    const parsed = parseLine(line);
    if (parsed) return parsed;
  }
  return undefined;
}

function parseLine(line: string): Checkpoint | undefined {
  if (!line.trim()) return undefined;
  try {
    const parsed = checkpointSchema.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

async function appendLine(path: string, line: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const file = await open(path, 'a', 0o644);
  try {
    await file.write(`${line}\n`);
    await file.sync();
  } finally {
    await file.close();
  }
}

export interface CheckpointResult {
  checkpoint: Checkpoint;
  /** False when `onlyIfChanged` found the head where the latest checkpoint left it. */
  written: boolean;
}

/**
 * Verifies the chain, then signs its head and appends the checkpoint. A broken chain is not signed: a
 * checkpoint vouches for the log as it stands. `incremental` (the schedule) walks only the rows since
 * the last checkpoint of the same key, so that an hourly checkpoint of a large log stays cheap; the full
 * verification runs when an operator asks (audit checkpoint, audit verify, the console).
 */
export async function createCheckpoint(
  store: Store,
  files: AuditFiles,
  options: { now?: Date; onlyIfChanged?: boolean; incremental?: boolean } = {},
): Promise<CheckpointResult> {
  const key = loadOrCreateSigningKey(files.keyFile);
  const latest = latestSignedCheckpoint(files.checkpointFile, key.publicKey);
  const report = await verifiedHead(store, latest, options.incremental === true);
  if (options.onlyIfChanged && latest?.lastId === report.lastId && latest.lastHash === report.lastHash) {
    return { checkpoint: latest, written: false };
  }
  const body = {
    v: 1 as const,
    at: (options.now ?? new Date()).toISOString(),
    count: report.count,
    lastId: report.lastId,
    lastHash: report.lastHash,
    keyId: key.keyId,
  };
  const checkpoint: Checkpoint = { ...body, signature: signText(key, signedText(body)) };
  await appendLine(files.checkpointFile, JSON.stringify(checkpoint));
  return { checkpoint, written: true };
}

/**
 * The chain's head once verified. Incremental (the schedule): the rows since our last checkpoint, and the
 * row it names. A log that verifies on its own but no longer matches our last checkpoint (rewritten or cut
 * since) is not signed either: that is what checkpoints are for.
 */
async function verifiedHead(
  store: Store,
  latest: Checkpoint | undefined,
  incremental: boolean,
): Promise<VerifyReport> {
  const since = latest && (await verifyAuditChainSince(store, latest));
  if (since && incremental) return since;
  const full = await verifyAuditChain(store);
  if (!full.ok) {
    const first = full.problems[0]?.message ?? '';
    throw new CheckpointError(
      `审计日志校验未通过，不签署检查点：${first}（共 ${full.problems.length} 处问题，请先查明原因）`,
    );
  }
  if (latest && !since) {
    throw new CheckpointError(
      `审计日志与上一个检查点（第 ${latest.lastId} 条，${latest.at}）不符：检查点之后日志被改写或截断，不签署；` +
        '请用 audit verify --checkpoints 查明（若数据库确已重建，先把旧检查点文件移走存档）',
    );
  }
  return full;
}

/** The last line of the file that is a checkpoint signed with this key. */
function latestSignedCheckpoint(path: string, publicKey: KeyObject): Checkpoint | undefined {
  const keyId = keyIdOf(publicKey);
  for (const line of readCheckpointText(path).split('\n').reverse()) {
    const checkpoint = parseLine(line);
    if (checkpoint?.keyId === keyId && verifyText(publicKey, signedText(checkpoint), checkpoint.signature)) {
      return checkpoint;
    }
  }
  return undefined;
}

export interface CheckpointProblem {
  /** Line of the checkpoint file (1-based). */
  line: number;
  message: string;
}

export interface CheckpointReport {
  /** Non-empty lines read. */
  checked: number;
  /** The key the signatures were checked with. */
  keyId: string;
  problems: CheckpointProblem[];
  /** The last checkpoint with a good signature. */
  latest: Checkpoint | null;
}

const SHANGHAI_TIME = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

const when = (iso: string) => SHANGHAI_TIME.format(new Date(iso)).replace(/\//g, '-');

interface SignedLine {
  line: number;
  checkpoint: Checkpoint;
}

function checkSignatures(
  text: string,
  publicKey: KeyObject,
): { signed: SignedLine[]; problems: CheckpointProblem[]; checked: number } {
  const keyId = keyIdOf(publicKey);
  const signed: SignedLine[] = [];
  const problems: CheckpointProblem[] = [];
  let checked = 0;
  text.split('\n').forEach((raw, index) => {
    if (!raw.trim()) return;
    checked += 1;
    const line = index + 1;
    const checkpoint = parseLine(raw);
    if (!checkpoint) problems.push({ line, message: `第 ${line} 行：不是有效的检查点记录` });
    else if (checkpoint.keyId !== keyId) {
      problems.push({
        line,
        message: `第 ${line} 行：由另一把密钥签署（密钥编号 ${checkpoint.keyId}，所给公钥为 ${keyId}）`,
      });
    } else if (!verifyText(publicKey, signedText(checkpoint), checkpoint.signature)) {
      problems.push({ line, message: `第 ${line} 行：签名无效（检查点被改动或伪造）` });
    } else signed.push({ line, checkpoint });
  });
  return { signed, problems, checked };
}

/**
 * Checks every line's signature with `publicKey`, then the chain against every signed checkpoint: the
 * row at its last id must still carry its last hash, and as many rows must lie up to it as it counted.
 * A checkpoint past the log's end means the tail was cut; a different hash, that the log was rewritten.
 */
export async function verifyCheckpoints(
  db: Db,
  text: string,
  publicKey: KeyObject,
  chain: Pick<VerifyReport, 'lastId'>,
): Promise<CheckpointReport> {
  const { signed, problems, checked } = checkSignatures(text, publicKey);
  const hashes = await hashesAt(
    db,
    signed.map((s) => s.checkpoint.lastId).filter((id) => id > 0),
  );
  const counts = await countsUpTo(
    db,
    signed.map((s) => s.checkpoint.lastId),
  );
  let previous: SignedLine | undefined;
  for (const entry of signed) {
    const { line, checkpoint: c } = entry;
    const at = `第 ${line} 行（${when(c.at)}）`;
    if (previous && c.lastId < previous.checkpoint.lastId) {
      problems.push({
        line,
        message: `${at}：记录到第 ${c.lastId} 条，早于前一个检查点的第 ${previous.checkpoint.lastId} 条（检查点文件被重排）`,
      });
    }
    previous = entry;
    const stored = hashes.get(c.lastId);
    if (c.lastId > chain.lastId) {
      problems.push({
        line,
        message: `${at}：检查点记录到第 ${c.lastId} 条，日志现只到第 ${chain.lastId} 条：末尾被截断（第 ${chain.lastId + 1}–${c.lastId} 条被删除）`,
      });
    } else if (c.lastId > 0 && stored === undefined) {
      problems.push({ line, message: `${at}：检查点记录的第 ${c.lastId} 条已不存在（被删除）` });
    } else if (c.lastId > 0 && stored !== c.lastHash) {
      problems.push({
        line,
        message: `${at}：第 ${c.lastId} 条的哈希与检查点不符：检查点之后日志被改写（包括整条链重算）`,
      });
    } else if ((counts.get(c.lastId) ?? 0) !== c.count) {
      problems.push({
        line,
        message: `${at}：截至第 ${c.lastId} 条检查点记录 ${c.count} 条，日志现有 ${counts.get(c.lastId) ?? 0} 条（记录被删除或插入）`,
      });
    }
  }
  problems.sort((a, b) => a.line - b.line);
  return { checked, keyId: keyIdOf(publicKey), problems, latest: signed.at(-1)?.checkpoint ?? null };
}

/** Rows up to each id, counted range by range in id order: one pass over the table for all of them. */
async function countsUpTo(db: Db, ids: readonly number[]): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  let previous = 0;
  let total = 0;
  for (const id of [...new Set(ids)].sort((a, b) => a - b)) {
    total += await countRowsBetween(db, previous, id);
    out.set(id, total);
    previous = id;
  }
  return out;
}
