import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/**
 * 居民家庭经济状况核对 (docs/verification.md). Every table is distributed by `district_code` (Citus),
 * co-located with the households it verifies: a request, its source queries, their answers and its
 * reports live in the district of the household's verification centre. Enumerations are text with CHECK
 * constraints, as elsewhere.
 */

const stamp = (name: string) => timestamp(name, { withTimezone: true, mode: 'string', precision: 3 });

/**
 * 授权书: the members named in it authorise the bureau to query their records for a purpose, for a dated
 * period (`valid_until` exclusive, from the parameter `authorisation_valid_days`), or — `standing`, signed at
 * application — for as long as the benefit lasts (until `ended_on`). The signed paper is an attachment of
 * the household (kind 授权书), named by `attachment_id`.
 */
export const verificationAuthorisations = pgTable(
  'verification_authorisations',
  {
    districtCode: text('district_code').notNull(),
    id: uuid('id').notNull(),
    householdId: uuid('household_id').notNull(),
    /** A program code of the engine, or housing_lianzu 廉租房 / housing_gongyou 共有产权房 / other 其他. */
    purpose: text('purpose').notNull(),
    /** The persons who signed (each adult member must be among them for a request to be accepted). */
    personIds: uuid('person_ids').array().notNull(),
    signedOn: date('signed_on', { mode: 'string' }).notNull(),
    validUntil: date('valid_until', { mode: 'string' }),
    standing: boolean('standing').notNull().default(false),
    endedOn: date('ended_on', { mode: 'string' }),
    endReason: text('end_reason'),
    attachmentId: uuid('attachment_id').notNull(),
    createdBy: text('created_by'),
    createdAt: stamp('created_at').notNull(),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    primaryKey({ columns: [t.districtCode, t.id] }),
    index('verification_authorisations_household_idx').on(t.districtCode, t.householdId, t.purpose),
    index('verification_authorisations_standing_idx')
      .on(t.districtCode, t.purpose, t.householdId)
      .where(sql`${t.standing} and ${t.endedOn} is null`),
    check(
      'verification_authorisations_period_chk',
      sql`(${t.standing} and ${t.validUntil} is null) or (not ${t.standing} and ${t.validUntil} > ${t.signedOn})`,
    ),
    check('verification_authorisations_members_chk', sql`cardinality(${t.personIds}) > 0`),
    check('verification_authorisations_end_chk', sql`(${t.endedOn} is null) = (${t.endReason} is null)`),
  ],
);

/**
 * 核对委托: one household, one purpose, its life following MZ/T 072 (verification.machine.ts). The members
 * and the authorisations that covered them are fixed when the request is accepted; the deadline counts
 * working days from that day (the columns of a stored deadline, docs/architecture.md).
 */
export const verificationRequests = pgTable(
  'verification_requests',
  {
    districtCode: text('district_code').notNull(),
    id: uuid('id').notNull(),
    /** HD-<district>-<year>-<serial>: what people quote on the phone and on paper. */
    requestNo: text('request_no').notNull(),
    householdId: uuid('household_id').notNull(),
    /** The household's residents' committee: a street sees the requests of its committees. */
    committeeCode: text('committee_code').notNull(),
    purpose: text('purpose').notNull(),
    /** application 申请核对 | recheck 定期复核 | exchange 异地协查 (a request received from another region). */
    origin: text('origin').notNull(),
    personIds: uuid('person_ids').array().notNull(),
    authorisationIds: uuid('authorisation_ids').array().notNull(),
    /** The declared figures' date: the report compares what held on this day. */
    asOf: date('as_of', { mode: 'string' }).notNull(),
    state: text('state').notNull(),
    version: integer('version').notNull().default(1),
    /** Some source did not answer in time or failed for good: the report states the gap. */
    partial: boolean('partial').notNull().default(false),
    dueDue: date('due_due', { mode: 'string' }).notNull(),
    dueFrom: date('due_from', { mode: 'string' }).notNull(),
    dueWorkingDays: integer('due_working_days').notNull(),
    dueRule: text('due_rule').notNull(),
    dueProvisional: boolean('due_provisional').notNull(),
    /** The re-verification job that created it (origin recheck). */
    jobId: uuid('job_id'),
    /** Origin exchange: the requesting region's package id and authority. */
    exchangeRef: text('exchange_ref'),
    createdBy: text('created_by'),
    createdAt: stamp('created_at').notNull(),
    reportedAt: stamp('reported_at'),
  },
  (t) => [
    primaryKey({ columns: [t.districtCode, t.id] }),
    uniqueIndex('verification_requests_no_uq').on(t.districtCode, t.requestNo),
    index('verification_requests_list_idx').on(t.districtCode, t.committeeCode, t.createdAt),
    index('verification_requests_household_idx').on(t.districtCode, t.householdId),
    index('verification_requests_open_idx')
      .on(t.districtCode, t.dueDue)
      .where(sql`${t.state} in ('received','gathering')`),
    index('verification_requests_due_provisional_idx')
      .on(t.dueDue)
      .where(sql`${t.dueProvisional}`),
    check(
      'verification_requests_state_chk',
      sql`${t.state} in ('received','gathering','reported','in_review','reviewed','withdrawn')`,
    ),
    check('verification_requests_origin_chk', sql`${t.origin} in ('application','recheck','exchange')`),
    check('verification_requests_district_chk', sql`${t.districtCode} ~ '^[0-9]{6}$'`),
  ],
);

/**
 * One source asked about one request: its state (pending → sent → answered | failed | timed_out; a retry
 * sends again), attempts, and the batch it travelled in (a file name or an HTTP call's id).
 */
export const verificationSourceQueries = pgTable(
  'verification_source_queries',
  {
    districtCode: text('district_code').notNull(),
    requestId: uuid('request_id').notNull(),
    source: text('source').notNull(),
    state: text('state').notNull(),
    attempts: integer('attempts').notNull().default(0),
    batchRef: text('batch_ref'),
    sentAt: stamp('sent_at'),
    /** When an unanswered query counts as timed out (sent_at + the source's timeout). */
    expiresAt: stamp('expires_at'),
    answeredAt: stamp('answered_at'),
    error: text('error'),
  },
  (t) => [
    primaryKey({ columns: [t.districtCode, t.requestId, t.source] }),
    index('verification_source_queries_work_idx')
      .on(t.districtCode, t.source, t.state)
      .where(sql`${t.state} in ('pending','sent')`),
    check(
      'verification_source_queries_state_chk',
      sql`${t.state} in ('pending','sent','answered','failed','timed_out')`,
    ),
  ],
);

/**
 * A source's raw answer, one row per subject and kind: what the agency said, kept as received (only
 * verification staff read these). `late` answers arrived after the query timed out: kept, not counted.
 */
export const verificationAnswers = pgTable(
  'verification_answers',
  {
    districtCode: text('district_code').notNull(),
    requestId: uuid('request_id').notNull(),
    source: text('source').notNull(),
    personId: uuid('person_id').notNull(),
    kind: text('kind').notNull(),
    amountFen: bigint('amount_fen', { mode: 'number' }),
    quantity: integer('quantity'),
    flag: boolean('flag'),
    /** Dates and codes (a death date, a marital status code, a hukou place). */
    textValue: text('text_value'),
    /** The agency's own reference (批次号, 记录号). */
    reference: text('reference').notNull().default(''),
    receivedAt: stamp('received_at').notNull(),
    late: boolean('late').notNull().default(false),
  },
  (t) => [primaryKey({ columns: [t.districtCode, t.requestId, t.source, t.personId, t.kind] })],
);

/**
 * 核对报告, one row per revision: revision 1 when the answers are in, revision 2… after a review (结果复核);
 * every revision is kept. `body` is the report as presented (report.types.ts), the figures in fen.
 */
export const verificationReports = pgTable(
  'verification_reports',
  {
    districtCode: text('district_code').notNull(),
    requestId: uuid('request_id').notNull(),
    revision: integer('revision').notNull(),
    reportNo: text('report_no').notNull(),
    body: jsonb('body').notNull(),
    flagCount: integer('flag_count').notNull(),
    createdBy: text('created_by'),
    createdAt: stamp('created_at').notNull(),
    reason: text('reason').notNull(),
  },
  (t) => [primaryKey({ columns: [t.districtCode, t.requestId, t.revision] })],
);

/**
 * 结果复核: the applicant contests a finding within the time limit (a parameter, working days from the
 * report); a second officer — not the one who requested the verification — decides, and an upheld
 * objection revises the report.
 */
export const verificationObjections = pgTable(
  'verification_objections',
  {
    districtCode: text('district_code').notNull(),
    id: uuid('id').notNull(),
    requestId: uuid('request_id').notNull(),
    /** The report revision contested. */
    revision: integer('revision').notNull(),
    grounds: text('grounds').notNull(),
    /** Which findings (member and kind) are contested, with what the applicant says is right. */
    claims: jsonb('claims').notNull(),
    attachmentIds: uuid('attachment_ids').array().notNull(),
    state: text('state').notNull(),
    version: integer('version').notNull().default(1),
    filedBy: text('filed_by'),
    filedAt: stamp('filed_at').notNull(),
    decidedBy: text('decided_by'),
    decidedAt: stamp('decided_at'),
    decision: text('decision'),
  },
  (t) => [
    primaryKey({ columns: [t.districtCode, t.id] }),
    index('verification_objections_request_idx').on(t.districtCode, t.requestId),
    uniqueIndex('verification_objections_open_uq')
      .on(t.districtCode, t.requestId)
      .where(sql`${t.state} = 'open'`),
    check('verification_objections_state_chk', sql`${t.state} in ('open','upheld','rejected')`),
  ],
);

/**
 * 异地协查 packages seen, by their id: a package imported once is refused the second time (replay), and
 * an export is kept so that its answer can be matched.
 */
export const verificationPackages = pgTable(
  'verification_packages',
  {
    packageId: uuid('package_id').notNull().primaryKey(),
    /** out: we asked another region; in: another region asked us; answer-in / answer-out likewise. */
    direction: text('direction').notNull(),
    districtCode: text('district_code').notNull(),
    requestId: uuid('request_id'),
    /** The other side's region code (GB/T 2260) and authority name. */
    peerRegion: text('peer_region').notNull(),
    peerAuthority: text('peer_authority').notNull(),
    sha256: text('sha256').notNull(),
    expiresAt: stamp('expires_at').notNull(),
    createdAt: stamp('created_at').notNull(),
  },
  (t) => [
    check(
      'verification_packages_direction_chk',
      sql`${t.direction} in ('request-out','request-in','answer-out','answer-in')`,
    ),
  ],
);

/** The public keys of the regions we exchange with (Ed25519, raw 32 bytes as hex), dated. */
export const verificationPeerKeys = pgTable(
  'verification_peer_keys',
  {
    keyId: text('key_id').notNull().primaryKey(),
    region: text('region').notNull(),
    authority: text('authority').notNull(),
    publicKey: text('public_key').notNull(),
    validFrom: date('valid_from', { mode: 'string' }).notNull(),
    validTo: date('valid_to', { mode: 'string' }),
    addedBy: text('added_by'),
    addedAt: stamp('added_at').notNull(),
  },
  (t) => [check('verification_peer_keys_key_chk', sql`${t.publicKey} ~ '^[0-9a-f]{64}$'`)],
);

/**
 * 定期复核的变更清单: what re-verification found different from the figures in force, one row per
 * household, member (null for household kinds), kind. Reviews (one application) and internal control
 * (payroll) read it; `affects_eligibility` / `affects_amount` are the engine's reckoning.
 */
export const verificationChanges = pgTable(
  'verification_changes',
  {
    districtCode: text('district_code').notNull(),
    jobId: uuid('job_id').notNull(),
    requestId: uuid('request_id').notNull(),
    householdId: uuid('household_id').notNull(),
    personId: uuid('person_id'),
    kind: text('kind').notNull(),
    program: text('program').notNull(),
    oldValue: bigint('old_value', { mode: 'number' }),
    newValue: bigint('new_value', { mode: 'number' }),
    source: text('source').notNull(),
    asOf: date('as_of', { mode: 'string' }).notNull(),
    affectsEligibility: boolean('affects_eligibility').notNull(),
    affectsAmount: boolean('affects_amount').notNull(),
    createdAt: stamp('created_at').notNull(),
  },
  (t) => [
    index('verification_changes_job_idx').on(t.districtCode, t.jobId, t.householdId),
    index('verification_changes_household_idx').on(t.districtCode, t.householdId, t.asOf),
  ],
);
