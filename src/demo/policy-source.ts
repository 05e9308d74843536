import type { SourceHousehold } from '../policy/index.ts';
import type { PolicyMemberRow } from '../registry/household.repository.ts';
import { monthBounds, toPolicyHousehold } from '../registry/policy-input.service.ts';
import { knownCategories } from '../registry/present.ts';
import { generatePopulation, type GenerateOptions } from './generator.ts';
import type { GeneratedHousehold, GeneratedMember } from './population.types.ts';

/**
 * The synthetic population as the engine's input for a month, straight from the generator: no
 * database, constant memory. Each household goes through the registry's own mapping
 * (toPolicyHousehold), so a population loaded into the registry and read back gives the same input.
 */
export function* demoPolicySource(options: GenerateOptions, month: string): Generator<SourceHousehold> {
  // Without a date of its own the population is aged to the month asked (its last day), not to today:
  // a simulation of 2022-08 then sees the 2022 population, the same on every day it is run.
  const asOf = options.asOf ?? monthBounds(month).last;
  for (const h of generatePopulation({ ...options, asOf })) {
    const household = toPolicyHousehold(
      h,
      h.members.map((m) => memberRow(h, m)),
      month,
    );
    if (household.members.length > 0) yield { household, district: h.districtCode };
  }
}

function memberRow(h: GeneratedHousehold, { person: p, validFrom, seq }: GeneratedMember): PolicyMemberRow {
  return {
    membership: { householdId: h.id, validFrom, validTo: null, seq },
    person: {
      id: p.id,
      birthDate: p.birthDate,
      deathDate: null,
      hukouDivisionCode: p.hukouDivisionCode,
      wageFen: p.wageFen,
      pensionFen: p.pensionFen,
      otherIncomeFen: p.otherIncomeFen,
      disabilityCategory: p.disabilityCategory,
      disabilityGrade: p.disabilityGrade,
      seriousIllness: p.seriousIllness,
      employed: p.employed,
      hasSupporter: p.hasSupporter,
      categories: knownCategories(p.categories),
    },
  };
}
