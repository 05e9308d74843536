import type { baselineParameters } from '../../policy/index.ts';
import { householdFigures, personFigures } from '../../registry/facts/facts.repository.ts';
import { recordVerifiedFacts, type VerifiedFactInput } from '../../registry/facts/facts.service.ts';
import { HOUSEHOLD_DEFAULTS, type PersonFigures } from '../../registry/facts/facts.types.ts';
import { RowDigest, type WorkTx } from '../../workflow/unit-of-work.ts';
import { transitionOf } from '../verification.machine.ts';
import { VerificationError } from '../verification.errors.ts';
import { buildReport, toleranceOn, type BuiltReport } from './report.build.ts';
import {
  answersOf,
  copyReports,
  markReported,
  membershipsOf,
  queriesOf,
  readyRequests,
  reportsDigest,
  type ReadyRequest,
  type ReportRow,
} from './report.repository.ts';
import type { Tolerance } from './report.types.ts';
import { parametersInForce } from '../../parameter-changes/parameters-in-force.ts';

/**
 * 出具核对报告, set-based: the gathering job calls `issueReports` with the requests whose answers it has just
 * recorded. Requests in state `gathering` whose every source query is terminal get their report (revision 1),
 * their complete verified figures become dated facts (source 核对, the report number as reference), and they
 * move to `reported` — with reported_at and whether some source is missing (partial) — by one compare-and-set
 * over the machine's `report` transition. The reads are a few statements whatever the number of requests
 * (requests, queries, answers, memberships, and the declared figures once per distinct date), the reports
 * one COPY, the facts a few statements; the unit gets ONE batch record whose digest covers every row written.
 */

const BATCH_REASON = '核对信息获取完毕，出具核对报告';

/** Requests read at once: bounded so that one statement's arrays and the bodies in memory stay small. */
const PART = 5_000;

export async function issueReports(
  tx: WorkTx,
  districtCode: string,
  requestIds: readonly string[],
): Promise<number> {
  if (!/^\d{6}$/.test(districtCode))
    throw new VerificationError('invalid', `区划代码「${districtCode}」无效`);
  const ids = [...new Set(requestIds)].filter((id) => UUID.test(id));
  if (ids.length === 0) return 0;
  const transition = transitionOf('report');
  const digest = new RowDigest();
  const parameters = parametersInForce();
  const districtParameters = parameters.forDistrict(districtCode);
  const tolerances = new Map<string, Tolerance>();
  const createdAt = tx.now.toISOString();
  let issued = 0;
  let flagged = 0;
  let partial = 0;
  let factsWritten = 0;
  let factsSkipped = 0;
  let factsUnchanged = 0;
  for (let at = 0; at < ids.length; at += PART) {
    const requests = await readyRequests(tx.db, districtCode, ids.slice(at, at + PART), transition.from);
    if (requests.length === 0) continue;
    const built = await buildAll(
      tx,
      districtCode,
      requests,
      (asOf) => {
        const month = asOf.slice(0, 7);
        let t = tolerances.get(month);
        if (!t) tolerances.set(month, (t = toleranceOn(districtParameters, asOf)));
        return t;
      },
      parameters,
    );
    const rows = built.map(({ request, report }) => {
      const row: ReportRow = {
        districtCode,
        requestId: request.id,
        revision: 1,
        reportNo: report.body.reportNo,
        body: report.body,
        flagCount: report.flagCount,
        createdBy: tx.actor.userId,
        createdAt,
        reason: BATCH_REASON,
      };
      return { row, bodyJson: JSON.stringify(report.body) };
    });
    await copyReports(tx, rows);
    // The reports enter the digest as the server hashed them once stored (report.repository.ts
    // REPORT_LINE), so that an auditor recomputes it from the table.
    digest.add({
      table: 'verification_reports',
      ...(await reportsDigest(
        tx.db,
        districtCode,
        rows.map((r) => r.row.requestId),
        1,
      )),
    });
    const facts: VerifiedFactInput[] = built.flatMap((b) => b.report.facts);
    const written = await recordVerifiedFacts(tx, facts, digest);
    factsWritten += written.written;
    factsSkipped += written.skipped.length;
    factsUnchanged += written.unchanged;
    const moves = built.map(({ request, report }) => ({
      id: request.id,
      version: request.version,
      partial: report.body.partial,
    }));
    const moved = await markReported(tx, districtCode, moves, transition, createdAt);
    if (moved.length !== moves.length) {
      // The rows were locked when read: a difference means a concurrent writer bypassed the lock.
      throw new VerificationError('invalid', '核对委托已被他人修改，报告未出具，请重试');
    }
    for (const m of moves) {
      digest.add({ table: 'verification_requests', id: m.id, state: transition.to, partial: m.partial });
    }
    issued += moves.length;
    flagged += built.filter((b) => b.report.flagCount > 0).length;
    partial += moves.filter((m) => m.partial).length;
  }
  if (issued === 0) return 0;
  tx.recordBatch({
    action: 'verification.reported',
    entityType: 'verification_request',
    entityId: `${districtCode}/reports/${createdAt}`,
    district: districtCode,
    digest,
    summary: { reports: issued, flagged, partial, facts: factsWritten, factsUnchanged, factsSkipped },
  });
  return issued;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function buildAll(
  tx: WorkTx,
  districtCode: string,
  requests: readonly ReadyRequest[],
  tolerance: (asOf: string) => Tolerance,
  parameters: ReturnType<typeof baselineParameters>,
): Promise<{ request: ReadyRequest; report: BuiltReport }[]> {
  const ids = requests.map((r) => r.id);
  const [queries, answers, memberships] = [
    await queriesOf(tx.db, districtCode, ids),
    await answersOf(tx.db, districtCode, ids),
    await membershipsOf(
      tx.db,
      districtCode,
      requests.map((r) => r.householdId),
    ),
  ];
  // The declared figures: the facts resolved on each request's date, once per distinct date.
  const byDate = new Map<string, ReadyRequest[]>();
  for (const r of requests) byDate.set(r.asOf, [...(byDate.get(r.asOf) ?? []), r]);
  const persons = new Map<string, Map<string, PersonFigures>>();
  const households = new Map<string, Map<string, ReturnType<typeof householdOf>>>();
  for (const [asOf, list] of byDate) {
    const personIds = [...new Set(list.flatMap((r) => r.personIds))];
    persons.set(asOf, await personFigures(tx.db, districtCode, { ids: personIds }, asOf));
    households.set(
      asOf,
      await householdFigures(tx.db, districtCode, { ids: list.map((r) => r.householdId) }, asOf),
    );
  }
  return requests.map((request) => ({
    request,
    report: buildReport(
      {
        districtCode,
        requestId: request.id,
        requestNo: request.requestNo,
        householdId: request.householdId,
        purpose: request.purpose,
        personIds: request.personIds,
        asOf: request.asOf,
        memberships: memberships.get(request.householdId) ?? [],
        declaredPersons: persons.get(request.asOf)!,
        declaredHousehold: householdOf(households.get(request.asOf)!, request.householdId),
        queries: queries.get(request.id) ?? [],
        answers: answers.get(request.id) ?? [],
      },
      tolerance(request.asOf),
      parameters,
    ),
  }));
}

function householdOf(map: ReadonlyMap<string, typeof HOUSEHOLD_DEFAULTS>, id: string) {
  return map.get(id) ?? { ...HOUSEHOLD_DEFAULTS };
}
