import { visibleLength } from '../../core/text.ts';
import { relationBetween } from '../../relatives/relation-kinds.ts';

/**
 * 特困人员认定, the pure part: who a member's legal supporters are (法定赡养、抚养、扶养义务人: spouse, parents,
 * children) among the household's current members, and what a caseworker's record must hold to be
 * consistent — every supporter the registry shows is assessed, and 符合 is concluded only when no supporter
 * is able to support. The engine's own tekun conditions are checked by the service (tekun.service.ts).
 */

export type SupporterRelation = 'spouse' | 'parent' | 'child';
export type SelfCare = 'capable' | 'partial' | 'none';

export const SUPPORTER_RELATION_NAMES: Readonly<Record<SupporterRelation, string>> = {
  spouse: '配偶',
  parent: '父母',
  child: '子女',
};

/** The three levels of the national 特困人员认定办法 (照料护理 standards by level come with a later engine). */
export const SELF_CARE_NAMES: Readonly<Record<SelfCare, string>> = {
  capable: '具备生活自理能力',
  partial: '部分丧失生活自理能力',
  none: '完全丧失生活自理能力',
};

/** A current household member as the rules need them. */
export interface HouseholdMember {
  personId: string;
  name: string;
  sex: number;
  relationCode: string;
}

/** A legal supporter the registry shows: a member of the same household. */
export interface SupporterCandidate {
  personId: string;
  name: string;
  relation: SupporterRelation;
  /** 父亲、母亲、儿子、女儿、配偶: what a caseworker reads. */
  relationName: string;
}

export interface AssessedSupporter {
  /** The registry's person, or null for a supporter living elsewhere (named by the caseworker). */
  personId: string | null;
  name: string;
  relation: SupporterRelation;
  relationName: string;
  able: boolean;
  reason: string;
}

export interface AssessedMember {
  personId: string;
  name: string;
  supporters: AssessedSupporter[];
  hasSupporter: boolean;
  selfCare: SelfCare;
  eligible: boolean;
  conclusion: string;
}

export interface Assessment {
  assessedOn: string;
  assessor: string;
  attachmentIds: string[];
  members: AssessedMember[];
}

function relationName(relation: SupporterRelation, sex: number): string {
  if (relation === 'spouse') return '配偶';
  if (relation === 'parent') return sex === 2 ? '母亲' : '父亲';
  return sex === 2 ? '女儿' : '儿子';
}

/** Each member's legal supporters among the household's current members (what the relation codes show). */
export function supporterCandidates(members: readonly HouseholdMember[]): Map<string, SupporterCandidate[]> {
  const result = new Map<string, SupporterCandidate[]>();
  for (const m of members) {
    const list: SupporterCandidate[] = [];
    for (const other of members) {
      if (other.personId === m.personId) continue;
      // relationBetween(a, b): what b is to a, from both relations to the head.
      const kind = relationBetween(m.relationCode, other.relationCode);
      if (kind !== 'spouse' && kind !== 'parent' && kind !== 'child') continue;
      list.push({
        personId: other.personId,
        name: other.name,
        relation: kind,
        relationName: relationName(kind, other.sex),
      });
    }
    result.set(m.personId, list);
  }
  return result;
}

const ISO = /^\d{4}-\d{2}-\d{2}$/;
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');
const isRelation = (v: unknown): v is SupporterRelation => v === 'spouse' || v === 'parent' || v === 'child';
const isSelfCare = (v: unknown): v is SelfCare => v === 'capable' || v === 'partial' || v === 'none';

/**
 * Reads the step's record (`record_tekun_assessment`), every problem at once. The registry's supporters of
 * each assessed member must all be assessed; a supporter elsewhere is named with the relation. 符合 needs no
 * able supporter; every supporter and the conclusion need a reason.
 */
export function parseAssessment(
  record: Record<string, unknown> | undefined,
  today: string,
  household: readonly HouseholdMember[],
): { assessment: Assessment; problems: string[] } {
  const problems: string[] = [];
  const assessedOn = str(record?.assessedOn);
  if (!ISO.test(assessedOn) || Number.isNaN(Date.parse(`${assessedOn}T00:00:00Z`))) {
    problems.push('认定日期应为 YYYY-MM-DD 日期');
  } else if (assessedOn > today) problems.push('认定日期不能晚于今天');
  const assessor = str(record?.assessor);
  if (visibleLength(assessor) === 0) problems.push('请填写评估人员');
  const attachmentIds = Array.isArray(record?.attachmentIds)
    ? record.attachmentIds.filter((x): x is string => typeof x === 'string')
    : [];
  if (attachmentIds.length === 0) problems.push('请上传生活自理能力评估表等认定材料');
  const byId = new Map(household.map((m) => [m.personId, m]));
  const candidates = supporterCandidates(household);
  const rawMembers = Array.isArray(record?.members) ? record.members.filter(isRecord) : [];
  if (rawMembers.length === 0) problems.push('请至少认定一名申请特困供养的家庭成员');
  const seen = new Set<string>();
  const members: AssessedMember[] = [];
  for (const raw of rawMembers) {
    const personId = str(raw.personId);
    const member = byId.get(personId);
    if (!member) {
      problems.push('认定的人员不是该家庭户的在册成员');
      continue;
    }
    if (seen.has(personId)) problems.push(`${member.name}的认定填写了两次`);
    seen.add(personId);
    const who = member.name;
    const supporters: AssessedSupporter[] = [];
    const rawSupporters = Array.isArray(raw.supporters) ? raw.supporters.filter(isRecord) : [];
    const own = candidates.get(personId) ?? [];
    for (const s of rawSupporters) {
      const id = str(s.personId);
      const candidate = id === '' ? undefined : own.find((c) => c.personId === id);
      if (id !== '' && !candidate) {
        problems.push(`${who}的义务人中有人不是其在本户的配偶、父母或子女`);
        continue;
      }
      const name = candidate?.name ?? str(s.name);
      const relation = candidate?.relation ?? s.relation;
      if (visibleLength(name) === 0) problems.push(`请填写${who}的义务人姓名`);
      if (!isRelation(relation)) {
        problems.push(`请选择${who}的义务人${name}与其关系（配偶、父母或子女）`);
        continue;
      }
      if (typeof s.able !== 'boolean') problems.push(`请认定${who}的义务人${name}有无履行能力`);
      const reason = str(s.reason);
      if (visibleLength(reason) === 0) problems.push(`请写明${who}的义务人${name}有无履行能力的理由`);
      supporters.push({
        personId: candidate?.personId ?? null,
        name,
        relation,
        relationName: candidate?.relationName ?? SUPPORTER_RELATION_NAMES[relation],
        able: s.able === true,
        reason,
      });
    }
    for (const c of own) {
      if (!supporters.some((s) => s.personId === c.personId)) {
        problems.push(`${c.name}（${who}的${c.relationName}）是法定义务人，请认定其有无履行能力`);
      }
    }
    const hasSupporter = supporters.some((s) => s.able);
    if (!isSelfCare(raw.selfCare)) problems.push(`请选择${who}的生活自理能力评估结果`);
    if (typeof raw.eligible !== 'boolean') problems.push(`请选择${who}是否符合特困供养条件`);
    const eligible = raw.eligible === true;
    const conclusion = str(raw.conclusion);
    if (visibleLength(conclusion) === 0) problems.push(`请写明${who}的认定意见`);
    if (eligible && hasSupporter) {
      const able = supporters.filter((s) => s.able).map((s) => `${s.name}（${s.relationName}）`);
      problems.push(`${who}的法定义务人${able.join('、')}有履行能力，不能认定为符合特困供养条件`);
    }
    members.push({
      personId,
      name: who,
      supporters,
      hasSupporter,
      selfCare: isSelfCare(raw.selfCare) ? raw.selfCare : 'capable',
      eligible,
      conclusion,
    });
  }
  return { assessment: { assessedOn, assessor, attachmentIds, members }, problems };
}
