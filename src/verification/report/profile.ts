import type { SourceCode } from '../sources/catalogue.ts';
import {
  FIGURE_SOURCES,
  type FigureKind,
  type HouseholdProfile,
  type MemberProfile,
  type QueryOutcome,
  type RawAnswer,
  type VerifiedValue,
} from './report.types.ts';

/**
 * The agencies' raw answers → the verified figure per member and kind (pure). An agency that answered and
 * has no row for a member has nothing on record for them (0, none); an agency that failed or timed out
 * confirms nothing, and a figure built from some of its agencies only is marked incomplete (a lower bound:
 * enough to flag, not to record as a fact).
 *
 * - wage: the larger of the tax office's and the housing fund's (the fund reports the contribution base,
 *   the tax office the taxed wage; either may lag the other);
 * - the household's money: every member's deposits plus securities; homes and vehicles: summed over members.
 */

function answeredSources(queries: readonly QueryOutcome[]): Set<SourceCode> {
  return new Set(queries.filter((q) => q.state === 'answered').map((q) => q.source));
}

type Combine = 'max' | 'sum';

/** Kinds the other region's centre answers for (异地协查), added to our own agencies' figures. */
const REMOTE_KINDS: ReadonlySet<FigureKind> = new Set(['monetary_assets', 'homes', 'vehicles']);

function combine(
  kind: FigureKind,
  answered: ReadonlySet<SourceCode>,
  values: (source: SourceCode) => number,
  how: Combine,
  remoteAsked = false,
): VerifiedValue {
  const expected: readonly SourceCode[] =
    remoteAsked && REMOTE_KINDS.has(kind) ? [...FIGURE_SOURCES[kind], 'remote'] : FIGURE_SOURCES[kind];
  const sources = expected.filter((s) => answered.has(s));
  if (sources.length === 0) return { value: null, complete: false, sources: [] };
  let value = 0;
  for (const s of sources) {
    const v = values(s);
    value = how === 'max' ? Math.max(value, v) : value + v;
  }
  return { value, complete: sources.length === expected.length, sources };
}

/** Answers indexed by person, then `${source}/${kind}`. */
function index(answers: readonly RawAnswer[]): Map<string, Map<string, RawAnswer>> {
  const out = new Map<string, Map<string, RawAnswer>>();
  for (const a of answers) {
    let m = out.get(a.personId);
    if (!m) out.set(a.personId, (m = new Map<string, RawAnswer>()));
    m.set(`${a.source}/${a.kind}`, a);
  }
  return out;
}

export function buildProfile(
  personIds: readonly string[],
  queries: readonly QueryOutcome[],
  answers: readonly RawAnswer[],
): HouseholdProfile {
  const answered = answeredSources(queries);
  // A request with an exchange package out asks the other region too (source remote, when queried).
  const remoteAsked = queries.some((q) => q.source === 'remote');
  // Only answers of sources counted as answered: a late row (after the query timed out) is kept, not used.
  const byPerson = index(answers.filter((a) => answered.has(a.source)));
  const members: MemberProfile[] = personIds.map((personId) => {
    const rows = byPerson.get(personId);
    const row = (source: SourceCode, kind: string) => rows?.get(`${source}/${kind}`);
    const fen = (kind: string) => (source: SourceCode) => row(source, kind)?.amountFen ?? 0;
    const text = (kind: string) => row('civil', kind)?.textValue ?? null;
    return {
      personId,
      figures: {
        wage: combine('wage', answered, fen('wage'), 'max'),
        pension: combine('pension', answered, fen('pension'), 'max'),
        other_income: combine('other_income', answered, fen('other_income'), 'max'),
        employment: combine('employment', answered, (s) => (row(s, 'employment')?.flag ? 1 : 0), 'max'),
      },
      business:
        answered.has('business') || answered.has('remote')
          ? row('business', 'business')?.flag === true || row('remote', 'business')?.flag === true
          : null,
      deathDate: answered.has('civil') ? text('death') || null : null,
      hukou: answered.has('civil') ? text('hukou') : null,
      marital: answered.has('civil') ? text('marital') : null,
    };
  });
  const sumOver =
    (kind: 'deposits' | 'securities' | 'homes' | 'vehicles', unit: 'fen' | 'quantity') =>
    (source: SourceCode) => {
      let total = 0;
      for (const personId of personIds) {
        const a = byPerson.get(personId)?.get(`${source}/${kind}`);
        total += (unit === 'fen' ? a?.amountFen : a?.quantity) ?? 0;
      }
      return total;
    };
  return {
    members,
    household: {
      monetary_assets: combine(
        'monetary_assets',
        answered,
        (s) =>
          s === 'remote'
            ? sumOver('deposits', 'fen')(s) + sumOver('securities', 'fen')(s)
            : sumOver(s === 'deposits' ? 'deposits' : 'securities', 'fen')(s),
        'sum',
        remoteAsked,
      ),
      homes: combine('homes', answered, sumOver('homes', 'quantity'), 'sum', remoteAsked),
      vehicles: combine('vehicles', answered, sumOver('vehicles', 'quantity'), 'sum', remoteAsked),
    },
  };
}
