import { randomUUID } from 'node:crypto';
import type { SigningKey } from '../../audit/signing-key.ts';
import { CITY_DIVISION_CODE, type DataScope } from '../../auth/scope.ts';
import { now } from '../../core/clock.ts';
import type { Db, Store } from '../../db/store.ts';
import { searchPersons } from '../../registry/registry.service.ts';
import { inUnitOfWork, type ActingContext, type WorkTx } from '../../workflow/unit-of-work.ts';
import { SOURCES } from '../sources/catalogue.ts';
import type { AnswerRow, QueriedPerson, SourceAdapter, SourceQuery } from '../sources/source.ts';
import type { VerificationCaller } from '../verification.caller.ts';
import {
  authorityOf,
  openPackage,
  packageExpiry,
  refusalsRecorded,
  requireExchange,
} from './exchange.service.ts';
import { insertPackage } from './exchange.repository.ts';
import {
  ANSWER_FORMAT,
  answerPayloadSchema,
  canonicalJson,
  PackageRefused,
  regionCovers,
  regionPrefix,
  REMOTE_KINDS,
  REQUEST_FORMAT,
  sha256Hex,
  signPackage,
  type AnswerPayload,
  type Envelope,
  type PackageFile,
  type RequestPayload,
  type RemoteAnswerRow,
} from './package.ts';

/**
 * The other direction of 异地协查: another region asks about persons it believes hold money, homes, vehicles
 * or a business here. Its request package is checked like any package (key, signature, format, expiry,
 * replay), registered (`request-in`), its persons are found by 身份证号 in our registry within the region
 * it was addressed to (and the caller's scope), our own sources are asked through their adapters, and a
 * signed answer package goes back (`answer-out`). A person we do not know is answered 无记录.
 *
 * Three steps, so that no transaction stays open while agencies are asked (on the embedded store an adapter
 * reading the database would wait for it): `prepareAnswer` reads and checks, `askSources` asks the adapters,
 * `recordAnswer` registers both packages and signs the answer in one unit; `answerRequestPackage` runs them
 * for an edge, recording a refusal at any step. Only adapters that answer at once serve here: a source that answers later (file exchange) or fails is
 * named in the answer's `gaps`, so the other region's report states what is missing rather than waiting.
 */

export interface AnswerResult {
  file: PackageFile<AnswerPayload>;
  requestPackageId: string;
  from: { region: string; authority: string };
  found: number;
  noRecord: number;
  rows: number;
  gaps: string[];
}

/** Where persons are looked for: the region addressed, within the caller's scope; undefined when disjoint. */
function matchScope(callerScope: DataScope, region: string): DataScope | undefined {
  const prefix = regionPrefix(region);
  // The city (or its 市辖区 code) is everything the caller sees; a district narrows the search to it.
  if (prefix.length < 6) return callerScope;
  if (callerScope.kind === 'all') return { kind: 'division', code: prefix };
  if (callerScope.code.startsWith(prefix)) return callerScope;
  return undefined;
}

function valueOf(row: AnswerRow): Pick<RemoteAnswerRow, 'amountFen' | 'quantity' | 'flag' | 'textValue'> {
  if (row.amountFen !== undefined) return { amountFen: row.amountFen };
  if (row.quantity !== undefined) return { quantity: row.quantity };
  if (row.flag !== undefined) return { flag: row.flag };
  return { textValue: row.textValue ?? '' };
}

export interface PreparedAnswer {
  envelope: Envelope;
  payload: RequestPayload;
  /** Our person id → theirs, for the persons found. */
  ours: Map<string, string>;
  /** The persons found, as one source query per district of ours. */
  queries: SourceQuery[];
}

/** Step 1 (reads only): the package checked and registered nowhere yet, its persons looked up. */
export async function prepareAnswer(
  db: Db,
  caller: VerificationCaller,
  text: string,
  now: Date,
): Promise<PreparedAnswer> {
  requireExchange(caller);
  const { envelope, payload } = await openPackage(db, text, REQUEST_FORMAT, now);
  const scope = regionCovers(CITY_DIVISION_CODE, payload.to.region)
    ? matchScope(caller.scope, payload.to.region)
    : undefined;
  if (!scope) {
    throw new PackageRefused('wrong_party', `协查包寄往 ${payload.to.region}，不在本平台或您的数据范围内`, {
      packageId: payload.packageId,
      keyId: envelope.keyId,
    });
  }
  // Their person id → ours, grouped by our district (a source query is one district's).
  const ours = new Map<string, string>();
  const byDistrict = new Map<string, QueriedPerson[]>();
  for (const person of payload.persons) {
    const page = await searchPersons(db, scope, {
      idNumber: person.idNumber,
      includeDead: true,
      unmask: true,
      limit: 1,
    });
    const match = page.rows[0];
    if (!match) continue;
    ours.set(match.id, person.personId);
    const group = byDistrict.get(match.districtCode) ?? [];
    group.push({ personId: match.id, idNumber: person.idNumber, name: match.name });
    byDistrict.set(match.districtCode, group);
  }
  const queries: SourceQuery[] = [...byDistrict].map(([districtCode, persons]) => ({
    districtCode,
    // Adapters key their outcome by request id: one id per district's query of this package.
    requestId: randomUUID(),
    requestNo: payload.requestNo,
    purpose: payload.purpose,
    authorisationRefs: [payload.authorisation.reference],
    asOf: payload.asOf,
    persons,
  }));
  return { envelope, payload, ours, queries };
}

export interface AskedSources {
  answers: RemoteAnswerRow[];
  gaps: string[];
}

/** Step 2 (no transaction): our sources that hold a kind another region asks about, asked once each. */
export async function askSources(
  prepared: PreparedAnswer,
  adapters: readonly SourceAdapter[],
): Promise<AskedSources> {
  const { payload, ours, queries } = prepared;
  const remoteKinds = new Set<string>(REMOTE_KINDS);
  const answered = new Map<string, RemoteAnswerRow>();
  const gaps: string[] = [];
  const asked = adapters.filter(
    (a) => a.source !== 'remote' && SOURCES[a.source].kinds.some((k) => remoteKinds.has(k)),
  );
  for (const adapter of queries.length > 0 ? asked : []) {
    const name = SOURCES[adapter.source].name;
    try {
      const outcome = await adapter.send({
        source: adapter.source,
        batchRef: `package:${payload.packageId}`,
        queries,
      });
      for (const query of queries) {
        const failure = outcome.failed.get(query.requestId);
        if (failure !== undefined) gaps.push(`${name}：${failure}`.slice(0, 200));
        for (const row of outcome.answered.get(query.requestId) ?? []) {
          const theirs = ours.get(row.personId);
          if (theirs === undefined || !remoteKinds.has(row.kind)) continue;
          const answerKey = `${theirs}/${row.kind}`;
          if (!answered.has(answerKey)) {
            answered.set(answerKey, {
              personId: theirs,
              kind: row.kind as RemoteAnswerRow['kind'],
              ...valueOf(row),
              reference: row.reference,
            });
          }
        }
      }
      if (outcome.waiting.length > 0) gaps.push(`${name}：需另行答复，未能即时查询`);
    } catch (error) {
      gaps.push(
        `${name}：查询失败（${error instanceof Error ? error.message : String(error)}）`.slice(0, 200),
      );
    }
  }
  return { answers: [...answered.values()], gaps };
}

/** Step 3 (the unit): both packages registered (a replay that raced step 1 is refused here), the answer signed. */
export async function recordAnswer(
  tx: WorkTx,
  caller: VerificationCaller,
  key: SigningKey,
  prepared: PreparedAnswer,
  asked: AskedSources,
): Promise<AnswerResult> {
  requireExchange(caller);
  const { envelope, payload } = prepared;
  const registered = await insertPackage(tx, {
    packageId: payload.packageId,
    direction: 'request-in',
    districtCode: payload.to.region,
    requestId: null,
    peerRegion: payload.from.region,
    peerAuthority: payload.from.authority,
    sha256: envelope.sha256,
    expiresAt: payload.expiresAt,
    createdAt: tx.now.toISOString(),
  });
  if (!registered) {
    throw new PackageRefused('replayed', `协查包 ${payload.packageId} 已登记，不再重复接收`, {
      packageId: payload.packageId,
      keyId: envelope.keyId,
    });
  }
  const { gaps } = asked;
  const found = new Set(prepared.ours.values());
  const from = { region: payload.to.region, authority: authorityOf(payload.to.region) };
  const answer: AnswerPayload = answerPayloadSchema.parse({
    format: ANSWER_FORMAT,
    packageId: randomUUID(),
    requestPackageId: payload.packageId,
    issuedAt: tx.now.toISOString(),
    expiresAt: packageExpiry(tx.now),
    from,
    to: { region: payload.from.region },
    requestNo: payload.requestNo,
    persons: payload.persons.map((p) => ({
      personId: p.personId,
      status: found.has(p.personId) ? 'found' : 'no_record',
    })),
    answers: asked.answers,
    gaps,
  });
  const file = signPackage(key, answer);
  const sha256 = sha256Hex(canonicalJson(answer));
  await insertPackage(tx, {
    packageId: answer.packageId,
    direction: 'answer-out',
    districtCode: payload.to.region,
    requestId: null,
    peerRegion: payload.from.region,
    peerAuthority: payload.from.authority,
    sha256,
    expiresAt: answer.expiresAt,
    createdAt: tx.now.toISOString(),
  });
  const district = payload.to.region;
  tx.record({
    action: 'verification.package_imported',
    entityType: 'verification_package',
    entityId: payload.packageId,
    district,
    after: {
      direction: 'request-in',
      from: payload.from,
      requestNo: payload.requestNo,
      purpose: payload.purpose,
      authorisation: payload.authorisation,
      persons: payload.persons.length,
      found: found.size,
      sha256: envelope.sha256,
      keyId: envelope.keyId,
    },
  });
  tx.record({
    action: 'verification.package_exported',
    entityType: 'verification_package',
    entityId: answer.packageId,
    district,
    after: {
      direction: 'answer-out',
      requestPackageId: payload.packageId,
      to: payload.from,
      rows: answer.answers.length,
      gaps,
      expiresAt: answer.expiresAt,
      sha256,
      keyId: key.keyId,
    },
  });
  return {
    file,
    requestPackageId: payload.packageId,
    from: payload.from,
    found: found.size,
    noRecord: payload.persons.length - found.size,
    rows: answer.answers.length,
    gaps,
  };
}

/** The three steps for an edge: a refusal at any of them leaves only its audit row. */
export function answerRequestPackage(
  store: Store,
  actor: ActingContext,
  caller: VerificationCaller,
  key: SigningKey,
  text: string,
  adapters: readonly SourceAdapter[],
): Promise<AnswerResult> {
  return refusalsRecorded(store, actor, async () => {
    const prepared = await prepareAnswer(store.db, caller, text, now());
    const asked = await askSources(prepared, adapters);
    return inUnitOfWork(store, actor, (tx) => recordAnswer(tx, caller, key, prepared, asked));
  });
}
