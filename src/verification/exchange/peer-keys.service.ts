import { SigningKeyError } from '../../audit/signing-key.ts';
import { shanghaiToday } from '../../core/clock.ts';
import type { Db } from '../../db/store.ts';
import type { WorkTx } from '../../workflow/unit-of-work.ts';
import type { VerificationCaller } from '../verification.caller.ts';
import { VerificationError } from '../verification.errors.ts';
import { keyIdOfHex, validOn } from './exchange.keys.ts';
import { insertPeerKey, listPeerKeyRows, type PeerKeyRow } from './exchange.repository.ts';
import { requireExchange } from './exchange.service.ts';

/**
 * The regions we trust (verification_peer_keys): another centre's Ed25519 public key, registered with the
 * region it signs for and a dated validity (valid_to exclusive), audited. Keys are never edited in place.
 */

export interface PeerKeyInput {
  region: string;
  authority: string;
  /** 64 hex digits: the other region's `verify keys show-own`. */
  publicKey: string;
  validFrom?: string | undefined;
  validTo?: string | undefined;
}

export interface PeerKeyView extends PeerKeyRow {
  /** valid | not_yet | ended, today. */
  status: 'valid' | 'not_yet' | 'ended';
  statusName: string;
}

const STATUS_NAMES = { valid: '有效', not_yet: '未生效', ended: '已失效' } as const;

function presentKey(row: PeerKeyRow, today: string): PeerKeyView {
  const status = row.validFrom > today ? 'not_yet' : validOn(row, today) ? 'valid' : 'ended';
  return { ...row, status, statusName: STATUS_NAMES[status] };
}

export async function addPeerKey(
  tx: WorkTx,
  caller: VerificationCaller,
  input: PeerKeyInput,
): Promise<PeerKeyView> {
  requireExchange(caller);
  const problems: string[] = [];
  const today = shanghaiToday(tx.now);
  const day = /^\d{4}-\d{2}-\d{2}$/;
  if (!/^\d{6}$/.test(input.region)) problems.push('地区应为6位行政区划代码（GB/T 2260）');
  const authority = input.authority.trim();
  if (authority.length === 0 || authority.length > 100)
    problems.push('请填写对方核对机构的名称（不超过100字）');
  if (input.validFrom !== undefined && !day.test(input.validFrom)) problems.push('生效日期应为 YYYY-MM-DD');
  if (input.validTo !== undefined && !day.test(input.validTo)) problems.push('失效日期应为 YYYY-MM-DD');
  const validFrom = input.validFrom ?? today;
  if (input.validTo !== undefined && input.validTo <= validFrom) problems.push('失效日期应晚于生效日期');
  let keyId = '';
  try {
    keyId = keyIdOfHex(input.publicKey);
  } catch (error) {
    if (!(error instanceof SigningKeyError)) throw error;
    problems.push(error.message);
  }
  if (problems.length > 0) throw new VerificationError('invalid', problems.join('；'), problems);
  const row: PeerKeyRow = {
    keyId,
    region: input.region,
    authority,
    publicKey: input.publicKey.trim().toLowerCase(),
    validFrom,
    validTo: input.validTo ?? null,
    addedBy: caller.userId,
    addedAt: tx.now.toISOString(),
  };
  if (!(await insertPeerKey(tx, row))) {
    throw new VerificationError('invalid', `该公钥已登记（密钥编号 ${keyId}）`);
  }
  tx.record({
    action: 'verification.peer_key_added',
    entityType: 'verification_peer_key',
    entityId: keyId,
    after: row,
  });
  return presentKey(row, today);
}

export async function listPeerKeys(
  db: Db,
  caller: VerificationCaller,
  today = shanghaiToday(),
): Promise<PeerKeyView[]> {
  requireExchange(caller);
  return (await listPeerKeyRows(db)).map((row) => presentKey(row, today));
}
