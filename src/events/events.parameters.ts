import { P } from '../policy/engine/parameters.ts';
import { parseMonth, type ParameterStore } from '../policy/index.ts';
import { parametersInForce } from '../parameter-changes/parameters-in-force.ts';
import { EventError } from './events.errors.ts';

/**
 * The module's dated parameters (src/parameters/events) and the ones it shares with the engine: the age that
 * counts as entering old age, the elderly allowance's band ages (its first is the age of enrolment without
 * application), and the working days a follow-up task has. A day reads the value in force for its month.
 */
function valueOn(path: string, day: string, parameters: ParameterStore): number {
  const r = parameters.resolve(path, parseMonth(day.slice(0, 7)));
  if (!r.entry) throw new EventError('invalid', `参数 ${path} 在 ${day} 尚无取值`);
  return r.entry.value;
}

/** The milestone ages on `day`: 60, then the elderly allowance's band ages (65, 70, 80, 90, 100). */
export function milestoneAges(day: string, parameters: ParameterStore = parametersInForce()): number[] {
  const bands = P.elderly_allowance.band_min_age;
  const ages = [
    P.events.elderly_age,
    bands.band_1,
    bands.band_2,
    bands.band_3,
    bands.band_4,
    bands.band_5,
  ].map((h) => valueOn(h.path, day, parameters));
  return [...new Set(ages)].sort((a, b) => a - b);
}

/** The age from which the elderly allowance is paid without application (its first band). */
export function enrolmentAge(day: string, district: string, parameters = parametersInForce()): number {
  return valueOn(P.elderly_allowance.band_min_age.band_1.path, day, parameters.forDistrict(district));
}

export function taskWorkingDays(
  kind: 'funeral_notice' | 'payee_account',
  day: string,
  district: string,
  parameters: ParameterStore = parametersInForce(),
): number {
  return valueOn(P.events.working_days[kind].path, day, parameters.forDistrict(district));
}
