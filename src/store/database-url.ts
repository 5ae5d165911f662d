/**
 * Which state store a profile uses: PostgreSQL when SOCIALYNC_DATABASE_URL (or config
 * `database.url`) is a postgres:// URL, else the embedded SQLite file (the default). The URL
 * may carry a password: it is shown only through redactDatabaseUrl, and remembered as a
 * secret so redactText scrubs it from any error text.
 */
import { UsageError } from '../core/errors.js';
import { rememberSecret } from '../core/redact.js';

export const DATABASE_URL_ENV = 'SOCIALYNC_DATABASE_URL';

export type StoreChoice = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string; shown: string; from: 'env' | 'config' };

/** postgres://user:****@host:5432/db — the password never shown; other parts kept so a reader can tell which server. */
export function redactDatabaseUrl(raw: string): string {
  try {
    const u = new URL(raw);
    if (u.password) u.password = '****';
    for (const k of [...u.searchParams.keys()]) if (/pass|secret|key/i.test(k)) u.searchParams.set(k, '****');
    return u.toString();
  } catch {
    return 'postgres://(unreadable URL)';
  }
}

export function isPostgresUrl(raw: string): boolean {
  return /^postgres(ql)?:\/\//i.test(raw.trim());
}

/** Throws a usage error naming the setting when `raw` is not a postgres:// URL. */
export function checkedPostgresUrl(raw: string, where: string): string {
  const url = raw.trim();
  if (!isPostgresUrl(url)) throw new UsageError(`${where} must be a postgres:// URL (got ${JSON.stringify(redactDatabaseUrl(url).slice(0, 40))})`, 'example: postgres://socialync@db.example.com:5432/socialync');
  try {
    const u = new URL(url);
    if (u.password) rememberSecret(decodeURIComponent(u.password));
  } catch {
    throw new UsageError(`${where} is not a valid URL`, 'example: postgres://socialync@db.example.com:5432/socialync (percent-encode special characters of the password)');
  }
  return url;
}

/** Why `raw` cannot be config database.url (which is not a secret store: no password in it), or undefined. */
export function databaseUrlProblem(raw: string): string | undefined {
  if (!isPostgresUrl(raw) || !URL.canParse(raw)) return 'must be a postgres:// URL';
  if (new URL(raw).password) return `must not hold a password (config.json is no place for secrets): put it in PGPASSWORD or ~/.pgpass, or the whole URL in ${DATABASE_URL_ENV}`;
  return undefined;
}

export function storeChoice(env: NodeJS.ProcessEnv, config: { get<T>(path: string): T | undefined }, stateDb: string): StoreChoice {
  const fromEnv = env[DATABASE_URL_ENV]?.trim();
  if (fromEnv) {
    const url = checkedPostgresUrl(fromEnv, DATABASE_URL_ENV);
    return { kind: 'postgres', url, shown: redactDatabaseUrl(url), from: 'env' };
  }
  const fromConfig = config.get<string>('database.url');
  if (typeof fromConfig === 'string' && fromConfig.trim()) {
    const url = checkedPostgresUrl(fromConfig, 'config database.url');
    return { kind: 'postgres', url, shown: redactDatabaseUrl(url), from: 'config' };
  }
  return { kind: 'sqlite', file: stateDb };
}

/** One line for `status` and `db status`: which store, where. */
export function describeStore(c: StoreChoice): string {
  if (c.kind === 'sqlite') return `SQLite ${c.file}`;
  return `PostgreSQL ${c.shown} (from ${c.from === 'env' ? DATABASE_URL_ENV : 'config database.url'})`;
}
