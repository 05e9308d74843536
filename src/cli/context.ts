import { loadConfig, type Config } from '../config.ts';
import type { Store } from '../db/store.ts';

export { CliError, commanderErrorLine } from './errors.ts';

export function cliConfig(): Config {
  return loadConfig(process.env);
}

/**
 * Opens the configured store as it is, runs `work`, and always closes it. On the embedded store this
 * process holds the data directory alone meanwhile (a server running on it refuses us, before anything
 * is opened). The database drivers load here, only for the commands that use them.
 */
export async function withOpenStore<T>(work: (store: Store, config: Config) => Promise<T>): Promise<T> {
  const config = cliConfig();
  const { openStore } = await import('../db/store.ts');
  const store = await openStore(config);
  try {
    return await work(store, config);
  } finally {
    await store.close();
  }
}

/** Like withOpenStore, after bringing the schema up to date. */
export async function withStore<T>(work: (store: Store, config: Config) => Promise<T>): Promise<T> {
  return withOpenStore(async (store, config) => {
    await store.migrate();
    await (await import('../parameter-changes/parameters-in-force.ts')).refreshParametersInForce(store.db);
    return work(store, config);
  });
}
