import { isTrusted } from './parameter.schema.ts';
import type { ParameterStore, Resolution } from './parameter-store.ts';
import type { ParamHandle } from './parameters.ts';
import type { BenefitMonth } from './month.ts';

/** A program cannot run for a month because a parameter it reads has no value in force. */
export class MissingParameterError extends Error {
  constructor(
    readonly program: string,
    readonly parameter: string,
    readonly month: string,
  ) {
    super(`参数 ${parameter} 在 ${month} 没有生效的取值，无法计算 ${program} (no value in force)`);
    this.name = 'MissingParameterError';
  }
}

export interface ParameterRead {
  readonly parameter: string;
  readonly value: number;
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
  ): ResolvedParams | MissingParameterError {
    const view = new ResolvedParams(program);
    for (const handle of handles) {
      const r: Resolution = store.resolve(handle.path, month);
      if (!r.entry) return new MissingParameterError(program, handle.path, month.month);
      view.values.set(handle.path, r.entry.value);
      view.reads.push({
        parameter: handle.path,
        value: r.entry.value,
        effective: r.entry.key,
        status: r.entry.status,
        source: r.entry.source,
        ...(r.entry.decided !== undefined ? { decided: r.entry.decided } : {}),
      });
      if (!isTrusted(r.entry.status))
        view.warnings.push({
          parameter: handle.path,
          status: r.entry.status,
          effective: r.entry.key,
          message: `参数 ${handle.path}（${r.entry.key} 起 ${r.entry.value}）的状态为 ${r.entry.status}，非正式来源核实`,
        });
    }
    return view;
  }

  get(handle: ParamHandle): number {
    const v = this.values.get(handle.path);
    if (v === undefined) throw new Error(`程序 ${this.program} 读取了未在 Reads 中声明的参数 ${handle.path}`);
    return v;
  }
}
