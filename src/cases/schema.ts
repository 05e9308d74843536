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
 * 社会救助一件事: the case of one application (docs/cases.md). Every table is distributed by
 * `district_code` (Citus) and co-located with the household the case is about. The case's household is a
 * foreign key to `households (district_code, id)` written in the migration only: this module reads the
 * registry through its repository, never through its schema (design.md, module boundaries).
 */

const stamp = (name: string) => timestamp(name, { withTimezone: true, mode: 'string', precision: 3 });

/**
 * 救助申请: one household's application for one or more programs. The steps it must go through are fixed
 * at acceptance from the dated parameters as of the application date (`required_steps`); the due date is
 * the current step's (working days from the calendar, stored with what it was computed from).
 */
export const cases = pgTable(
  'cases',
  {
    districtCode: text('district_code').notNull(),
    id: uuid('id').notNull(),
    /** SA<district>-<year>-<serial>: what applicants quote on the status page and the phone. */
    caseNo: text('case_no').notNull(),
    /** application 申请; change 变更 and review 复审 come with a later step of the issue. */
    kind: text('kind').notNull().default('application'),
    householdId: uuid('household_id').notNull(),
    /** The household's residents' committee when the case was opened: the case's division for scope. */
    committeeCode: text('committee_code').notNull(),
    /** Program codes of the policy engine (src/policy/programs). */
    programs: text('programs').array().notNull(),
    /** counter 窗口受理 | online 网上申请. */
    channel: text('channel').notNull(),
    applicantPersonId: uuid('applicant_person_id').notNull(),
    contactPhone: text('contact_phone').notNull(),
    /** 材料清单: item key → provided. */
    materials: jsonb('materials').$type<Record<string, boolean>>().notNull().default({}),
    /** The step keys the case goes through (cases.steps.ts), fixed at acceptance; empty before. */
    requiredSteps: text('required_steps')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** Who decides, fixed with the steps: district 审批 or street 确认. */
    decider: text('decider').notNull().default('district'),
    /** The application date: the day whose parameters decide the steps. */
    appliedOn: date('applied_on', { mode: 'string' }).notNull(),
    state: text('state').notNull(),
    version: integer('version').notNull().default(1),
    /** The current step's due date and what it was computed from (null in a state without a time limit). */
    dueOn: date('due_on', { mode: 'string' }),
    dueFrom: date('due_from', { mode: 'string' }),
    dueWorkingDays: integer('due_working_days'),
    dueProvisional: boolean('due_provisional').notNull().default(false),
    receivedAt: stamp('received_at').notNull(),
    acceptedOn: date('accepted_on', { mode: 'string' }),
    verificationRequestId: uuid('verification_request_id'),
    /** 近亲属: the staff an application matches (relatives.service relativeConflicts), fixed at acceptance. */
    relativesFlagged: boolean('relatives_flagged').notNull().default(false),
    relativesMatches: jsonb('relatives_matches').$type<unknown[]>().notNull().default([]),
    /** The declaration of the relation confirmed on the case (备案), required before approval when flagged. */
    relativesDeclaredBy: text('relatives_declared_by'),
    relativesDeclaredAt: stamp('relatives_declared_at'),
    secondApproverRequired: boolean('second_approver_required').notNull().default(false),
    /** A flagged case's first of two approvals. */
    firstApprovedBy: text('first_approved_by'),
    firstApprovedAt: stamp('first_approved_at'),
    /** 先行救助: paid first, verified after (only programs the parameter allows). */
    payFirst: boolean('pay_first').notNull().default(false),
    /** The reason of the last refusal: 不予受理, 退回, 不予批准, 撤回. */
    reason: text('reason'),
    decidedAt: stamp('decided_at'),
    decidedBy: text('decided_by'),
    createdBy: text('created_by'),
    createdAt: stamp('created_at').notNull(),
    updatedAt: stamp('updated_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.districtCode, t.id] }),
    uniqueIndex('cases_no_uq').on(t.districtCode, t.caseNo),
    // The queues: a district's or a street's cases in a state, by due date (ids break ties for paging).
    index('cases_queue_idx').on(t.districtCode, t.state, t.dueOn, t.id),
    index('cases_committee_queue_idx').on(t.districtCode, t.committeeCode, t.state, t.dueOn, t.id),
    index('cases_due_idx').on(t.districtCode, t.dueOn, t.id),
    index('cases_household_idx').on(t.districtCode, t.householdId),
    // The list's program filter (array containment): migration 0021.
    index('cases_programs_gin').using('gin', t.programs),
    check('cases_kind_chk', sql`${t.kind} in ('application','change','review')`),
    check('cases_decider_chk', sql`${t.decider} in ('district','street')`),
    check('cases_channel_chk', sql`${t.channel} in ('counter','online')`),
    check(
      'cases_state_chk',
      sql`${t.state} in ('draft','returned','not_accepted','accepted','verifying','visit','tekun_assessment','evaluation','review','publicity','deciding','approved','denied','withdrawn')`,
    ),
    check('cases_programs_chk', sql`cardinality(${t.programs}) > 0`),
    check('cases_district_chk', sql`${t.districtCode} ~ '^[0-9]{6}$'`),
  ],
);

/** The last serial of a district's case numbers in a year. */
export const caseCounters = pgTable(
  'case_counters',
  {
    districtCode: text('district_code').notNull(),
    year: integer('year').notNull(),
    last: integer('last').notNull(),
  },
  (t) => [primaryKey({ columns: [t.districtCode, t.year] })],
);

/** 入户调查: who visited, when, the checklist and notes; photos are attachments of the case. */
export const caseVisits = pgTable(
  'case_visits',
  {
    districtCode: text('district_code').notNull(),
    caseId: uuid('case_id').notNull(),
    visitedOn: date('visited_on', { mode: 'string' }).notNull(),
    visitors: text('visitors').array().notNull(),
    checklist: jsonb('checklist').$type<Record<string, boolean>>().notNull(),
    notes: text('notes').notNull(),
    photoIds: uuid('photo_ids').array().notNull(),
    recordedBy: text('recorded_by').notNull(),
    recordedAt: stamp('recorded_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.districtCode, t.caseId] }),
    check('case_visits_visitors_chk', sql`cardinality(${t.visitors}) > 0`),
  ],
);

/** 民主评议: date, participants, votes and the panel's opinion. */
export const caseEvaluations = pgTable(
  'case_evaluations',
  {
    districtCode: text('district_code').notNull(),
    caseId: uuid('case_id').notNull(),
    heldOn: date('held_on', { mode: 'string' }).notNull(),
    participants: text('participants').array().notNull(),
    votesFor: integer('votes_for').notNull(),
    votesAgainst: integer('votes_against').notNull(),
    votesAbstain: integer('votes_abstain').notNull(),
    opinion: text('opinion').notNull(),
    recordedBy: text('recorded_by').notNull(),
    recordedAt: stamp('recorded_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.districtCode, t.caseId] }),
    check(
      'case_evaluations_votes_chk',
      sql`${t.votesFor} >= 0 and ${t.votesAgainst} >= 0 and ${t.votesAbstain} >= 0`,
    ),
  ],
);

/** 审核: the street's opinion before publicity and decision. */
export const caseReviews = pgTable(
  'case_reviews',
  {
    districtCode: text('district_code').notNull(),
    caseId: uuid('case_id').notNull(),
    opinion: text('opinion').notNull(),
    recordedBy: text('recorded_by').notNull(),
    recordedAt: stamp('recorded_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.districtCode, t.caseId] })],
);

/** 公示: from the start date for the parameter's calendar days (`ends_on` inclusive). */
export const casePublicity = pgTable(
  'case_publicity',
  {
    districtCode: text('district_code').notNull(),
    caseId: uuid('case_id').notNull(),
    startsOn: date('starts_on', { mode: 'string' }).notNull(),
    endsOn: date('ends_on', { mode: 'string' }).notNull(),
    days: integer('days').notNull(),
    recordedBy: text('recorded_by').notNull(),
    recordedAt: stamp('recorded_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.districtCode, t.caseId] }),
    check('case_publicity_period_chk', sql`${t.endsOn} >= ${t.startsOn} and ${t.days} > 0`),
  ],
);

/** 公示期间的异议 and how it was handled. */
export const caseObjections = pgTable(
  'case_objections',
  {
    districtCode: text('district_code').notNull(),
    id: uuid('id').notNull(),
    caseId: uuid('case_id').notNull(),
    receivedOn: date('received_on', { mode: 'string' }).notNull(),
    content: text('content').notNull(),
    handling: text('handling').notNull(),
    recordedBy: text('recorded_by').notNull(),
    recordedAt: stamp('recorded_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.districtCode, t.id] }),
    index('case_objections_case_idx').on(t.districtCode, t.caseId),
  ],
);

/**
 * 特困人员认定, one row per member assessed as 特困 on the case: the legal supporters (法定赡养、抚养、扶养义务人)
 * each with whether they can support, the 生活自理能力 found, and the conclusion; `fact_ids` are the registry
 * facts (hasSupporter, category tekun) the step wrote for the joint determination.
 */
export const caseTekunAssessments = pgTable(
  'case_tekun_assessments',
  {
    districtCode: text('district_code').notNull(),
    caseId: uuid('case_id').notNull(),
    personId: uuid('person_id').notNull(),
    personName: text('person_name').notNull(),
    /** [{personId|null, name, relation, able, reason}] (src/cases/tekun/tekun.rules.ts). */
    supporters: jsonb('supporters').$type<unknown[]>().notNull(),
    hasSupporter: boolean('has_supporter').notNull(),
    /** capable 具备 | partial 部分丧失 | none 完全丧失 生活自理能力. */
    selfCare: text('self_care').notNull(),
    eligible: boolean('eligible').notNull(),
    conclusion: text('conclusion').notNull(),
    assessedOn: date('assessed_on', { mode: 'string' }).notNull(),
    assessor: text('assessor').notNull(),
    attachmentIds: uuid('attachment_ids').array().notNull(),
    factIds: uuid('fact_ids').array().notNull(),
    recordedBy: text('recorded_by').notNull(),
    recordedAt: stamp('recorded_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.districtCode, t.caseId, t.personId] }),
    check('case_tekun_assessments_self_care_chk', sql`${t.selfCare} in ('capable','partial','none')`),
    check('case_tekun_assessments_conclusion_chk', sql`not (${t.eligible} and ${t.hasSupporter})`),
    check('case_tekun_assessments_attachments_chk', sql`cardinality(${t.attachmentIds}) > 0`),
  ],
);

/**
 * 先行救助: what was paid before verification (a one-off entitlement with the case as its basis) and, once the
 * case is decided, how it was settled: the part counted toward the grant and what was overpaid (to be
 * recovered; issue 11 builds the recovery items), with why.
 */
export const casePayFirst = pgTable(
  'case_pay_first',
  {
    districtCode: text('district_code').notNull(),
    caseId: uuid('case_id').notNull(),
    program: text('program').notNull(),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    /** The dated limit in force on the day paid. */
    limitFen: bigint('limit_fen', { mode: 'number' }).notNull(),
    reason: text('reason').notNull(),
    paidOn: date('paid_on', { mode: 'string' }).notNull(),
    month: text('month').notNull(),
    entitlementId: uuid('entitlement_id').notNull(),
    recordedBy: text('recorded_by').notNull(),
    recordedAt: stamp('recorded_at').notNull(),
    /** granted | denied | withdrawn: the case's end that settled it. */
    settledOutcome: text('settled_outcome'),
    countedFen: bigint('counted_fen', { mode: 'number' }),
    overpaidFen: bigint('overpaid_fen', { mode: 'number' }),
    overpaidReason: text('overpaid_reason'),
    settledAt: stamp('settled_at'),
  },
  (t) => [
    primaryKey({ columns: [t.districtCode, t.caseId, t.program] }),
    check('case_pay_first_amount_chk', sql`${t.amountFen} > 0 and ${t.amountFen} <= ${t.limitFen}`),
    check('case_pay_first_month_chk', sql`${t.month} ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'`),
    check(
      'case_pay_first_settled_chk',
      sql`(${t.settledAt} is null and ${t.settledOutcome} is null and ${t.countedFen} is null and ${t.overpaidFen} is null)
        or (${t.settledAt} is not null and ${t.settledOutcome} in ('granted','denied','withdrawn') and ${t.countedFen} >= 0 and ${t.overpaidFen} >= 0
            and ${t.countedFen} + ${t.overpaidFen} = ${t.amountFen}
            and (${t.overpaidFen} = 0 or ${t.overpaidReason} is not null))`,
    ),
  ],
);

/**
 * 变更报告 of a change case (src/cases/changes): what changed, when it happened, who reported it. `exit`: a
 * death or a move out of the district that ends everything it touches (stopped after the street's review,
 * without recomputing); otherwise the case recomputes with the engine. One row per change case.
 */
export const caseChanges = pgTable(
  'case_changes',
  {
    districtCode: text('district_code').notNull(),
    caseId: uuid('case_id').notNull(),
    /** income 收入变化 | members 人员变化 | death 死亡 | moved_out 迁出本区 | recheck 核对变化 | other 其他. */
    changeKind: text('change_kind').notNull(),
    occurredOn: date('occurred_on', { mode: 'string' }).notNull(),
    /** The first month the change applies to (the month after it happened). */
    effectiveMonth: text('effective_month').notNull(),
    note: text('note').notNull(),
    /** The person who died or moved out; null when the whole household did. */
    subjectPersonId: uuid('subject_person_id'),
    /** 核对变化: the re-verification job whose change list reported it (src/verification/recheck). */
    recheckJobId: uuid('recheck_job_id'),
    exit: boolean('exit').notNull(),
    reportedBy: text('reported_by'),
    reportedAt: stamp('reported_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.districtCode, t.caseId] }),
    check(
      'case_changes_kind_chk',
      sql`${t.changeKind} in ('income','members','death','moved_out','recheck','other')`,
    ),
    check('case_changes_month_chk', sql`${t.effectiveMonth} ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'`),
    check('case_changes_recheck_chk', sql`${t.changeKind} <> 'recheck' or ${t.recheckJobId} is not null`),
  ],
);

/**
 * 定期复审 schedule: per household and reviewed program, its household type and interval (dated parameters as
 * of the month it was set), the month counted from and the next review month (null: not reviewed
 * periodically). Set when a case granting the program is decided; moved when a review case is approved.
 */
export const caseReviewSchedules = pgTable(
  'case_review_schedules',
  {
    districtCode: text('district_code').notNull(),
    householdId: uuid('household_id').notNull(),
    program: text('program').notNull(),
    committeeCode: text('committee_code').notNull(),
    /** labour 有劳动能力成员 | no_labour 无劳动能力成员. */
    householdType: text('household_type').notNull(),
    intervalMonths: integer('interval_months').notNull(),
    baseMonth: text('base_month').notNull(),
    nextDueMonth: text('next_due_month'),
    lastReviewCaseId: uuid('last_review_case_id'),
    lastReviewedMonth: text('last_reviewed_month'),
    /** The case whose decision set this schedule. */
    basisCaseId: uuid('basis_case_id').notNull(),
    updatedAt: stamp('updated_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.districtCode, t.householdId, t.program] }),
    index('case_review_schedules_due_idx').on(t.districtCode, t.nextDueMonth, t.committeeCode),
    check('case_review_schedules_type_chk', sql`${t.householdType} in ('labour','no_labour')`),
    check('case_review_schedules_interval_chk', sql`${t.intervalMonths} >= 0`),
  ],
);
