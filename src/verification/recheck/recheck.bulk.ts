import { type ProgramCode } from '../../policy/index.ts';
import { householdFigures, personFigures } from '../../registry/facts/facts.repository.ts';
import { declaredFiguresOn } from '../../registry/facts/declared.repository.ts';
import { HOUSEHOLD_DEFAULTS } from '../../registry/facts/facts.types.ts';
import { copyVerifiedFacts } from '../../registry/facts/verified.bulk.ts';
import { personIdentities } from '../../registry/person.repository.ts';
import { CopyDigest, digestingCopies } from '../../workflow/copy-digest.ts';
import type { WorkTx } from '../../workflow/unit-of-work.ts';
import { buildReport, toleranceOn as reportTolerance, type BuiltReport } from '../report/report.build.ts';
import { copyReports, membershipsOf, type ReportRow } from '../report/report.repository.ts';
import type { QueryOutcome, RawAnswer } from '../report/report.types.ts';
import { LOCAL_SOURCE_CODES, type LocalSourceCode } from '../sources/catalogue.ts';
import {
  plantedItems,
  toleranceOn as simulatedTolerance,
  type SimulationModel,
} from '../sources/ground-truth.ts';
import { simulatedAnswers } from '../sources/simulated.source.ts';
import type { AnswerRow } from '../sources/source.ts';
import { changesOfReports, type EngineMode } from './changes.ts';
import {
  copyAnsweredQueries,
  copyAnswers,
  copyChanges,
  copyReportedRequests,
  recheckedThisMonth,
  type ReportedRequest,
} from './recheck.copy.ts';
import type { ChangeRow, NewRecheckRequest, RecheckBatchCommon } from './recheck.repository.ts';
import { parametersInForce } from '../../parameter-changes/parameters-in-force.ts';

/**
 * A re-verification batch when every local source is simulated: set-based from end to end. The simulated
 * sources are deterministic from the ground truth (ground-truth.ts), so the batch answers every request in
 * memory from the figures it reads once (declared, resolved, members, civil records: one statement each for
 * the whole batch), builds each report with the one pure function (report.build.ts, as issueReports does),
 * and reckons the change list from the reports in hand. Then it writes each table once, by COPY: requests in
 * their final state with their timeline, queries answered, answers, reports, verified facts (with the
 * projection columns, one statement: verified.bulk.ts) and change rows. The digest of the batch's one audit
 * record covers every COPY's data (CopyDigest); what the verified-facts statement inserted and ended is
 * summarised by the server's SHA-256 of those rows.
 *
 * What a request, its queries, answers and report say is what the gathering path (gather.service.ts →
 * issueReports) writes for the same household on the same day: the same answers (the simulated adapter's
 * function, the same batch reference), the same report inputs in the same order.
 */

const REPORT_REASON = '核对信息获取完毕，出具核对报告';

export interface BulkInput {
  jobId: string;
  batch: number;
  districtCode: string;
  program: ProgramCode;
}

export interface BulkOutcome {
  requests: number;
  reported: number;
  changes: number;
  affecting: number;
  digest: CopyDigest;
  facts: { written: number; ended: number; unchanged: number; sha256: string; endedSha256: string };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The answers as the report reads them back (answersOf): every field present, by source, person, kind. */
function asRead(rows: readonly (AnswerRow & { source: LocalSourceCode })[]): RawAnswer[] {
  return rows
    .map((a) => ({
      source: a.source,
      personId: a.personId,
      kind: a.kind,
      amountFen: a.amountFen ?? null,
      quantity: a.quantity ?? null,
      flag: a.flag ?? null,
      textValue: a.textValue ?? null,
    }))
    .sort((a, b) => cmp(a.source, b.source) || cmp(a.personId, b.personId) || cmp(a.kind, b.kind));
}

export async function bulkRecheck(
  tx: WorkTx,
  input: BulkInput,
  common: RecheckBatchCommon,
  candidates: readonly NewRecheckRequest[],
  model: SimulationModel,
  options: { engine?: EngineMode | undefined; afterRequests?: (() => void | Promise<void>) | undefined },
): Promise<BulkOutcome> {
  const digest = new CopyDigest();
  const empty: BulkOutcome = {
    requests: 0,
    reported: 0,
    changes: 0,
    affecting: 0,
    digest,
    facts: { written: 0, ended: 0, unchanged: 0, sha256: '', endedSha256: '' },
  };
  const d = input.districtCode;
  const asOf = common.asOf;
  const done = await recheckedThisMonth(
    tx.db,
    common,
    candidates.map((r) => r.householdId),
  );
  const requests = candidates.filter((r) => !done.has(r.householdId));
  if (requests.length === 0) {
    await options.afterRequests?.();
    return empty;
  }
  const personIds = requests.flatMap((r) => r.personIds);
  const householdIds = requests.map((r) => r.householdId);
  const identities = await personIdentities(tx.db, d, personIds);
  const memberships = await membershipsOf(tx.db, d, householdIds);
  const declared = await declaredFiguresOn(tx.db, d, personIds, householdIds, asOf);
  const persons = await personFigures(tx.db, d, { ids: personIds }, asOf);
  const households = await householdFigures(tx.db, d, { ids: householdIds }, asOf);

  const parameters = parametersInForce();
  const tolerance = reportTolerance(parameters.forDistrict(d), asOf);
  const simulated = simulatedTolerance(asOf);
  const sources = [...LOCAL_SOURCE_CODES]
    .sort(cmp)
    .map((source) => ({ source, batchRef: `${input.jobId}#${input.batch}:${source}` }));
  const queries: QueryOutcome[] = sources.map((s) => ({ source: s.source, state: 'answered', error: null }));
  const answers: (AnswerRow & { source: LocalSourceCode })[] = [];
  const built: { request: NewRecheckRequest; report: BuiltReport }[] = [];
  for (const request of requests) {
    // The members the agencies are asked about: those the registry knows (as the gathering batch sends).
    const known = request.personIds.filter((id) => identities.has(id));
    const r = {
      districtCode: d,
      requestId: request.id,
      householdId: request.householdId,
      asOf,
      personIds: known,
    };
    const planted = plantedItems(r, declared, simulated, model);
    const mine: (AnswerRow & { source: LocalSourceCode })[] = [];
    for (const { source, batchRef } of sources) {
      const reference = `模拟-${source}-${batchRef}`;
      if (source === 'civil') {
        for (const personId of known) {
          const c = identities.get(personId)!;
          const row = { requestId: request.id, personId, reference, source };
          mine.push({ ...row, kind: 'hukou', textValue: c.hukouDivisionCode });
          if (c.maritalStatus) mine.push({ ...row, kind: 'marital', textValue: c.maritalStatus });
          if (c.deathDate) mine.push({ ...row, kind: 'death', textValue: c.deathDate });
        }
        continue;
      }
      for (const a of simulatedAnswers(source, r, declared, simulated, model, reference, planted)) {
        mine.push({ ...a, source });
      }
    }
    answers.push(...mine);
    built.push({
      request,
      report: buildReport(
        {
          districtCode: d,
          requestId: request.id,
          requestNo: request.requestNo,
          householdId: request.householdId,
          purpose: common.purpose,
          personIds: request.personIds,
          asOf,
          memberships: memberships.get(request.householdId) ?? [],
          declaredPersons: persons,
          declaredHousehold: households.get(request.householdId) ?? { ...HOUSEHOLD_DEFAULTS },
          queries,
          answers: asRead(mine),
        },
        tolerance,
        parameters,
      ),
    });
  }

  const at = tx.now.toISOString();
  const session = digestingCopies(tx, digest);
  const reported: ReportedRequest[] = built.map((b) => ({ ...b.request, partial: b.report.body.partial }));
  await copyReportedRequests(session, common, tx.actor, at, reported);
  await options.afterRequests?.();
  await copyAnsweredQueries(
    session,
    d,
    requests.map((r) => r.id),
    sources,
    at,
  );
  await copyAnswers(session, d, answers, at);
  const rows = built.map(({ request, report }) => {
    const row: ReportRow = {
      districtCode: d,
      requestId: request.id,
      revision: 1,
      reportNo: report.body.reportNo,
      body: report.body,
      flagCount: report.flagCount,
      createdBy: tx.actor.userId,
      createdAt: at,
      reason: REPORT_REASON,
    };
    return { row, bodyJson: JSON.stringify(report.body) };
  });
  await copyReports(session, rows);
  const facts = await copyVerifiedFacts(
    tx,
    session,
    built.flatMap((b) => b.report.facts),
  );

  const reports = built.map((b) => ({
    requestId: b.request.id,
    householdId: b.request.householdId,
    body: b.report.body,
  }));
  const changes: ChangeRow[] = changesOfReports(
    reports,
    input.program,
    parameters.forDistrict(d),
    options.engine,
  ).flatMap((h) =>
    h.changes.map((c) => ({
      districtCode: d,
      jobId: input.jobId,
      requestId: h.requestId,
      householdId: h.householdId,
      personId: c.personId,
      kind: c.kind,
      program: input.program,
      oldValue: c.oldValue,
      newValue: c.newValue,
      source: c.source,
      asOf: h.asOf,
      affectsEligibility: c.affectsEligibility,
      affectsAmount: c.affectsAmount,
    })),
  );
  await copyChanges(session, changes, at);
  return {
    requests: requests.length,
    reported: built.length,
    changes: changes.length,
    affecting: changes.filter((c) => c.affectsEligibility || c.affectsAmount).length,
    digest,
    facts: {
      written: facts.written,
      ended: facts.ended,
      unchanged: facts.unchanged,
      sha256: facts.insertedSha256,
      endedSha256: facts.endedSha256,
    },
  };
}
