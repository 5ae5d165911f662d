/**
 * The daemon's line for a failed step: a state-store failure names the database (the SQLite file;
 * the PostgreSQL host and database, never the password) and the command that checks it.
 */
import { describe, expect, it } from 'vitest';
import { daemonStepFailure } from './store-down.js';
import { markStoreError } from '../store/postgres-errors.js';

const PASSWORD = 'hunter2-secret';
const URL_ENV = { SOCIALYNC_DATABASE_URL: `postgres://socialync:${PASSWORD}@db.example.com:5432/social` };
const where = (env: NodeJS.ProcessEnv = {}) => ({ env, config: { get: () => undefined }, paths: { stateDb: '/home/ana/.local/state/socialync/state.db' } });
const sqliteBusy = () => Object.assign(new Error('database is locked'), { name: 'SqliteError', code: 'SQLITE_BUSY' });
const pgRefused = () => markStoreError(Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { code: 'ECONNREFUSED' }));

describe('daemonStepFailure', () => {
  it('PostgreSQL out of reach: host and database from SOCIALYNC_DATABASE_URL, the password masked, then `socialync db status`', () => {
    const line = daemonStepFailure(where(URL_ENV), pgRefused());
    expect(line).toContain('cannot reach PostgreSQL postgres://socialync:****@db.example.com:5432/social: connect ECONNREFUSED 10.0.0.5:5432');
    expect(line).toMatch(/; if it persists, run: socialync db status$/);
    expect(line).not.toContain(PASSWORD);
    expect(line).not.toContain('\n');
  });

  it('PostgreSQL shut down (SQLSTATE 57P01) is named the same way', () => {
    const e = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    expect(daemonStepFailure(where(URL_ENV), e)).toMatch(/^cannot reach PostgreSQL postgres:\/\/socialync:\*\*\*\*@db\.example\.com:5432\/social: terminating connection.*; if it persists, run: socialync db status$/);
  });

  it('SQLite locked for too long: the file, then `socialync doctor`', () => {
    const line = daemonStepFailure(where(), sqliteBusy());
    expect(line).toContain('the state database /home/ana/.local/state/socialync/state.db stayed locked');
    expect(line).toMatch(/; if it persists, run: socialync doctor$/);
  });

  it('any other failure keeps its own message', () => {
    expect(daemonStepFailure(where(URL_ENV), new Error('boom'))).toBe('boom');
  });
});
