import { sql } from 'drizzle-orm';
import { selectRows } from '../../db/sql.ts';
import type { Db, Session } from '../../db/store.ts';
import type { AnswerRow } from '../sources/source.ts';
import { verificationMachine } from '../verification.machine.ts';
import type { ChangeRow, NewRecheckRequest, RecheckBatchCommon } from './recheck.repository.ts';
import { csvField } from '../../db/csv.ts';

/**
 * The rows of a re-verification batch answered in memory (recheck.bulk.ts), each table by one COPY: the
 * requests in their final state (reported, version 3) with their three timeline steps, the source queries
 * answered, the raw answers and the change rows. District first in every row and read.
 */

/** CSV lines gathered into chunks of about a megabyte (a chunk per row would be a socket write per row). */
export function* chunked(lines: Iterable<string>): Generator<string> {
  let chunk = '';
  for (const l of lines) {
    chunk += l;
    if (chunk.length >= 1 << 20) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}

const line = (values: readonly (string | number | boolean | null | undefined)[]) =>
  `${values.map(csvField).join(',')}\n`;

/** The households among `householdIds` already re-verified for the purpose in the month of `asOf` (any job). */
export async function recheckedThisMonth(
  db: Db,
  common: Pick<RecheckBatchCommon, 'districtCode' | 'purpose' | 'asOf'>,
  householdIds: readonly string[],
): Promise<Set<string>> {
  if (householdIds.length === 0) return new Set();
  const rows = await selectRows<{ id: string }>(
    db,
    sql`select distinct r.household_id::text as id from verification_requests r
        where r.district_code = ${common.districtCode}
          and r.household_id = any(${`{${householdIds.join(',')}}`}::uuid[])
          and r.origin = 'recheck' and r.purpose = ${common.purpose} and r.state <> 'withdrawn'
          and r.as_of >= date_trunc('month', ${common.asOf}::date)
          and r.as_of < date_trunc('month', ${common.asOf}::date) + interval '1 month'`,
  );
  return new Set(rows.map((r) => r.id));
}

export interface Actor {
  userId: string | null;
  divisionCode: string | null;
  reason: string;
}

/** A request of the batch as written: reported at once, partial when some source left a gap. */
export interface ReportedRequest extends NewRecheckRequest {
  partial: boolean;
}

const REQUEST_COLUMNS = [
  'district_code',
  'id',
  'request_no',
  'household_id',
  'committee_code',
  'purpose',
  'origin',
  'person_ids',
  'authorisation_ids',
  'as_of',
  'state',
  'version',
  'partial',
  'due_due',
  'due_from',
  'due_working_days',
  'due_rule',
  'due_provisional',
  'job_id',
  'created_by',
  'created_at',
  'reported_at',
] as const;

const EVENT_COLUMNS = [
  'district_code',
  'entity_type',
  'entity_id',
  'machine',
  'action',
  'from_state',
  'to_state',
  'version',
  'actor_id',
  'actor_division',
  'reason',
  'attachments',
  'at',
] as const;

/**
 * The requests, each written once in the state its batch leaves it (受理 → 信息获取 → 出具报告 happen inside
 * the one unit: nobody sees the states between), with the three steps of its timeline in order.
 */
export async function copyReportedRequests(
  session: Session,
  common: RecheckBatchCommon,
  actor: Actor,
  at: string,
  rows: readonly ReportedRequest[],
): Promise<void> {
  if (rows.length === 0) return;
  const d = common.districtCode;
  const steps = ['start', 'gather', 'report'].map((action) =>
    verificationMachine.transitions.find((t) => t.action === action)!,
  );
  const last = steps.at(-1)!;
  const due = common.due;
  await session.copyFrom(
    'verification_requests',
    REQUEST_COLUMNS,
    chunked(
      rows.map((r) =>
        line([
          d,
          r.id,
          r.requestNo,
          r.householdId,
          r.committeeCode,
          common.purpose,
          'recheck',
          `{${r.personIds.join(',')}}`,
          `{${r.authorisationIds.join(',')}}`,
          common.asOf,
          last.to,
          steps.length,
          r.partial,
          due.due,
          due.from,
          due.workingDays,
          due.rule,
          due.provisional,
          common.jobId,
          actor.userId,
          at,
          at,
        ]),
      ),
    ),
  );
  const m = verificationMachine;
  await session.copyFrom(
    'workflow_event',
    EVENT_COLUMNS,
    chunked(
      rows.flatMap((r) =>
        steps.map((t, i) =>
          line([
            d,
            m.entityType,
            r.id,
            m.name,
            t.action,
            i === 0 ? null : steps[i - 1]!.to,
            t.to,
            i + 1,
            actor.userId,
            actor.divisionCode,
            actor.reason,
            '[]',
            at,
          ]),
        ),
      ),
    ),
  );
}

const QUERY_COLUMNS = [
  'district_code',
  'request_id',
  'source',
  'state',
  'attempts',
  'batch_ref',
  'sent_at',
  'expires_at',
  'answered_at',
  'error',
] as const;

/** Every source's query of every request, answered in this batch (sent once, answered at once). */
export async function copyAnsweredQueries(
  session: Session,
  districtCode: string,
  requestIds: readonly string[],
  sources: readonly { source: string; batchRef: string }[],
  at: string,
): Promise<void> {
  if (requestIds.length === 0) return;
  await session.copyFrom(
    'verification_source_queries',
    QUERY_COLUMNS,
    chunked(
      requestIds.flatMap((id) =>
        sources.map((s) => line([districtCode, id, s.source, 'answered', 1, s.batchRef, at, null, at, null])),
      ),
    ),
  );
}

const ANSWER_COLUMNS = [
  'district_code',
  'request_id',
  'source',
  'person_id',
  'kind',
  'amount_fen',
  'quantity',
  'flag',
  'text_value',
  'reference',
  'received_at',
  'late',
] as const;

/** The raw answers as the sources gave them (none late: they came back in the batch that asked). */
export async function copyAnswers(
  session: Session,
  districtCode: string,
  rows: readonly (AnswerRow & { source: string })[],
  at: string,
): Promise<void> {
  if (rows.length === 0) return;
  await session.copyFrom(
    'verification_answers',
    ANSWER_COLUMNS,
    chunked(
      rows.map((a) =>
        line([
          districtCode,
          a.requestId,
          a.source,
          a.personId,
          a.kind,
          a.amountFen,
          a.quantity,
          a.flag,
          a.textValue,
          a.reference,
          at,
          false,
        ]),
      ),
    ),
  );
}

const CHANGE_COLUMNS = [
  'district_code',
  'job_id',
  'request_id',
  'household_id',
  'person_id',
  'kind',
  'program',
  'old_value',
  'new_value',
  'source',
  'as_of',
  'affects_eligibility',
  'affects_amount',
  'created_at',
] as const;

/** The change rows of requests created in this batch (new requests: nothing of theirs is there yet). */
export async function copyChanges(session: Session, rows: readonly ChangeRow[], at: string): Promise<void> {
  if (rows.length === 0) return;
  await session.copyFrom(
    'verification_changes',
    CHANGE_COLUMNS,
    chunked(
      rows.map((c) =>
        line([
          c.districtCode,
          c.jobId,
          c.requestId,
          c.householdId,
          c.personId,
          c.kind,
          c.program,
          c.oldValue,
          c.newValue,
          c.source,
          c.asOf,
          c.affectsEligibility,
          c.affectsAmount,
          at,
        ]),
      ),
    ),
  );
}
