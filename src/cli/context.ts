import { loadConfig, type Config } from '../config.ts';
import { openStore, type Store } from '../db/store.ts';

/** A one-line user error: printed without a stack trace, exit code 1. */
export class CliError extends Error {}

export function cliConfig(): Config {
  return loadConfig(process.env);
}

/** Opens the configured store, brings its schema up to date, runs `work`, and always closes it. */
export async function withStore<T>(work: (store: Store, config: Config) => Promise<T>): Promise<T> {
  const config = cliConfig();
  const store = await openStore(config);
  try {
    await store.migrate();
    return await work(store, config);
  } finally {
    await store.close();
  }
}
