/**
 * `socialync db status|migrate|copy`: which state store this profile uses (SQLite file or
 * PostgreSQL, its URL always shown without the password), its schema version and pending
 * migrations; applying them; moving a SQLite profile's state into PostgreSQL.
 */
import type { Command } from 'commander';
import type { CommandContext } from '../program.js';
import type { Deps } from '../deps.js';
import { CliError, ExitCode } from '../core/errors.js';
import { printJson } from '../core/json.js';
import { migrations } from '../store/migrations.js';
import { checkedPostgresUrl, describeStore, redactDatabaseUrl, storeChoice, DATABASE_URL_ENV } from '../store/database-url.js';

/** Public JSON schema of `socialync db status --json`. */
export interface DbStatus {
  store: 'sqlite' | 'postgres';
  /** The SQLite file, or the PostgreSQL URL without its password. */
  location: string;
  /** Where the choice comes from: default (SQLite), SOCIALYNC_DATABASE_URL, or config database.url. */
  source: 'default' | 'env' | 'config';
  /** Applied schema version (0: not created yet). */
  schemaVersion: number;
  latestVersion: number;
  pendingMigrations: number[];
  /** Round trip of `SELECT 1` in ms (PostgreSQL only). */
  latencyMs: number | null;
}

export async function runDbStatus(deps: Deps): Promise<DbStatus> {
  const choice = storeChoice(deps.env, deps.config, deps.paths.stateDb);
  const latest = migrations.length;
  if (choice.kind === 'sqlite') {
    const { openExistingDb } = await import('../store/readonly.js');
    const db = await openExistingDb(choice.file);
    const version = db ? (db.pragma('user_version', { simple: true }) as number) : 0;
    db?.close();
    const pending = Array.from({ length: Math.max(0, latest - version) }, (_, i) => version + i + 1);
    return { store: 'sqlite', location: choice.file, source: 'default', schemaVersion: version, latestVersion: latest, pendingMigrations: pending, latencyMs: null };
  }
  const { createPool } = await import('../store/postgres-pool.js');
  const { postgresError } = await import('../store/postgres-errors.js');
  const { schemaState } = await import('../store/postgres-migrate.js');
  const pool = createPool(choice.url, { max: 1 });
  try {
    const t0 = deps.clock.now();
    await pool.query('SELECT 1');
    const latencyMs = deps.clock.now() - t0;
    const s = await schemaState(pool);
    return { store: 'postgres', location: choice.shown, source: choice.from, schemaVersion: s.version, latestVersion: s.latest, pendingMigrations: s.pending, latencyMs };
  } catch (e) {
    throw postgresError(choice.url, e);
  } finally {
    await pool.end().catch(() => undefined);
  }
}

export async function runDbMigrate(deps: Deps): Promise<{ applied: number[]; status: DbStatus }> {
  const before = await runDbStatus(deps);
  await (await deps.store()).schemaVersion(); // opening the store applies what is pending (under the advisory lock in PostgreSQL)
  const status = await runDbStatus(deps);
  return { applied: before.pendingMigrations.filter((v) => !status.pendingMigrations.includes(v)), status };
}

export interface DbCopyOptions {
  to?: string;
  force?: boolean;
}

export interface DbCopyResult {
  from: string;
  to: string;
  replaced: boolean;
  counts: Record<string, number>;
}

export async function runDbCopy(deps: Deps, o: DbCopyOptions): Promise<DbCopyResult> {
  const raw = o.to ?? deps.env[DATABASE_URL_ENV] ?? deps.config.get<string>('database.url');
  if (!raw) throw new CliError('which PostgreSQL database? none given', { exitCode: ExitCode.usage, hint: 'run: socialync db copy --to postgres://user@host:5432/socialync   (the password in PGPASSWORD or ~/.pgpass)' });
  const url = checkedPostgresUrl(raw, '--to');
  if (o.to && URL.canParse(url) && new URL(url).password) {
    deps.io.err('warning: the password in --to is visible to other users in the process list; next time put it in PGPASSWORD or ~/.pgpass');
  }
  const file = deps.paths.stateDb;
  const { existsSync } = await import('node:fs');
  if (!existsSync(file)) throw new CliError(`no SQLite state to copy: ${file} does not exist`, { hint: 'run db copy on the machine (and as the user) whose profile you want to move' });
  const { openSqliteStore, profileHoldings } = await import('../store/sqlite.js');
  const { openPostgresStore } = await import('../store/postgres.js');
  const { copySqliteToPostgres } = await import('../store/copy.js');
  const { postgresError } = await import('../store/postgres-errors.js');
  const src = openSqliteStore(file, { profileHoldings: () => profileHoldings(deps.paths, deps.config) });
  try {
    const dst = await openPostgresStore(url, { now: () => deps.clock.now() });
    try {
      const r = await copySqliteToPostgres(src.db, dst.pool, { force: !!o.force, shownUrl: redactDatabaseUrl(url) }).catch((e: unknown) => {
        throw postgresError(url, e);
      });
      return { from: file, to: redactDatabaseUrl(url), replaced: r.replaced, counts: r.counts };
    } finally {
      await dst.close();
    }
  } finally {
    await src.close();
  }
}

function printStatus(deps: Deps, s: DbStatus): void {
  const choice = storeChoice(deps.env, deps.config, deps.paths.stateDb);
  deps.io.out(`store\t${describeStore(choice)}`);
  deps.io.out(`schema\tv${s.schemaVersion} (this socialync: v${s.latestVersion})`);
  deps.io.out(`pending\t${s.pendingMigrations.length ? s.pendingMigrations.join(', ') : 'none'}`);
  if (s.latencyMs !== null) deps.io.out(`latency\t${s.latencyMs} ms`);
  if (s.pendingMigrations.length) deps.io.info('run: socialync db migrate');
}

export function registerDb(program: Command, ctx: CommandContext): void {
  const { deps } = ctx;
  const db = program
    .command('db')
    .description('the state database: which store is in use, its schema, moving a profile into PostgreSQL')
    .addHelpText('after', `
The state store is SQLite (a file in the data folder) unless ${DATABASE_URL_ENV}=postgres://...
(or config database.url) points at PostgreSQL, which several machines can share. Passwords go in
PGPASSWORD or ~/.pgpass (or in ${DATABASE_URL_ENV}); socialync never prints them.

Examples:
  $ socialync db status
  $ PGPASSWORD=... socialync db copy --to postgres://socialync@db.example.com/socialync
  $ export ${DATABASE_URL_ENV}=postgres://socialync@db.example.com/socialync && socialync db migrate`);
  db.command('status')
    .description('the store in use (URL without password), schema version, pending migrations, round-trip latency')
    .option('--json', 'print JSON (fields: docs/json.md)')
    .addHelpText('after', `
Examples:
  $ socialync db status
  $ socialync db status --json`)
    .action(async (o: { json?: boolean; jq?: string }) => {
      const s = await runDbStatus(deps);
      if (o.json) return await printJson(deps.io, s, o.jq);
      printStatus(deps, s);
    });
  db.command('migrate')
    .description('apply pending schema migrations (PostgreSQL: under an advisory lock, safe from several machines at once)')
    .addHelpText('after', `
Examples:
  $ socialync db migrate`)
    .action(async () => {
      const r = await runDbMigrate(deps);
      deps.io.info(r.applied.length ? `applied migration${r.applied.length > 1 ? 's' : ''} ${r.applied.join(', ')}; schema v${r.status.schemaVersion}` : `schema v${r.status.schemaVersion} is current; nothing to apply`);
    });
  db.command('copy')
    .description("copy this profile's SQLite state (connections, posts, history) into PostgreSQL; secrets are not copied")
    .option('--to <url>', `the PostgreSQL database (default: ${DATABASE_URL_ENV} or config database.url)`)
    .option('--force', 'replace the socialync state the target already holds')
    .addHelpText('after', `
The target is migrated first; one that already holds socialync state is refused without --force.
Every table's row count is checked after the copy (one transaction: all or nothing).

Examples:
  $ PGPASSWORD=... socialync db copy --to postgres://socialync@db.example.com:5432/socialync
  $ socialync db copy --to postgres://socialync@db.example.com/socialync --force`)
    .action(async (o: DbCopyOptions) => {
      const r = await runDbCopy(deps, o);
      for (const [t, n] of Object.entries(r.counts)) deps.io.out(`${t}\t${n}`);
      deps.io.info(`copied ${r.from} into ${r.to}${r.replaced ? ' (its previous state replaced)' : ''}; every table's count matches`);
      deps.io.info(`secrets (tokens, app secrets) are not copied: run \`socialync team init\` with ${DATABASE_URL_ENV} set to move them into the database`);
      deps.io.info(`then use it on this machine: export ${DATABASE_URL_ENV}=<url>  (or: socialync config set database.url <url without password>)`);
    });
}
