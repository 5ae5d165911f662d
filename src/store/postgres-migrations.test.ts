import { describe, expect, it } from 'vitest';
import { migrations } from './migrations.js';
import { postgresMigrations } from './postgres-migrations.js';
import { databaseUrlProblem, redactDatabaseUrl, storeChoice } from './database-url.js';

describe('one migration history for both stores', () => {
  it('every SQLite migration has its PostgreSQL text (same number), and none of SQLite\'s triggers is ported', () => {
    expect(postgresMigrations).toHaveLength(migrations.length);
    expect(postgresMigrations.join('\n')).not.toMatch(/TRIGGER|list_line|target_summary|INDEXED BY|AUTOINCREMENT/i);
  });
});

describe('choosing and showing the state store', () => {
  const config = (url?: string) => ({ get: <T>(k: string) => (k === 'database.url' ? (url as T) : undefined) });
  it('SQLite by default; the environment wins over config; the password is never shown', () => {
    expect(storeChoice({}, config(), '/h/state.db')).toEqual({ kind: 'sqlite', file: '/h/state.db' });
    expect(storeChoice({}, config('postgres://u@db/s'), '/h/state.db')).toMatchObject({ kind: 'postgres', from: 'config', shown: 'postgres://u@db/s' });
    const env = { SOCIALYNC_DATABASE_URL: 'postgresql://u:p%40ss-w0rd@db:5433/s?sslmode=require&password=other-pw' };
    const c = storeChoice(env, config('postgres://x@y/z'), '/h/state.db');
    expect(c).toMatchObject({ kind: 'postgres', from: 'env', url: env.SOCIALYNC_DATABASE_URL });
    expect(c.kind === 'postgres' && c.shown).toBe('postgresql://u:****@db:5433/s?sslmode=require&password=****');
    expect(redactDatabaseUrl('not a url')).not.toContain('not a url');
    expect(() => storeChoice({ SOCIALYNC_DATABASE_URL: 'mysql://u:pw@h/d' }, config(), '')).toThrow(/must be a postgres:\/\/ URL/);
  });
  it('config database.url holds no password', () => {
    expect(databaseUrlProblem('postgres://u:pw@h/d')).toMatch(/must not hold a password/);
    expect(databaseUrlProblem('https://h/d')).toMatch(/postgres:\/\//);
    expect(databaseUrlProblem('postgres://u@h/d')).toBeUndefined();
  });
});
