import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, expect, it, vi } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { recordAudit } from './audit.service.ts';
import { scheduleCheckpoints } from './checkpoint.schedule.ts';
import { auditFiles, readCheckpointText } from './checkpoint.service.ts';

const dir = mkdtempSync(join(tmpdir(), 'mz-checkpoint-schedule-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.useRealTimers());

describeStores('scheduled checkpoints in the serve process', (ctx) => {
  it('signs soon after start, then each interval only when the head moved', async () => {
    const files = auditFiles({ MINZHENG_DATA_DIR: join(dir, ctx.kind) });
    const lines = () => readCheckpointText(files.checkpointFile).trim().split('\n').filter(Boolean);
    const append = () =>
      ctx.store.transaction((tx) =>
        recordAudit(tx, {
          actor: { userId: 'u', divisionCode: '310110' },
          action: 'auth.login',
          entityType: 'user',
        }),
      );
    await append();
    const said: string[] = [];
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    const schedule = scheduleCheckpoints(ctx.store, files, 60, (line) => said.push(line));
    await vi.advanceTimersByTimeAsync(1000);
    await schedule.settled();
    expect(lines()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    await schedule.settled();
    await schedule.stop();
    expect(lines()).toHaveLength(1);
    expect(said).toEqual(['已签署审计检查点：共 1 条，末条第 1 条']);

    await append();
    const again = scheduleCheckpoints(ctx.store, files, 60, (line) => said.push(line));
    await vi.advanceTimersByTimeAsync(1000);
    await again.settled();
    expect(lines()).toHaveLength(2);
    await again.stop();

    // 0 minutes: no checkpoints at all.
    await append();
    const off = scheduleCheckpoints(ctx.store, files, 0, (line) => said.push(line));
    await vi.advanceTimersByTimeAsync(2 * 60 * 60_000);
    await off.stop();
    expect(lines()).toHaveLength(2);
    expect(said).toEqual([
      '已签署审计检查点：共 1 条，末条第 1 条',
      '已签署审计检查点：共 2 条，末条第 2 条',
    ]);
  });
});
