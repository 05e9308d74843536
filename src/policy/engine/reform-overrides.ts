import type { BenefitMonth } from './month.ts';
import type { ReformFile } from './parameter.schema.ts';
import type { ParameterStore } from './parameter-store.ts';

/** One parameter set to another value for a simulation: money in fen, rates in basis points. */
export interface ParameterOverride {
  readonly parameter: string;
  readonly value: number;
}

/** An override that cannot apply; `field` is its path in the request (`reform[0].parameter`). */
export class ReformOverrideError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'ReformOverrideError';
  }
}

const SOURCE = '政策测算方案（测算时输入，非正式参数）';

/**
 * A reform store in which each override is in force for `month`: a dated parameter takes the value
 * from the month's first day, a yearly statistic for the year that month reads (the previous one).
 * The store is meant for that month only.
 */
export function reformFromOverrides(
  baseline: ParameterStore,
  overrides: readonly ParameterOverride[],
  month: BenefitMonth,
  label = '测算方案',
): ParameterStore {
  const parameters: ReformFile['parameters'] = {};
  overrides.forEach((o, i) => {
    const series = baseline.series(o.parameter);
    if (!series) throw new ReformOverrideError(`reform[${i}].parameter`, `未定义的参数 ${o.parameter}`);
    if (parameters[o.parameter])
      throw new ReformOverrideError(`reform[${i}].parameter`, `参数 ${o.parameter} 重复出现`);
    if (!Number.isSafeInteger(o.value) || o.value < 0)
      throw new ReformOverrideError(`reform[${i}].value`, `参数 ${o.parameter} 的取值应为非负整数`);
    const common = { value: o.value, status: 'assumption' as const, source: SOURCE };
    parameters[o.parameter] = {
      values: [
        series.keyedBy === 'year'
          ? { year: month.year - 1, ...common }
          : { effective: month.firstDay, ...common },
      ],
    };
  });
  return baseline.withReform({ description: label, parameters }, label);
}
