import { computed, reactive } from 'vue';
import type { ApiError } from '../api/request.ts';

/**
 * The action dialog of the payroll pages (复核, 审批, 撤销, 放行, 追缴 steps): a reason typed in, one submit at a
 * time, the server's refusal shown in the dialog (the call is made `silent`, so no second toast), and on
 * success a message and a refresh of whatever the action changed. `open` and `reason` are bound by the page.
 */
export interface SubmitOptions<T> {
  /** The success message, from the server's answer. */
  success?: (result: T) => string;
  /** What to reload (the run, its lines, the list) or where to go once the action has gone through. */
  refresh?: (result: T) => Promise<unknown>;
}

/** Shown when the failure is not the server's Chinese message (a network error, a script error). */
export const SUBMIT_FAILED = '操作失败，请稍后重试';

/** The Chinese message of a failed action: the server's own, or a general one (never an English one). */
export function submitError(error: unknown): string {
  return isApiError(error) ? error.message : SUBMIT_FAILED;
}

// By shape rather than `instanceof`: request.ts loads Element Plus' stylesheet, which the unit tests (node)
// cannot import; an ApiError is the Error with the HTTP status and the server's code.
function isApiError(error: unknown): error is ApiError {
  return (
    error instanceof Error &&
    typeof (error as Partial<ApiError>).status === 'number' &&
    typeof (error as Partial<ApiError>).code === 'string'
  );
}

export function useSubmit(notify: (message: string) => void, minReason = 2) {
  const state = reactive({ open: false, reason: '', busy: false, error: '' });
  /** The reason is long enough and nothing is on its way: the 确定 button's `disabled` is `!ready`. */
  const ready = computed(() => state.reason.trim().length >= minReason && !state.busy);

  /** Opens the dialog with a suggested reason (e.g. 复核无误) or an empty one. */
  function ask(reason = ''): void {
    state.reason = reason;
    state.error = '';
    state.open = true;
  }

  /** Runs the action with the trimmed reason; true when it went through (the dialog is then closed). */
  async function submit<T>(
    action: (reason: string) => Promise<T>,
    options: SubmitOptions<T> = {},
  ): Promise<boolean> {
    if (state.busy) return false;
    state.busy = true;
    state.error = '';
    let result: T;
    try {
      result = await action(state.reason.trim());
    } catch (error) {
      state.error = submitError(error);
      return false;
    } finally {
      state.busy = false;
    }
    state.open = false;
    if (options.success) notify(options.success(result));
    // A failed reload is the request module's toast; the action itself went through.
    await options.refresh?.(result).catch(() => undefined);
    return true;
  }

  return { state, ready, ask, submit };
}
