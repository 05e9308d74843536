import { describe, expect, it } from 'vitest';
import { SUBMIT_FAILED, useSubmit } from './use-submit.ts';

/** What request.ts throws for a refusal (an ApiError: status, code, the server's message). */
function refused(message: string): Error {
  return Object.assign(new Error(message), { status: 409, code: 'CONFLICT', body: null });
}

describe('useSubmit (the payroll pages’ action dialog)', () => {
  it('needs a reason of two characters and sends it trimmed; on success closes, tells and refreshes', async () => {
    const told: string[] = [];
    const sent: string[] = [];
    let refreshed = 0;
    const { state, ready, ask, submit } = useSubmit((m) => told.push(m));
    ask('复核无误');
    expect(state.open).toBe(true);
    expect(ready.value).toBe(true);
    state.reason = ' 是 ';
    expect(ready.value).toBe(false);
    state.reason = '  经核实放行 ';
    const ok = await submit(
      async (reason) => {
        sent.push(reason);
        return { lines: 4 };
      },
      { success: (r) => `已放行 ${r.lines} 条`, refresh: async () => void refreshed++ },
    );
    expect(ok).toBe(true);
    expect(sent).toEqual(['经核实放行']);
    expect(told).toEqual(['已放行 4 条']);
    expect(refreshed).toBe(1);
    expect(state.open).toBe(false);
    expect(state.busy).toBe(false);
  });

  it('keeps the dialog open with the server’s Chinese message when refused, and nothing refreshed', async () => {
    let refreshed = 0;
    const { state, ask, submit } = useSubmit(() => undefined);
    ask('同意');
    const ok = await submit(
      async () => {
        throw refused('制单人不能审批本批次');
      },
      { refresh: async () => void refreshed++ },
    );
    expect(ok).toBe(false);
    expect(state.open).toBe(true);
    expect(state.error).toBe('制单人不能审批本批次');
    expect(refreshed).toBe(0);
  });

  it('never shows a script error’s English text, and a new ask clears the last error', async () => {
    const { state, ask, submit } = useSubmit(() => undefined);
    ask('同意');
    await submit(async () => {
      throw new TypeError('Failed to fetch');
    });
    expect(state.error).toBe(SUBMIT_FAILED);
    ask('');
    expect(state.error).toBe('');
    expect(state.reason).toBe('');
  });
});
