/** A PostgreSQL server per test file (vitest hooks; kept apart from postgres.ts, which dist/testkit.js bundles). */
import { afterAll, beforeAll } from 'vitest';
import { startPostgres, type PostgresServer } from './postgres.js';

/**
 * One server for a test file, started before its tests and stopped after them. In a test:
 * `if (pg.skip) ctx.skip(pg.skip)`, then `pg.server.createDatabase()`.
 */
export function postgresForFile(): { readonly server: PostgresServer; readonly skip: string | undefined } {
  let s: PostgresServer | string | undefined;
  beforeAll(async () => {
    s = await startPostgres();
  }, 120_000);
  afterAll(async () => {
    if (typeof s === 'object') await s.stop();
  });
  return {
    get server() {
      if (typeof s !== 'object') throw new Error('PostgreSQL is not running (check skip first)');
      return s;
    },
    get skip() {
      return typeof s === 'string' ? s : undefined;
    },
  };
}

