import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InitialAccount } from '../../../src/auth/bootstrap.service.ts';
import { loadConfig } from '../../../src/config.ts';
import { openPglite, type Store } from '../../../src/db/store.ts';
import { prepareInstance } from '../../../src/http/first-start.ts';
import { buildServer } from '../../../src/http/server.ts';
import { startJobs } from '../../../src/jobs/jobs.process.ts';

export interface RunningServer {
  baseUrl: string;
  store: Store;
  /** The first-start accounts by username, with their passwords (as `serve` prints them). */
  accounts: Map<string, InitialAccount>;
  close(): Promise<void>;
}

/**
 * The server as `serve` starts it (same first-start preparation: migrations, divisions, the demo
 * population and the demo accounts), on an in-memory PGlite (or one in its data directory: `onDisk`) and
 * a random local port, serving web/dist.
 */
export async function startServer(options: {
  persons: number;
  /** Settings on top of these (an e2e file's own data directory or import caps). */
  config?: Record<string, string>;
  /** Keep the embedded store in the data directory, as `serve` does (a store in memory cannot be backed up). */
  onDisk?: boolean;
  /** Add the demo's cases and advisers' records as `serve` does (default: none, a registry without cases). */
  demoCases?: boolean;
}): Promise<RunningServer> {
  // Files the server keeps beside its database (uploads, audit checkpoints and their key) go to a
  // folder of its own, never to the working copy's ./data.
  const dataDir = mkdtempSync(join(tmpdir(), 'mz-e2e-'));
  const config = loadConfig({
    MINZHENG_DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    MINZHENG_DEMO: 'true',
    MINZHENG_DEMO_DISTRICT: '310110',
    MINZHENG_DEMO_PERSONS: String(options.persons),
    MINZHENG_WEB_DIST: 'web/dist',
    MINZHENG_BUILD_WEB: 'false',
    // serve's scheduled checkpoint would add a line to the checkpoint file the audit tests count.
    MINZHENG_AUDIT_CHECKPOINT_MINUTES: '0',
    ...options.config,
  });
  const store = options.onDisk
    ? await openPglite(join(dataDir, 'pglite'), { shownDir: dataDir, command: 'e2e' })
    : await openPglite();
  try {
    const { accounts } = await prepareInstance(store, config, () => undefined, {
      demoCases: options.demoCases ?? false,
    });
    const app = await buildServer({ config, store, logger: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    // Imports run as jobs: in the server's process, as serve runs them on the embedded store.
    const jobs = await startJobs(store, config, () => undefined, { runJobs: true });
    const { port } = app.server.address() as AddressInfo;
    return {
      baseUrl: `http://127.0.0.1:${port}`,
      store,
      accounts: new Map(accounts.map((account) => [account.username, account])),
      close: async () => {
        await app.close();
        await jobs.stop();
        await store.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}
