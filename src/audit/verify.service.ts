import type { Db, Store } from '../db/store.ts';
import {
  auditRowsAfter,
  chainLinksMatching,
  hashesAt,
  readHead,
  type AuditHead,
  type AuditRow,
  type ChainLink,
} from './audit.repository.ts';
import { auditRowHash, GENESIS_HASH, isHashVersion } from './hash.ts';
import {
  diagnose,
  GENESIS_LINK,
  type ChainBreak,
  type ChainProblem,
  type FailedRow,
  type WalkedLink,
  type WalkFacts,
} from './verify.diagnosis.ts';

export type { ChainProblem, ProblemKind } from './verify.diagnosis.ts';

export interface VerifyReport {
  ok: boolean;
  /** Rows in the log. */
  count: number;
  /** The last row (by id) and its hash: what a checkpoint would sign. */
  lastId: number;
  lastHash: string;
  /** Every problem found, in id order (runs of the same problem as one range). */
  problems: ChainProblem[];
  /**
   * Rows whose content or link failed beyond those kept for diagnosis (a log rewritten wholesale):
   * counted, not diagnosed one by one.
   */
  undiagnosed: number;
}

const VERIFY_BATCH = 5000;
/** Failing rows and breaks kept for diagnosis; beyond this they are only counted. */
const DIAGNOSIS_LIMIT = 10_000;
/** How often the walk catches up with rows appended while it ran, before it reports what it has. */
const CATCH_UP_ROUNDS = 5;

/**
 * Walks the whole chain in id order and checks every row: its content against its hash (in the
 * serialisation its version names), its prev_hash against its predecessor's hash, its id against its
 * predecessor's (dense from the first v2 row on), and the last row against the head. Memory stays flat
 * while the chain is intact; the failures found are then diagnosed together (verify.diagnosis.ts).
 */
export async function verifyAuditChain(store: Store): Promise<VerifyReport> {
  const walk = chainWalk(GENESIS_LINK);
  const head = await walkToHead(store.db, walk);
  const { facts, undiagnosed } = walk;
  const last = facts.last;
  const intact =
    facts.failed.length === 0 &&
    facts.breaks.length === 0 &&
    undiagnosed() === 0 &&
    (head?.lastHash ?? GENESIS_HASH) === (last?.hash ?? GENESIS_HASH) &&
    (head?.lastId ?? 0) === (last?.id ?? 0) &&
    (head?.count ?? 0) === facts.count;
  const problems = intact
    ? []
    : diagnose(facts, head ?? emptyHead(last), await lookupsFor(store.db, facts, head));
  return {
    ok: intact,
    count: facts.count,
    lastId: last?.id ?? 0,
    lastHash: last?.hash ?? GENESIS_HASH,
    problems,
    undiagnosed: undiagnosed(),
  };
}

/** A point of the chain already vouched for: the rows up to `lastId`, and the hash of that row. */
export interface ChainPoint {
  lastId: number;
  lastHash: string;
  count: number;
}

/**
 * The rows after a point already vouched for (a signed checkpoint): the row at the point must still carry
 * its hash, and every row after it must check as in a full walk. Undefined when anything fails: the
 * caller then runs the full verification, which diagnoses. Cheap enough for the scheduled checkpoint.
 */
export async function verifyAuditChainSince(
  store: Store,
  since: ChainPoint,
): Promise<VerifyReport | undefined> {
  if (since.lastId > 0 && (await hashesAt(store.db, [since.lastId])).get(since.lastId) !== since.lastHash) {
    return undefined;
  }
  const walk = chainWalk({ id: since.lastId, hash: since.lastHash, prevHash: '', contentOk: true });
  const head = await walkToHead(store.db, walk);
  const { facts } = walk;
  const count = since.count + facts.count;
  const lastId = facts.last?.id ?? since.lastId;
  const lastHash = facts.last?.hash ?? since.lastHash;
  const intact =
    facts.failed.length === 0 &&
    facts.breaks.length === 0 &&
    walk.undiagnosed() === 0 &&
    head !== undefined &&
    head.lastHash === lastHash &&
    head.lastId === lastId &&
    head.count === count;
  return intact ? { ok: true, count, lastId, lastHash, problems: [], undiagnosed: 0 } : undefined;
}

/**
 * Walks to the end of the table, then reads the head. Appends go on while a live server is verified: the
 * head is read after the walk (an append commits its row and the head together), and rows the head names
 * beyond the walk are walked too.
 */
async function walkToHead(db: Db, walk: ReturnType<typeof chainWalk>): Promise<AuditHead | undefined> {
  await walk.run(db);
  let head = await readHead(db);
  for (let round = 0; round < CATCH_UP_ROUNDS && head && head.lastId > walk.lastId(); round += 1) {
    await walk.run(db);
    head = await readHead(db);
  }
  return head;
}

// A log with rows but no head row: diagnosed against an empty head, which names no row.
function emptyHead(last: WalkedLink | undefined): AuditHead | undefined {
  return last ? undefined : { lastId: 0, lastHash: GENESIS_HASH, count: 0 };
}

/** The walk's state, so that it can go on from where it stopped when more rows were appended meanwhile. */
function chainWalk(start: WalkedLink) {
  const facts: WalkFacts = { count: 0, last: undefined, failed: [], breaks: [] };
  let undiagnosed = 0;
  let before: WalkedLink = start;
  let newestVersion = 0;

  const check = (row: AuditRow) => {
    const versionBack = row.hashVersion < newestVersion;
    const contentOk = !versionBack && auditRowHash(row) === row.hash;
    const link: WalkedLink = { id: row.id, hash: row.hash, prevHash: row.prevHash, contentOk };
    const linked = row.prevHash === before.hash;
    const dense = row.hashVersion !== 2 || row.id === before.id + 1;
    const kept = facts.failed.length + facts.breaks.length < DIAGNOSIS_LIMIT;
    if (!contentOk) {
      const failed: FailedRow = { row, before, cause: versionBack ? 'version' : 'hash' };
      if (kept) facts.failed.push(failed);
      else undiagnosed += 1;
    }
    if (!linked || !dense) {
      const broken: ChainBreak = { before, row: link };
      if (kept) facts.breaks.push(broken);
      else undiagnosed += 1;
    }
    if (isHashVersion(row.hashVersion)) newestVersion = Math.max(newestVersion, row.hashVersion);
    facts.count += 1;
    facts.last = link;
    before = link;
  };

  return {
    facts,
    undiagnosed: () => undiagnosed,
    lastId: () => before.id,
    /** Checks every row after the last one checked, to the end of the table. */
    async run(db: Db): Promise<void> {
      let next = auditRowsAfter(db, before.id, VERIFY_BATCH);
      for (;;) {
        const rows = await next;
        // The next batch is read while this one is hashed (a server database works meanwhile).
        const lastId = rows.at(-1)?.id;
        if (lastId !== undefined && rows.length === VERIFY_BATCH)
          next = auditRowsAfter(db, lastId, VERIFY_BATCH);
        for (const row of rows) check(row);
        if (rows.length < VERIFY_BATCH) return;
      }
    },
  };
}

/** Where the broken links point: one scan of the table per thousand hashes asked about. */
async function lookupsFor(db: Db, facts: WalkFacts, head: AuditHead | undefined) {
  const wanted = new Set<string>(facts.breaks.map((b) => b.row.prevHash));
  for (const failed of facts.failed) wanted.add(failed.row.prevHash);
  if (head) wanted.add(head.lastHash);
  wanted.delete(GENESIS_HASH);
  const byHash = new Map<string, ChainLink>();
  for (const link of await chainLinksMatching(db, 'hash', [...wanted])) {
    if (!byHash.has(link.hash)) byHash.set(link.hash, link);
  }
  const asked = [...new Set(facts.breaks.map((b) => b.before.hash))];
  const referencedBy = new Map<string, number[]>();
  for (const link of await chainLinksMatching(db, 'prev_hash', asked)) {
    referencedBy.set(link.prevHash, [...(referencedBy.get(link.prevHash) ?? []), link.id]);
  }
  return { byHash, referencedBy };
}
