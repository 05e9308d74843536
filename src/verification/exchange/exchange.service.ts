import { randomUUID } from 'node:crypto';
import type { SigningKey } from '../../audit/signing-key.ts';
import { mayAct } from '../../auth/roles.ts';
import { ALL, CITY_DIVISION_CODE } from '../../auth/scope.ts';
import { shanghaiToday } from '../../core/clock.ts';
import type { Db, Store } from '../../db/store.ts';
import { getDivision, getPerson } from '../../registry/registry.service.ts';
import {
  inUnitOfWork,
  recordOnly,
  RowDigest,
  type ActingContext,
  type WorkTx,
} from '../../workflow/unit-of-work.ts';
import { findAuthorisation } from '../authorisation.repository.ts';
import { purposeName } from '../purposes.ts';
import { findRequest } from '../request.repository.ts';
import { issueReports } from '../report/report.service.ts';
import type { VerificationCaller } from '../verification.caller.ts';
import { REQUEST_NOT_FOUND, VerificationError } from '../verification.errors.ts';
import { verificationMachine } from '../verification.machine.ts';
import { verificationParameter, VP } from '../verification.parameters.ts';
import {
  allQueriesTerminal,
  answerRemoteQuery,
  findPackage,
  findRemoteQuery,
  insertAnswers,
  insertPackage,
  listPeerKeyRows,
  sendRemoteQuery,
  type AnswerInsert,
} from './exchange.repository.ts';
import { trustedKey, validOn } from './exchange.keys.ts';
import {
  ANSWER_FORMAT,
  canonicalJson,
  PackageRefused,
  readEnvelope,
  regionCovers,
  REQUEST_FORMAT,
  sha256Hex,
  signPackage,
  verifyEnvelope,
  type Envelope,
  type PackageFile,
  type PackageFormat,
  type RequestPayload,
} from './package.ts';

/**
 * 异地协查 (issue 9, deliverable 5): a request's members are asked about in another region by a signed
 * request package; that region's signed answer package is imported as the answers of the source `remote`.
 * Every package id is registered once (verification_packages), so a package is never counted twice, and
 * a package that fails any check writes nothing but the audit row of its refusal (`importingPackage`).
 * The other direction — answering another region's request from our own sources — is answer.service.ts.
 */

export function requireExchange(caller: VerificationCaller): void {
  if (!mayAct(caller.role, 'verification.exchange')) {
    throw new VerificationError('invalid', '您没有异地协查的权限（导出、导入协查包，管理对端公钥）');
  }
}

/** The verification centre of a region, as packages name it: 杨浦区居民经济状况核对中心. */
export function authorityOf(region: string): string {
  const division = getDivision(region === CITY_DIVISION_CODE ? '31' : region);
  return `${division?.name ?? region}居民经济状况核对中心`;
}

export function packageExpiry(now: Date): string {
  const days = verificationParameter(VP.package_valid_days, shanghaiToday(now));
  return new Date(now.getTime() + days * 86_400_000).toISOString();
}

/** Reads and checks a package file against the register of keys; replay is the caller's next check. */
export async function openPackage<F extends PackageFormat>(db: Db, text: string, format: F, now: Date) {
  const envelope = readEnvelope(text);
  const payload = verifyEnvelope(envelope, await trustedKey(db, envelope.keyId), format, now);
  const seen = await findPackage(db, payload.packageId);
  if (seen) {
    throw new PackageRefused(
      'replayed',
      `协查包 ${payload.packageId} 已于 ${seen.createdAt} 登记，不再重复接收`,
      {
        packageId: payload.packageId,
        keyId: envelope.keyId,
      },
    );
  }
  return { envelope, payload };
}

const replayed = (envelope: Envelope, packageId: string) =>
  new PackageRefused('replayed', `协查包 ${packageId} 已登记，不再重复接收`, {
    packageId,
    keyId: envelope.keyId,
  });

// ---- export a request package ---------------------------------------------------------------------

export interface ExportInput {
  districtCode: string;
  requestId: string;
  /** The region asked (GB/T 2260, 6 digits): a peer key for it must be registered. */
  toRegion: string;
}

export interface ExportResult {
  file: PackageFile<RequestPayload>;
  requestNo: string;
  peerAuthority: string;
}

export async function exportRequestPackage(
  tx: WorkTx,
  caller: VerificationCaller,
  key: SigningKey,
  input: ExportInput,
): Promise<ExportResult> {
  requireExchange(caller);
  if (!/^\d{6}$/.test(input.toRegion)) throw new VerificationError('invalid', '协查地区应为6位行政区划代码');
  const request = await findRequest(tx.db, caller.scope, input.districtCode, input.requestId);
  if (!request) throw new VerificationError('not_found', REQUEST_NOT_FOUND);
  if (request.state !== 'received' && request.state !== 'gathering') {
    throw new VerificationError(
      'invalid',
      `核对委托为「${verificationMachine.states[request.state as keyof typeof verificationMachine.states]}」，只有已受理或信息获取中的委托可以发起异地协查`,
    );
  }
  if (regionCovers(CITY_DIVISION_CODE, input.toRegion)) {
    throw new VerificationError('invalid', `${input.toRegion} 是本市的地区，本市各区的数据由本平台直接核对`);
  }
  // Without a key for the region asked, its answer could never be checked: refuse before sending.
  const today = shanghaiToday(tx.now);
  const peers = (await listPeerKeyRows(tx.db)).filter(
    (k) => regionCovers(k.region, input.toRegion) && validOn(k, today),
  );
  const peer = peers.sort(
    (a, b) => b.region.replace(/0+$/, '').length - a.region.replace(/0+$/, '').length,
  )[0];
  if (!peer) {
    throw new VerificationError(
      'invalid',
      `尚未登记地区 ${input.toRegion} 今日有效的公钥，其答复将无法核验；请先用 verify keys add 登记对方公钥`,
    );
  }
  const query = await findRemoteQuery(tx.db, request.districtCode, request.id);
  if (query?.state === 'answered') {
    throw new VerificationError('invalid', '该核对委托已收到异地协查答复，不再重复发起');
  }

  const persons = [];
  for (const personId of request.personIds) {
    // The request was read in the caller's scope; its members are named by it, wherever they live now.
    const person = await getPerson(
      tx.db,
      ALL,
      { districtCode: request.districtCode, id: personId },
      { unmask: true },
    );
    persons.push({ personId, idNumber: person.idNumber, name: person.name });
  }
  const authorisations = [];
  for (const id of request.authorisationIds) {
    const found = await findAuthorisation(tx.db, request.districtCode, id);
    if (found) authorisations.push(found);
  }
  const signedOn = authorisations.map((a) => a.signedOn).sort()[0];
  if (!signedOn)
    throw new VerificationError('authorisation_missing', '核对委托没有登记授权书，不能发起异地协查');

  const payload: RequestPayload = {
    format: REQUEST_FORMAT,
    packageId: randomUUID(),
    issuedAt: tx.now.toISOString(),
    expiresAt: packageExpiry(tx.now),
    from: { region: request.districtCode, authority: authorityOf(request.districtCode) },
    to: { region: input.toRegion },
    purpose: request.purpose,
    purposeName: purposeName(request.purpose),
    authorisation: {
      ids: authorisations.map((a) => a.id),
      signedOn,
      // The signed papers stay here; the other region quotes these attachment ids to ask for a copy.
      reference: `授权书附件 ${authorisations.map((a) => a.attachmentId).join('、')}`,
    },
    requestNo: request.requestNo,
    persons,
    asOf: request.asOf,
  };
  const file = signPackage(key, payload);
  const sha256 = sha256Hex(canonicalJson(payload));
  await insertPackage(tx, {
    packageId: payload.packageId,
    direction: 'request-out',
    districtCode: request.districtCode,
    requestId: request.id,
    peerRegion: input.toRegion,
    peerAuthority: peer.authority,
    sha256,
    expiresAt: payload.expiresAt,
    createdAt: tx.now.toISOString(),
  });
  await sendRemoteQuery(
    tx,
    { districtCode: request.districtCode, requestId: request.id },
    { batchRef: `package:${payload.packageId}`, expiresAt: payload.expiresAt },
  );
  tx.record({
    action: 'verification.package_exported',
    entityType: 'verification_package',
    entityId: payload.packageId,
    district: request.districtCode,
    // Who was asked about is the request's; the log keeps the count and the hash, not ID numbers.
    after: {
      direction: 'request-out',
      requestId: request.id,
      requestNo: request.requestNo,
      to: input.toRegion,
      peerAuthority: peer.authority,
      persons: persons.length,
      expiresAt: payload.expiresAt,
      sha256,
      keyId: key.keyId,
    },
  });
  return { file, requestNo: request.requestNo, peerAuthority: peer.authority };
}

// ---- import an answer package ---------------------------------------------------------------------

export interface ImportResult {
  packageId: string;
  requestPackageId: string;
  districtCode: string;
  requestId: string;
  requestNo: string;
  from: { region: string; authority: string };
  /** Answer rows written (a row already there is not written again). */
  rows: number;
  found: number;
  noRecord: number;
  gaps: string[];
  /** Arrived after the query timed out or the request package expired: kept, not counted. */
  late: boolean;
  /** Every source query of the request is over: the report can be issued. */
  complete: boolean;
  /** The report was issued in the same unit (the request was gathering and this was the last answer). */
  reported: boolean;
}

export async function importAnswerPackage(
  tx: WorkTx,
  caller: VerificationCaller,
  text: string,
): Promise<ImportResult> {
  requireExchange(caller);
  const { envelope, payload } = await openPackage(tx.db, text, ANSWER_FORMAT, tx.now);
  const detail = { packageId: payload.packageId, keyId: envelope.keyId };
  const sent = await findPackage(tx.db, payload.requestPackageId);
  const request =
    sent?.direction === 'request-out' && sent.requestId
      ? await findRequest(tx.db, caller.scope, sent.districtCode, sent.requestId)
      : undefined;
  if (!sent || !request) {
    throw new PackageRefused(
      'not_sent',
      `所答复的协查请求包 ${payload.requestPackageId} 不是本方（您的数据范围内）发出的`,
      detail,
    );
  }
  // We may ask a district and be answered by its city's centre, or the other way round.
  const sameParty =
    regionCovers(sent.peerRegion, payload.from.region) || regionCovers(payload.from.region, sent.peerRegion);
  if (!sameParty || payload.to.region !== sent.districtCode) {
    throw new PackageRefused(
      'wrong_party',
      `请求包寄往 ${sent.peerRegion}、由 ${sent.districtCode} 发出；答复却来自 ${payload.from.region}、寄往 ${payload.to.region}`,
      detail,
    );
  }
  const members = new Set(request.personIds);
  const strangers = payload.persons.filter((p) => !members.has(p.personId));
  if (payload.requestNo !== request.requestNo || strangers.length > 0) {
    throw new PackageRefused(
      'malformed',
      strangers.length > 0
        ? '答复中有请求包未列出的人员'
        : `答复的核对编号 ${payload.requestNo} 与请求包的 ${request.requestNo} 不符`,
      detail,
    );
  }
  const key = { districtCode: request.districtCode, requestId: request.id };
  const query = await findRemoteQuery(tx.db, key.districtCode, key.requestId);
  if (query?.state === 'answered') {
    throw new PackageRefused(
      'already_answered',
      `该核对委托的异地答复已于 ${query.answeredAt ?? ''} 登记`,
      detail,
    );
  }
  // Kept but not counted: after the query timed out, after the package expired, or for a request that has
  // moved on (withdrawn, or reported without this region).
  const open = request.state === 'received' || request.state === 'gathering';
  const late = !open || query?.state !== 'sent' || Date.parse(sent.expiresAt) <= tx.now.getTime();

  const registered = await insertPackage(tx, {
    packageId: payload.packageId,
    direction: 'answer-in',
    districtCode: request.districtCode,
    requestId: request.id,
    peerRegion: payload.from.region,
    peerAuthority: payload.from.authority,
    sha256: envelope.sha256,
    expiresAt: payload.expiresAt,
    createdAt: tx.now.toISOString(),
  });
  if (!registered) throw replayed(envelope, payload.packageId);

  const receivedAt = tx.now.toISOString();
  const rows: AnswerInsert[] = payload.answers.map((a) => ({
    districtCode: request.districtCode,
    requestId: request.id,
    source: 'remote',
    personId: a.personId,
    kind: a.kind,
    amountFen: a.amountFen ?? null,
    quantity: a.quantity ?? null,
    flag: a.flag ?? null,
    textValue: a.textValue ?? null,
    reference: a.reference,
    receivedAt,
    late,
  }));
  const written = await insertAnswers(tx, rows);
  const digest = new RowDigest();
  for (const row of written) digest.add(row);
  const gaps = payload.gaps.length > 0 ? `对方未能答复：${payload.gaps.join('；')}` : null;
  if (!late) await answerRemoteQuery(tx, key, gaps);
  const found = payload.persons.filter((p) => p.status === 'found').length;
  tx.record({
    action: 'verification.package_imported',
    entityType: 'verification_package',
    entityId: payload.packageId,
    district: request.districtCode,
    after: {
      direction: 'answer-in',
      requestPackageId: payload.requestPackageId,
      requestId: request.id,
      requestNo: request.requestNo,
      from: payload.from,
      rows: digest.count,
      digest: digest.hex(),
      found,
      noRecord: payload.persons.length - found,
      gaps: payload.gaps,
      late,
      sha256: envelope.sha256,
      keyId: envelope.keyId,
    },
  });
  // The last answer in: issue the report now rather than at the gathering job's next sweep (issueReports
  // re-checks that the request is gathering and every query is over, and records its own batch).
  const complete = !late && (await allQueriesTerminal(tx.db, key.districtCode, key.requestId));
  const reported = complete && (await issueReports(tx, key.districtCode, [key.requestId])) > 0;
  return {
    packageId: payload.packageId,
    requestPackageId: payload.requestPackageId,
    districtCode: request.districtCode,
    requestId: request.id,
    requestNo: request.requestNo,
    from: payload.from,
    rows: written.length,
    found,
    noRecord: payload.persons.length - found,
    gaps: payload.gaps,
    late,
    complete,
    reported,
  };
}

// ---- refusals ------------------------------------------------------------------------------------

/**
 * Runs `work`; when it refuses a package, the refusal alone is recorded (verification.package_refused) in
 * a unit of its own — whatever `work` had begun is rolled back with its own unit — and thrown on.
 */
export async function refusalsRecorded<T>(
  store: Store,
  actor: ActingContext,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof PackageRefused) {
      await recordOnly(store, actor, actor.reason, {
        action: 'verification.package_refused',
        entityType: 'verification_package',
        entityId: error.packageId ?? null,
        after: {
          reason: error.reason,
          message: error.message,
          problems: error.problems,
          keyId: error.keyId ?? null,
        },
      });
    }
    throw error;
  }
}

/** An import as one unit of work whose refusal leaves only its audit row: edges use it for every import. */
export function importingPackage<T>(
  store: Store,
  actor: ActingContext,
  work: (tx: WorkTx) => Promise<T>,
): Promise<T> {
  return refusalsRecorded(store, actor, () => inUnitOfWork(store, actor, work));
}
