import type { SourceHousehold } from '../policy/index.ts';
import type { ResolvableFact } from '../registry/facts/facts.types.ts';
import {
  monthBounds,
  policyHouseholdFromFacts,
  type PolicyMemberRow,
} from '../registry/policy-input.service.ts';
import { generatePopulation, type GenerateOptions } from './generator.ts';
import { MOVE_WINDOW } from './history.ts';
import type { GeneratedFact, GeneratedHousehold, GeneratedPerson } from './population.types.ts';

/**
 * The synthetic population as the engine's input for a month, straight from the generator: no
 * database, constant memory. Each household goes through the registry's own rules (the facts resolver and
 * the membership rule of policy-input.service.ts), so a population loaded into the registry and read back
 * gives the same input.
 *
 * A head who moved out of an earlier household (history.ts) is generated with the household they moved
 * to, up to MOVE_WINDOW households later: households are held back that long, so the earlier one is
 * computed with everyone who was ever its member.
 */
export function* demoPolicySource(options: GenerateOptions, month: string): Generator<SourceHousehold> {
  // Without a date of its own the population is aged to the month asked (its last day), not to today:
  // a simulation of 2022-08 then sees the 2022 population, the same on every day it is run.
  const asOf = options.asOf ?? monthBounds(month).last;
  const waiting: GeneratedHousehold[] = [];
  const personFacts = new Map<string, ResolvableFact[]>();
  const persons = new Map<string, GeneratedPerson>();
  /** Rows of current members' earlier memberships, by the household they were in. */
  const movedAway = new Map<string, PolicyMemberRow[]>();

  const emit = (h: GeneratedHousehold): SourceHousehold | undefined => {
    const rows: PolicyMemberRow[] = [
      ...h.members.map((m) => memberRow(h.id, m.person, m.validFrom, null, m.seq)),
      ...h.former.map((m) => memberRow(h.id, m.person, m.validFrom, m.validTo, m.seq, m.person.deathDate)),
      ...(movedAway.get(h.id) ?? []),
    ];
    const householdFacts = h.facts.filter((f) => f.subjectType === 'household').map(resolvable);
    const household = policyHouseholdFromFacts(h.id, householdFacts, rows, personFacts, month);
    return household.members.length > 0 ? { household, area: h.districtCode } : undefined;
  };
  const forget = (h: GeneratedHousehold) => {
    movedAway.delete(h.id);
    for (const p of [...h.members.map((m) => m.person), ...h.former.map((m) => m.person)]) {
      personFacts.delete(p.id);
      persons.delete(p.id);
    }
  };

  for (const h of generatePopulation({ ...options, asOf })) {
    for (const p of [...h.members.map((m) => m.person), ...h.former.map((m) => m.person)])
      persons.set(p.id, p);
    for (const f of h.facts) {
      if (f.subjectType !== 'person') continue;
      const list = personFacts.get(f.subjectId);
      if (list) list.push(resolvable(f));
      else personFacts.set(f.subjectId, [resolvable(f)]);
    }
    for (const m of h.pastMemberships) {
      const person = persons.get(m.personId)!;
      const row = memberRow(m.householdId, person, m.validFrom, m.validTo, m.seq);
      movedAway.set(m.householdId, [...(movedAway.get(m.householdId) ?? []), row]);
    }
    waiting.push(h);
    if (waiting.length > MOVE_WINDOW) {
      const oldest = waiting.shift()!;
      const out = emit(oldest);
      forget(oldest);
      if (out) yield out;
    }
  }
  for (const h of waiting) {
    const out = emit(h);
    if (out) yield out;
  }
}

/** Every generated fact was recorded in the same load: one recording instant, ties broken by id. */
const LOADED_AT = '1970-01-01T00:00:00.000Z';

function resolvable(f: GeneratedFact): ResolvableFact {
  return { ...f, recordedAt: LOADED_AT, voidedAt: null };
}

function memberRow(
  householdId: string,
  p: GeneratedPerson,
  validFrom: string,
  validTo: string | null,
  seq: number,
  deathDate: string | null = null,
): PolicyMemberRow {
  return {
    membership: { householdId, validFrom, validTo, seq },
    person: { id: p.id, birthDate: p.birthDate, deathDate, hukouDivisionCode: p.hukouDivisionCode },
  };
}
