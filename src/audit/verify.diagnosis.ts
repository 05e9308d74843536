import type { AuditHead, AuditRow, ChainLink } from './audit.repository.ts';
import { auditRowHash, GENESIS_HASH } from './hash.ts';

/**
 * What went wrong where, from the facts a walk of the chain collected. Each row's hash covers its id and
 * its predecessor's hash, and ids are dense, so a tampering leaves a pattern: an edited row no longer
 * matches its hash; a row whose hash matches under another id was renumbered; a row nobody's prev_hash
 * points at, while its successor points past it, was inserted; a prev_hash that names no row means rows
 * were deleted (their ids tell which) or the predecessor was rewritten; the head names the last row, so
 * rows after it were appended and a head past the last row means the tail was cut.
 */

export type ProblemKind =
  | 'edited'
  | 'renumbered'
  | 'swapped'
  | 'moved'
  | 'inserted'
  | 'appended'
  | 'missing'
  | 'truncated'
  | 'rewritten'
  | 'head';

export interface ChainProblem {
  kind: ProblemKind;
  /** The rows concerned, by their present ids (for deleted rows, the ids they had). */
  fromId: number;
  toId: number;
  message: string;
}

/** One row as the walk saw it: its links and whether its content matches its hash. */
export interface WalkedLink extends ChainLink {
  contentOk: boolean;
}

/** Two neighbours (in id order) whose hashes do not link, or whose ids are not consecutive. */
export interface ChainBreak {
  /** The row before (GENESIS_LINK before the first row). */
  before: WalkedLink;
  row: WalkedLink;
}

/** A row whose content does not match its hash, kept whole so that other ids can be tried. */
export interface FailedRow {
  row: AuditRow;
  before: WalkedLink;
  /** 'version': a row hashed with an older serialisation after a newer one. */
  cause: 'hash' | 'version';
}

export interface WalkFacts {
  count: number;
  last: WalkedLink | undefined;
  failed: FailedRow[];
  breaks: ChainBreak[];
}

export interface ChainLookups {
  /** Rows by their stored hash (asked for the prev_hash of every break and the head's hash). */
  byHash: ReadonlyMap<string, ChainLink>;
  /** Ids of the rows whose prev_hash is the key (asked for the row before every break). */
  referencedBy: ReadonlyMap<string, readonly number[]>;
}

export const GENESIS_LINK: WalkedLink = { id: 0, hash: GENESIS_HASH, prevHash: '', contentOk: true };

interface Finding {
  kind: ProblemKind;
  fromId: number;
  toId: number;
  /** renumbered: the original id of fromId; moved: the row it should follow; swapped: the other row. */
  other?: number;
  note?: string;
}

/** How far a renumbering is searched for when the chain gives no hint (rows inserted or deleted nearby). */
const NEARBY_SHIFTS = [-1, 1, -2, 2, -3, 3];

/** Original ids of rows that verify under another id: what renumbering or reordering did. */
function recoverIds(facts: WalkFacts, lookups: ChainLookups): Map<number, number> {
  const recovered = new Map<number, number>();
  const original = (id: number) => recovered.get(id) ?? id;
  const candidates = ({ row, before }: FailedRow): number[] => {
    const out: number[] = [];
    if (row.prevHash === before.hash) out.push(original(before.id) + 1);
    if (row.prevHash === GENESIS_HASH) out.push(1);
    const predecessor = lookups.byHash.get(row.prevHash);
    if (predecessor) out.push(original(predecessor.id) + 1);
    out.push(...NEARBY_SHIFTS.map((shift) => row.id + shift));
    return out.filter((id) => id > 0 && id !== row.id);
  };
  // Two passes: a row's hint may come from a row recovered after it (a predecessor moved further on).
  for (let pass = 0; pass < 2; pass += 1) {
    for (const failed of facts.failed) {
      if (failed.cause !== 'hash' || recovered.has(failed.row.id)) continue;
      const id = candidates(failed).find(
        (candidate) => auditRowHash({ ...failed.row, id: candidate }) === failed.row.hash,
      );
      if (id !== undefined) recovered.set(failed.row.id, id);
    }
  }
  return recovered;
}

class IdRanges {
  private readonly ranges: [number, number][] = [];
  add(from: number, to: number): void {
    if (to >= from) this.ranges.push([from, to]);
  }
  has(id: number): boolean {
    return this.ranges.some(([from, to]) => id >= from && id <= to);
  }
}

export function diagnose(
  facts: WalkFacts,
  head: AuditHead | undefined,
  lookups: ChainLookups,
): ChainProblem[] {
  const recovered = recoverIds(facts, lookups);
  const original = (id: number) => recovered.get(id) ?? id;
  const verifies = (link: WalkedLink) => link.contentOk || recovered.has(link.id);
  const referenced = (link: WalkedLink) =>
    (lookups.referencedBy.get(link.hash)?.length ?? 0) > 0 || head?.lastHash === link.hash;
  const findings: Finding[] = [];

  for (const { row, cause } of facts.failed) {
    const was = recovered.get(row.id);
    if (was === undefined) {
      findings.push({
        kind: 'edited',
        fromId: row.id,
        toId: row.id,
        ...(cause === 'version' ? { note: 'version' } : {}),
      });
    } else if (recovered.get(was) === row.id) {
      if (row.id < was) findings.push({ kind: 'swapped', fromId: row.id, toId: row.id, other: was });
    } else {
      findings.push({ kind: 'renumbered', fromId: row.id, toId: row.id, other: was });
    }
  }

  const appended = new IdRanges();
  findings.push(...headFindings(facts, head, lookups, original, verifies, appended));

  // Rows no one points at, while the next row points past them to an earlier one, were inserted.
  const inserted = new IdRanges();
  for (const { before, row } of facts.breaks) {
    if (row.prevHash === before.hash || before.id === 0 || referenced(before)) continue;
    const predecessor = row.prevHash === GENESIS_HASH ? GENESIS_LINK : lookups.byHash.get(row.prevHash);
    if (predecessor && original(predecessor.id) < original(before.id)) {
      const from = predecessor.id < before.id ? predecessor.id + 1 : before.id;
      inserted.add(from, before.id);
      findings.push({ kind: 'inserted', fromId: from, toId: before.id, other: predecessor.id });
    }
  }

  for (const { before, row } of facts.breaks) {
    if (inserted.has(row.id) || appended.has(row.id)) continue;
    if (row.prevHash === before.hash) {
      // Linked by hash, yet not consecutive: an id was changed and the row re-hashed to match.
      if (original(row.id) !== original(before.id) + 1) {
        findings.push({ kind: 'renumbered', fromId: row.id, toId: row.id, note: 'gap' });
      }
      continue;
    }
    const predecessor = row.prevHash === GENESIS_HASH ? GENESIS_LINK : lookups.byHash.get(row.prevHash);
    if (predecessor && inserted.has(before.id)) continue;
    if (predecessor && original(predecessor.id) + 1 === original(row.id)) continue; // renumbering, found above
    if (predecessor) {
      findings.push({ kind: 'moved', fromId: row.id, toId: row.id, other: predecessor.id });
      continue;
    }
    const from = original(before.id) + 1;
    const to = original(row.id) - 1;
    if (to >= from) findings.push({ kind: 'missing', fromId: from, toId: to });
    else if (before.id !== 0 && !referenced(before) && verifies(before)) {
      findings.push({ kind: 'rewritten', fromId: before.id, toId: before.id });
    } else if (before.id === 0 || verifies(before) || referenced(before)) {
      findings.push({ kind: 'missing', fromId: before.id, toId: row.id, note: 'between' });
    }
    // Otherwise the row before was edited, stored hash included: reported as edited already.
  }

  if (findings.length === 0 && head && head.count !== facts.count) {
    findings.push({
      kind: 'head',
      fromId: head.lastId,
      toId: head.lastId,
      note: `链头记录共 ${head.count} 条，日志实有 ${facts.count} 条（链头被改动）`,
    });
  }
  return present(findings);
}

function headFindings(
  facts: WalkFacts,
  head: AuditHead | undefined,
  lookups: ChainLookups,
  original: (id: number) => number,
  verifies: (link: WalkedLink) => boolean,
  appended: IdRanges,
): Finding[] {
  const last = facts.last;
  if (!head) {
    return last
      ? [{ kind: 'head', fromId: last.id, toId: last.id, note: '链头记录缺失（audit_head 被删除）' }]
      : [];
  }
  if (!last) {
    return head.lastId > 0 ? [{ kind: 'truncated', fromId: 1, toId: head.lastId }] : [];
  }
  if (head.lastHash === last.hash) {
    return original(last.id) === head.lastId
      ? []
      : [
          {
            kind: 'head',
            fromId: last.id,
            toId: last.id,
            note: `链头记录的末条编号（${head.lastId}）与末条不符`,
          },
        ];
  }
  const named = lookups.byHash.get(head.lastHash);
  if (named && named.id < last.id) {
    appended.add(named.id + 1, last.id);
    return [{ kind: 'appended', fromId: named.id + 1, toId: last.id, other: named.id }];
  }
  if (head.lastId > original(last.id)) {
    return [{ kind: 'truncated', fromId: original(last.id) + 1, toId: head.lastId }];
  }
  if (verifies(last)) return [{ kind: 'rewritten', fromId: last.id, toId: last.id, note: 'tail' }];
  return [];
}

const range = (from: number, to: number) => (from === to ? `第 ${from} 条` : `第 ${from}–${to} 条`);

function message(f: Finding): string {
  switch (f.kind) {
    case 'edited':
      return f.note === 'version'
        ? `${range(f.fromId, f.toId)}：哈希版本被改动（旧版本的记录出现在新版本之后）`
        : `${range(f.fromId, f.toId)}：内容与哈希不符（记录被修改）`;
    case 'renumbered':
      return f.note === 'gap'
        ? `${range(f.fromId, f.toId)}：编号与前一条不连续，哈希却相连（编号被改动后重算了哈希）`
        : `${range(f.fromId, f.toId)}：编号被改动（内容完好，原为${range(f.other ?? 0, (f.other ?? 0) + f.toId - f.fromId)}）`;
    case 'swapped':
      return `第 ${f.fromId} 条与第 ${f.other ?? 0} 条：编号被对调（顺序被改动）`;
    case 'moved':
      return `${range(f.fromId, f.toId)}：位置被改动（按哈希链应紧接第 ${f.other ?? 0} 条之后）`;
    case 'inserted':
      return `${range(f.fromId, f.toId)}：伪造插入的记录（不在哈希链上：下一条记录的前序哈希越过它指向第 ${f.other ?? 0} 条）`;
    case 'appended':
      return `${range(f.fromId, f.toId)}：在链头之后（链头记录到第 ${f.other ?? 0} 条；伪造追加，或链头被改回）`;
    case 'missing':
      return f.note === 'between'
        ? `第 ${f.fromId} 条与第 ${f.toId} 条之间有记录缺失（被删除，且其后编号被改动）`
        : `${range(f.fromId, f.toId)}缺失（记录被删除）`;
    case 'truncated':
      return `末尾${range(f.fromId, f.toId)}缺失（记录被删除；链头记录到第 ${f.toId} 条）`;
    case 'rewritten':
      return f.note === 'tail'
        ? `${range(f.fromId, f.toId)}（末条）：与链头记录的哈希不符（被改写并重算了哈希，或链头被改动）`
        : `${range(f.fromId, f.toId)}：被改写并重算了哈希（下一条记录的前序哈希不再指向它）`;
    case 'head':
      return f.note ?? '链头记录与日志不符';
  }
}

/** Sorted by id; runs of edited or identically renumbered rows become one range. */
function present(findings: Finding[]): ChainProblem[] {
  const sorted = [...findings].sort((a, b) => a.fromId - b.fromId || a.kind.localeCompare(b.kind));
  const merged: Finding[] = [];
  for (const f of sorted) {
    const prev = merged.at(-1);
    const continues =
      prev !== undefined &&
      prev.kind === f.kind &&
      prev.note === f.note &&
      (f.kind === 'edited' || f.kind === 'renumbered') &&
      f.fromId === prev.toId + 1 &&
      (f.kind === 'edited' || (f.other ?? 0) - f.fromId === (prev.other ?? 0) - prev.fromId);
    if (continues) prev.toId = f.toId;
    else merged.push({ ...f });
  }
  return merged.map((f) => ({ kind: f.kind, fromId: f.fromId, toId: f.toId, message: message(f) }));
}
