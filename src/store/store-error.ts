/**
 * An error of the state store told as what it is, naming the database: the SQLite file, or the
 * PostgreSQL URL with its password masked (never the password). No node-postgres import, so
 * run.ts and the daemon load it cheaply.
 */
import type { CliError } from '../core/errors.js';
import type { Config } from '../core/config.js';
import type { Paths } from '../core/paths.js';
import { isSqliteError, stateDbError } from './failure.js';
import { isPostgresError, postgresError } from './postgres-errors.js';
import { storeChoice } from './database-url.js';

export interface StoreWhere {
  env: NodeJS.ProcessEnv;
  config: Pick<Config, 'get'>;
  paths: Pick<Paths, 'stateDb'>;
}

/** The CliError for a state-store failure (its message names the database), or undefined when `e` is not one. */
export function stateStoreError(e: unknown, where: StoreWhere): CliError | undefined {
  if (isSqliteError(e)) return stateDbError(where.paths.stateDb, e);
  if (!isPostgresError(e)) return undefined;
  const choice = storeChoice(where.env, where.config, where.paths.stateDb);
  return choice.kind === 'postgres' ? postgresError(choice.url, e) : undefined;
}
