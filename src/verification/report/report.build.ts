import type { ParameterStore } from '../../policy/index.ts';
import { verificationParameter, VP } from '../verification.parameters.ts';
import type { HouseholdFigures, PersonFigures } from '../../registry/facts/facts.types.ts';
import { PERSON_DEFAULTS } from '../../registry/facts/facts.types.ts';
import type { VerifiedFactInput } from '../../registry/facts/facts.service.ts';
import { toPolicyHousehold, type ResolvedMemberRow } from '../../registry/policy-input.service.ts';
import type { PolicyHousehold } from '../../policy/household.ts';
import { concludeOn, conclusionMonth, verifiedInput as verifiedInputOf } from './conclusion.ts';
import { compareFigures, type ComparedFigure } from './findings.ts';
import { buildProfile } from './profile.ts';
import type { MembershipRow } from './report.repository.ts';
import {
  FIGURE_KINDS,
  type Claim,
  type FigureKind,
  type HouseholdProfile,
  type QueryOutcome,
  type RawAnswer,
  type ReportBody,
  type ReportMember,
  type Tolerance,
} from './report.types.ts';

/**
 * A report from what was read (pure): the profile of the answers, the comparison with the declared figures,
 * the engine's conclusion on the verified ones, and the verified facts to record. Also the next revision of
 * a report after an upheld objection: the claimed values replace the verified ones and everything that
 * follows from them is computed again.
 */

/** The tolerances in force in the month of `asOf` (dated parameters verification.tolerance.*). */
export function toleranceOn(parameters: ParameterStore, asOf: string): Tolerance {
  const t = VP.tolerance;
  return {
    incomeFen: verificationParameter(t.income_fen, asOf, parameters),
    incomeBp: verificationParameter(t.income_bp, asOf, parameters),
    assetsFen: verificationParameter(t.assets_fen, asOf, parameters),
    assetsBp: verificationParameter(t.assets_bp, asOf, parameters),
  };
}

export interface ReportSource {
  districtCode: string;
  requestId: string;
  requestNo: string;
  householdId: string;
  purpose: string;
  personIds: readonly string[];
  asOf: string;
  memberships: readonly MembershipRow[];
  /** Figures as they held on asOf (the facts resolved on that day). */
  declaredPersons: ReadonlyMap<string, PersonFigures>;
  declaredHousehold: HouseholdFigures;
  queries: readonly QueryOutcome[];
  answers: readonly RawAnswer[];
}

export interface BuiltReport {
  body: ReportBody;
  flagCount: number;
  /** The complete verified figures, as facts valid from asOf (source 核对, the report number). */
  facts: VerifiedFactInput[];
}

export function reportNoOf(requestNo: string, revision: number): string {
  return `${requestNo}-R${revision}`;
}

/** The reference a verified fact carries: the report number. */
export function reportSourceRef(reportNo: string): string {
  return `核对报告 ${reportNo}`;
}

/** What every revision's reference of a request starts with. */
export function requestSourceRefPrefix(requestNo: string): string {
  return reportSourceRef(`${requestNo}-R`);
}

function declaredValue(kind: FigureKind, p: PersonFigures | undefined, h: HouseholdFigures): number {
  switch (kind) {
    case 'wage':
      return (p ?? PERSON_DEFAULTS).wageFen;
    case 'pension':
      return (p ?? PERSON_DEFAULTS).pensionFen;
    case 'other_income':
      return (p ?? PERSON_DEFAULTS).otherIncomeFen;
    case 'employment':
      return (p ?? PERSON_DEFAULTS).employed ? 1 : 0;
    case 'monetary_assets':
      return h.monetaryAssetsFen;
    case 'homes':
      return h.homes;
    case 'vehicles':
      return h.vehicles;
  }
}

function compared(s: ReportSource, profile: HouseholdProfile): ComparedFigure[] {
  const out: ComparedFigure[] = [];
  for (const m of profile.members) {
    const p = s.declaredPersons.get(m.personId);
    for (const kind of ['wage', 'pension', 'other_income', 'employment'] as const) {
      out.push({
        personId: m.personId,
        kind,
        declared: declaredValue(kind, p, s.declaredHousehold),
        verified: m.figures[kind],
      });
    }
  }
  for (const kind of ['monetary_assets', 'homes', 'vehicles'] as const) {
    out.push({
      personId: null,
      kind,
      declared: declaredValue(kind, undefined, s.declaredHousehold),
      verified: profile.household[kind],
    });
  }
  return out;
}

/** The declared engine input: the registry's one shape, members with their registry fields and names. */
function declaredInputOf(s: ReportSource): PolicyHousehold {
  const wanted = new Set(s.personIds);
  const rows: ResolvedMemberRow[] = s.memberships
    .filter((m) => wanted.has(m.personId))
    .map((m) => ({
      membership: { householdId: m.householdId, validFrom: m.validFrom, validTo: m.validTo, seq: m.seq },
      person: {
        id: m.personId,
        birthDate: m.birthDate,
        deathDate: m.deathDate,
        hukouDivisionCode: m.hukouDivisionCode,
        name: m.name,
      },
      figures: s.declaredPersons.get(m.personId) ?? { ...PERSON_DEFAULTS, categories: [] },
    }));
  return toPolicyHousehold(s.householdId, s.declaredHousehold, rows, conclusionMonth(s.asOf));
}

function factsOf(body: ReportBody): VerifiedFactInput[] {
  const facts: VerifiedFactInput[] = [];
  const sourceRef = reportSourceRef(body.reportNo);
  for (const f of body.figures) {
    if (f.verified === null || (!f.complete && !f.corrected)) continue;
    const base = {
      districtCode: body.districtCode,
      validFrom: body.asOf,
      sourceRef,
      kind: f.kind,
    };
    const unit = FIGURE_KINDS[f.kind].unit;
    const value =
      unit === 'fen'
        ? { amountFen: f.verified }
        : unit === 'quantity'
          ? { quantity: f.verified }
          : { flag: f.verified !== 0 };
    facts.push(
      f.personId === null
        ? { ...base, ...value, subjectType: 'household', subjectId: body.householdId }
        : { ...base, ...value, subjectType: 'person', subjectId: f.personId },
    );
  }
  return facts;
}

export function buildReport(
  s: ReportSource,
  tolerance: Tolerance,
  parameters: ParameterStore | undefined,
): BuiltReport {
  const profile = buildProfile(s.personIds, s.queries, s.answers);
  const names = new Map(s.memberships.map((m) => [m.personId, m.name]));
  const members: ReportMember[] = s.personIds.map((personId) => ({
    personId,
    name: names.get(personId) ?? '',
  }));
  const declaredInput = declaredInputOf(s);
  const figures = compared(s, profile);
  const civil = profile.members.map((m) => ({
    personId: m.personId,
    business: m.business,
    deathDate: m.deathDate,
  }));
  const reportNo = reportNoOf(s.requestNo, 1);
  const body = assemble(
    {
      requestId: s.requestId,
      requestNo: s.requestNo,
      reportNo,
      revision: 1,
      districtCode: s.districtCode,
      householdId: s.householdId,
      purpose: s.purpose,
      asOf: s.asOf,
      members,
      civil,
      declaredInput,
    },
    figures,
    s.queries,
    tolerance,
    parameters,
  );
  return { body, flagCount: body.flags.length, facts: factsOf(body) };
}

type BodyBase = Omit<ReportBody, 'figures' | 'flags' | 'gaps' | 'conclusion' | 'partial'>;

function assemble(
  base: BodyBase,
  figures: readonly ComparedFigure[],
  queries: readonly QueryOutcome[],
  tolerance: Tolerance,
  parameters: ParameterStore | undefined,
): ReportBody {
  // The conclusion reads the verified figures; the asset flag reads the conclusion; the table reads both.
  const first = compareFigures({
    members: base.members,
    figures,
    civil: base.civil,
    queries,
    tolerance,
    assetTestFails: false,
  });
  const { conclusion, assetTestFails } = concludeOn(
    verifiedInputOf(base.declaredInput, first.figures),
    base.purpose,
    base.asOf,
    { district: base.districtCode, parameters },
  );
  const findings = assetTestFails
    ? compareFigures({
        members: base.members,
        figures,
        civil: base.civil,
        queries,
        tolerance,
        assetTestFails,
      })
    : first;
  return {
    ...base,
    partial: findings.gaps.length > 0,
    figures: findings.figures,
    flags: findings.flags,
    gaps: findings.gaps,
    conclusion,
  };
}

/**
 * The next revision after an upheld objection: each claim's value replaces the verified one of its
 * finding (marked corrected, complete), the flags and the conclusion follow; gaps, members and the civil
 * findings stay as they were. Returns the body and the facts the claims change.
 */
export function reviseReport(
  previous: ReportBody,
  claims: readonly Claim[],
  objectionId: string,
  tolerance: Tolerance,
  parameters: ParameterStore | undefined,
): BuiltReport {
  const revision = previous.revision + 1;
  const claimed = new Map(claims.map((c) => [`${c.personId ?? ''}/${c.kind}`, c.claimedValue]));
  const figures: ComparedFigure[] = previous.figures.map((f) => {
    const value = claimed.get(`${f.personId ?? ''}/${f.kind}`);
    return value === undefined
      ? {
          personId: f.personId,
          kind: f.kind,
          declared: f.declared,
          verified: { value: f.verified, complete: f.complete, sources: f.sources },
          ...(f.corrected ? { corrected: true } : {}),
        }
      : {
          personId: f.personId,
          kind: f.kind,
          declared: f.declared,
          verified: { value, complete: true, sources: f.sources },
          corrected: true,
        };
  });
  const queries: QueryOutcome[] = previous.gaps.map((g) => ({
    source: g.source,
    state: g.state,
    error: null,
  }));
  const body = assemble(
    {
      requestId: previous.requestId,
      requestNo: previous.requestNo,
      reportNo: reportNoOf(previous.requestNo, revision),
      revision,
      districtCode: previous.districtCode,
      householdId: previous.householdId,
      purpose: previous.purpose,
      asOf: previous.asOf,
      members: previous.members,
      civil: previous.civil,
      declaredInput: previous.declaredInput,
      revisedBy: { objectionId, claims: [...claims] },
    },
    figures,
    queries,
    tolerance,
    parameters,
  );
  // Keep the gaps' own words (an error message) from the revision contested.
  body.gaps = previous.gaps;
  const changed = new Set(claimed.keys());
  const facts = factsOf(body).filter((f) =>
    changed.has(`${f.subjectType === 'person' ? f.subjectId : ''}/${f.kind}`),
  );
  return { body, flagCount: body.flags.length, facts };
}
