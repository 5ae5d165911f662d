/**
 * Team mode's wiring: the shared store's team tables, this machine's own secret store (where
 * its private key lives: OS keychain or key-file vault, exactly as without a team), and the
 * team vault that `deps.secrets()` returns once this machine is in a team (config
 * `team.machineId`, written by `team init` / `team join`).
 */
import type { Deps } from '../deps.js';
import { CliError } from '../core/errors.js';
import { DATABASE_URL_ENV, storeChoice } from '../store/database-url.js';
import { openSecretStore } from './open.js';
import { storedKeyNames } from './names.js';
import type { SecretStore } from './types.js';
import { CONFIG_KEYS, teamVaultFor, thisMachine, type TeamContext } from './team-admin.js';

/** The database for messages: its URL without password (config `database.url` or the environment). */
export function databaseLabel(deps: Pick<Deps, 'env' | 'config' | 'paths'>): string {
  const c = storeChoice(deps.env, deps.config, deps.paths.stateDb);
  return c.kind === 'postgres' ? c.shown : 'the local SQLite store';
}

export async function teamContext(deps: Deps): Promise<TeamContext> {
  const store = await deps.store();
  if (!store.teamTables) {
    throw new CliError('team mode needs the shared PostgreSQL store; this profile uses the local SQLite store', {
      exitCode: 3,
      hint: `export ${DATABASE_URL_ENV}=postgres://user@host/db (or: socialync config set database.url postgres://…), then run: socialync db migrate`,
    });
  }
  return {
    tables: store.teamTables(),
    local: await openSecretStore({ paths: deps.paths, env: deps.env, config: deps.config, io: deps.io }),
    localNames: () => storedKeyNames(deps.paths.vaultDir),
    config: deps.config,
    clock: deps.clock,
    uuid: () => deps.random.uuid(),
    where: databaseLabel(deps),
  };
}

/** Whether this profile's secrets live in a team vault (cheap: config only). */
export function inTeam(config: Deps['config']): boolean {
  return Boolean(config.get<string>(CONFIG_KEYS.machineId));
}

/** deps.secrets() in team mode: the team vault, unlocked eagerly so a command fails before it starts work. */
export async function openTeamSecretStore(deps: Deps): Promise<SecretStore> {
  const ctx = await teamContext(deps);
  const vault = teamVaultFor(ctx, thisMachine(ctx)!);
  await vault.unlock();
  deps.io.debug(`secret store: ${vault.describe().location}; ${vault.describe().detail ?? ''}`);
  return vault;
}
