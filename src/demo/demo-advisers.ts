import { assignAdviser } from '../advisers/assignment.service.ts';
import type { AdviserCaller } from '../advisers/advisers.caller.ts';
import type { DimensionCode } from '../advisers/codes.ts';
import {
  closeReferral,
  draftPlan,
  movePlan,
  recordAssessment,
  recordVisit,
  refer,
} from '../advisers/records.service.ts';
import type { AssessmentItem } from '../advisers/schema.ts';
import { addDays } from '../calendar/days.ts';
import type { Store } from '../db/store.ts';
import { inUnitOfWork, type WorkTx } from '../workflow/unit-of-work.ts';
import { DEMO_REQUEST_ID, type DemoStaffMember } from './demo-case-steps.ts';
import { latestCaseOf } from './demo.repository.ts';

/**
 * 社区救助顾问 in the demo: the street caseworker assigns the street's adviser to some households (some of them
 * applicants), and the adviser visits, assesses the needs, drafts and starts a support plan (one action done,
 * one due, one overdue) and refers the household on — all through the advisers' services, dated over the past
 * weeks, so that 我的救助对象, the household page and its timeline have something to show.
 */

export interface DemoAdviserHousehold {
  id: string;
  householdNo: string;
  headName: string;
  /** The head is 60 or older: the elder's needs profile, else the working-age family's. */
  elder: boolean;
}

export interface DemoAdviserTeam {
  /** The caseworker of the street, who assigns. */
  assigner: DemoStaffMember;
  adviser: DemoStaffMember;
  households: readonly DemoAdviserHousehold[];
}

type Level = 0 | 1 | 2 | 3;

/** Two needs profiles: an elderly household (the head 60 or older), a working-age one out of work. */
const PROFILES: readonly Partial<Record<DimensionCode, [Level, string[], string]>>[] = [
  {
    income: [2, ['below_standard'], '退休金低，医药费支出大'],
    health: [3, ['chronic', 'untreated'], '高血压、糖尿病，常漏服药'],
    care: [2, ['alone_elder'], '子女在外区，独居'],
    social: [1, ['isolated'], '很少与邻居往来'],
  },
  {
    income: [3, ['below_standard', 'debt'], '拖欠两个月房租'],
    employment: [2, ['unemployed', 'skills'], '户主失业半年，希望参加技能培训'],
    mental: [1, ['distress'], '户主情绪低落'],
  },
];

const ALL_DIMENSIONS: readonly DimensionCode[] = [
  'income',
  'health',
  'care',
  'housing',
  'education',
  'employment',
  'mental',
  'social',
];

function itemsOf(elder: boolean): AssessmentItem[] {
  const p = PROFILES[elder ? 0 : 1]!;
  return ALL_DIMENSIONS.map((dimension) => {
    const [level, signs, note] = p[dimension] ?? [0, [], ''];
    return { dimension, level, signs, note };
  });
}

function at(day: string, minute: number): Date {
  const hh = String(14 + Math.floor(minute / 60)).padStart(2, '0');
  const mm = String(minute % 60).padStart(2, '0');
  return new Date(`${day}T${hh}:${mm}:00+08:00`);
}

function adviserCaller(m: DemoStaffMember): AdviserCaller {
  return m.caller;
}

/**
 * Runs every team's households; returns how many households got an adviser. Each record is its own unit of
 * work, acted by the caseworker (assignment) or the adviser (records), dated on its day of the past month.
 */
export async function seedDemoAdvisers(
  store: Store,
  district: string,
  today: string,
  teams: readonly DemoAdviserTeam[],
): Promise<number> {
  let count = 0;
  for (const team of teams) {
    for (const [i, h] of team.households.entries()) {
      await seedHousehold(store, district, today, team, h, i);
      count += 1;
    }
  }
  return count;
}

async function seedHousehold(
  store: Store,
  district: string,
  today: string,
  team: DemoAdviserTeam,
  h: DemoAdviserHousehold,
  i: number,
): Promise<void> {
  const householdKey = { districtCode: district, householdId: h.id };
  const unit = <T>(
    who: DemoStaffMember,
    day: string,
    minute: number,
    reason: string,
    w: (tx: WorkTx) => Promise<T>,
  ) =>
    inUnitOfWork(
      store,
      { userId: who.userId, divisionCode: who.divisionCode, reason, requestId: DEMO_REQUEST_ID },
      w,
      { now: at(day > today ? today : day, minute) },
    );
  const day = (ago: number) => addDays(today, -ago);
  const caseId = (await latestCaseOf(store.db, district, h.id))?.id ?? null;
  const me = adviserCaller(team.adviser);

  await unit(team.assigner, day(21 - i), 0, '困难家庭，安排社区救助顾问跟进', (tx) =>
    assignAdviser(tx, team.assigner.caller, {
      ...householdKey,
      adviserId: team.adviser.userId,
      assignedOn: day(21 - i),
    }),
  );
  await unit(team.adviser, day(19 - i), 10, '救助顾问走访', (tx) =>
    recordVisit(tx, me, householdKey, {
      visitedOn: day(19 - i),
      mode: 'home',
      notes: `首次上门走访${h.headName}家，了解家庭收支、健康与照料情况，介绍社会救助政策与申请渠道。`,
      caseId,
    }),
  );
  await unit(team.adviser, day(19 - i), 40, '救助需求评估', (tx) =>
    recordAssessment(tx, me, householdKey, {
      assessedOn: day(19 - i),
      items: itemsOf(h.elder),
      summary: h.elder
        ? '老人独居或空巢，慢性病用药与日常照料是主要需求，收入仅够基本生活'
        : '户主失业、家庭负债，就业与基本生活是主要需求',
      caseId,
    }),
  );
  // Agreed with the household on the day of the assessment: review in three months.
  const plan = await unit(team.adviser, day(18 - i), 0, '草拟帮扶计划', (tx) =>
    draftPlan(tx, me, householdKey, {
      kind: i % 3 === 0 ? 'companion' : i % 3 === 1 ? 'long_term' : 'whole_course',
      goals: h.elder
        ? '按时服药、每周有人探视，三个月内落实居家养老服务'
        : '三个月内户主重新就业，家庭收支恢复平衡',
      reviewOn: addDays(today, 70 - i),
      actions: [
        { title: '协助填写医疗帮困申请表', dueOn: day(17 - i), status: 'done', doneOn: day(18 - i) },
        { title: h.elder ? '联系居家养老服务上门' : '推荐参加街道就业技能培训', dueOn: day(3) },
        { title: '每月电话回访一次', dueOn: addDays(today, 12 + i) },
      ],
      caseId,
    }),
  );
  await unit(team.adviser, day(18 - i), 20, '开始执行帮扶计划', (tx) =>
    movePlan(tx, me, { districtCode: district, id: plan.id, version: plan.version }, 'start'),
  );
  const referral = await unit(team.adviser, day(16 - i), 0, '转介', (tx) =>
    refer(tx, me, householdKey, {
      referredOn: day(16 - i),
      targetKind: 'service',
      target: h.elder ? '居家养老服务' : '就业援助',
      notes: h.elder ? '老人行动不便，需要助餐与助浴服务' : '户主有意愿就业，需要岗位推荐与培训',
      caseId,
    }),
  );
  if (i % 2 === 0) {
    await unit(team.adviser, day(9 - Math.min(i, 5)), 0, '登记转介结果', (tx) =>
      closeReferral(
        tx,
        me,
        { districtCode: district, id: referral.id, version: referral.version },
        'accept',
        { outcome: '街道为老服务中心已受理，每周上门两次', outcomeOn: day(9 - Math.min(i, 5)) },
      ),
    );
  }
  await unit(team.adviser, day(4), i, '电话回访', (tx) =>
    recordVisit(tx, me, householdKey, {
      visitedOn: day(4),
      mode: 'phone',
      notes: '电话回访，了解计划措施的进展，家庭情况稳定。',
      caseId,
    }),
  );
}
