/**
 * Opens the profile's state store: PostgreSQL when a database URL is set (database-url.ts),
 * else the SQLite file. The PostgreSQL code (and node-postgres) loads only then.
 */
import type { Config } from '../core/config.js';
import type { Paths } from '../core/paths.js';
import { storeChoice } from './database-url.js';
import type { Store } from './types.js';

export async function openStateStore(o: { env: NodeJS.ProcessEnv; config: Pick<Config, 'get'>; paths: Paths; now: () => number }): Promise<Store> {
  const choice = storeChoice(o.env, o.config, o.paths.stateDb);
  if (choice.kind === 'postgres') {
    const { openPostgresStore } = await import('./postgres.js');
    return openPostgresStore(choice.url, { now: o.now });
  }
  const m = await import('./sqlite.js');
  return m.openSqliteStore(choice.file, { profileHoldings: () => m.profileHoldings(o.paths, o.config) });
}
