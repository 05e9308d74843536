import { isTrusted, type ParameterUnit } from './parameter.schema.ts';
import {
  isYearFallback,
  yearFallbackMessage,
  type ParameterEntry,
  type ParameterStore,
  type Resolution,
} from './parameter-store.ts';
import { formatParameterValue, STATUS_NAMES } from './units.ts';
import type { ParamHandle } from './parameters.ts';
import type { BenefitMonth } from './month.ts';

/** A program cannot run for a month because a parameter it reads has no value in force. */
export class MissingParameterError extends Error {
  constructor(
    readonly program: string,
    readonly parameter: string,
    readonly month: string,
    programName: string = program,
  ) {
    super(`参数 ${parameter} 在 ${month} 没有生效的取值，无法计算${programName}`);
    this.name = 'MissingParameterError';
  }
}

export interface ParameterRead {
  readonly parameter: string;
  readonly value: number;
  /** The value's unit (fen, bp, years…), so that a reader can show it as 元, % or 周岁. */
  readonly unit: ParameterUnit;
  /** Effective date, or the year for yearly statistics. */
  readonly effective: string;
  readonly status: string;
  readonly source: string;
  readonly decided?: string;
}

export interface ParameterWarning {
  readonly parameter: string;
  readonly status: string;
  readonly effective: string;
  readonly message: string;
}

/**
 * At most one warning per parameter (SPEC.md): its status when not given/found, and the year used
 * when a yearly statistic fell back to an earlier year (v1.1), in one message.
 */
export function resolutionWarning(r: Resolution, entry: ParameterEntry): ParameterWarning | null {
  const untrusted = !isTrusted(entry.status);
  const fallback = isYearFallback(r);
  if (!untrusted && !fallback) return null;
  const path = r.series.path;
  const status = STATUS_NAMES[entry.status];
  const value = formatParameterValue(r.series.unit, entry.value);
  const since = r.series.keyedBy === 'year' ? `${entry.key} 年` : `${entry.key} 起`;
  const message = fallback
    ? `${yearFallbackMessage(r)}${untrusted ? `（${value}，${status}）` : ''}`
    : `参数 ${path}（${since} ${value}）为${status}，未经正式来源核实`;
  return { parameter: path, status: entry.status, effective: entry.key, message };
}

/**
 * The parameters one program reads, resolved once for one month. `get` refuses a handle outside the
 * program's Reads list, so the list that drives errors and warnings is the list the formula uses.
 */
export class ResolvedParams {
  private readonly values = new Map<string, number>();
  readonly reads: ParameterRead[] = [];
  readonly warnings: ParameterWarning[] = [];

  private constructor(readonly program: string) {}

  static resolve(
    program: string,
    handles: readonly ParamHandle[],
    store: ParameterStore,
    month: BenefitMonth,
    programName: string = program,
  ): ResolvedParams | MissingParameterError {
    const view = new ResolvedParams(program);
    for (const handle of handles) {
      const r: Resolution = store.resolve(handle.path, month);
      if (!r.entry) return new MissingParameterError(program, handle.path, month.month, programName);
      const entry = r.entry;
      view.values.set(handle.path, entry.value);
      view.reads.push({
        parameter: handle.path,
        value: entry.value,
        unit: r.series.unit,
        effective: entry.key,
        status: entry.status,
        source: entry.source,
        ...(entry.decided !== undefined ? { decided: entry.decided } : {}),
      });
      const warning = resolutionWarning(r, entry);
      if (warning) view.warnings.push(warning);
    }
    return view;
  }

  get(handle: ParamHandle): number {
    const v = this.values.get(handle.path);
    if (v === undefined) throw new Error(`程序 ${this.program} 读取了未在 Reads 中声明的参数 ${handle.path}`);
    return v;
  }
}
