import { describe, expect, it } from 'vitest';
import { classify } from '../publish/engine.js';
import { isStoreUnavailable, markStoreError, postgresError } from './postgres-errors.js';

const err = (message: string, code?: string) => Object.assign(new Error(message), code ? { code } : {});
const URL_ = 'postgres://socialync:s3cret-pw@db.example.com:5432/social';

describe('the PostgreSQL state store out of reach', () => {
  it('a refused or cut connection of the store is temporary; the same socket error from a platform is not the store', () => {
    expect(isStoreUnavailable(markStoreError(err('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')))).toBe(true);
    expect(isStoreUnavailable(markStoreError(err('Connection terminated unexpectedly')))).toBe(true);
    expect(isStoreUnavailable(err('connect ECONNREFUSED 127.0.0.1:443', 'ECONNREFUSED'))).toBe(false);
    // Server-side codes say it whoever threw them: shut down, crashed, starting up, connection exceptions.
    for (const code of ['57P01', '57P02', '57P03', '08006', '53300']) expect(isStoreUnavailable(err('x', code)), code).toBe(true);
    // A constraint violation or a syntax error is not an outage.
    for (const code of ['23505', '42601']) expect(isStoreUnavailable(markStoreError(err('x', code))), code).toBe(false);
  });

  it('the publish engine retries it (transient), not a bug', () => {
    expect(classify(markStoreError(err('Connection terminated unexpectedly')))).toBe('transient');
    expect(classify(err('terminating connection due to administrator command', '57P01'))).toBe('transient');
    expect(classify(markStoreError(err('duplicate key value violates unique constraint', '23505')))).toBe('bug');
  });

  it('the message names the database without its password, exit 6, and says to run db status', () => {
    const e = postgresError(URL_, err('terminating connection due to administrator command', '57P01'));
    expect(e.exitCode).toBe(6);
    expect(e.message).toBe('cannot reach PostgreSQL postgres://socialync:****@db.example.com:5432/social: terminating connection due to administrator command (57P01)');
    expect(e.hint).toMatch(/then run: socialync db status$/);
    expect(`${e.message} ${e.hint}`).not.toMatch(/reconnect|s3cret-pw/);
  });
});
