/**
 * The PostgreSQL team tables' lock rule (postgres-team.ts), on a real server: an entry write
 * that meets a re-key in progress waits for it, then is refused because the key version moved,
 * so the re-key can never overwrite it with an older value.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openPostgresStore, type PostgresStore } from './postgres.js';
import { startPostgres, type PostgresServer } from '../../test/helpers/postgres.js';

let server: PostgresServer | string;
beforeAll(async () => {
  server = await startPostgres();
}, 120_000);
afterAll(async () => {
  if (typeof server !== 'string') await server.stop();
}, 60_000);

describe('postgres team tables', () => {
  let store: PostgresStore;
  beforeEach(async (ctx) => {
    if (typeof server === 'string') return ctx.skip(server);
    store = await openPostgresStore(await server.createDatabase(), { now: () => 1 });
    const t = store.teamTables();
    const first = { id: 'm1', name: 'alpha', publicKey: 'pk', state: 'member' as const, requestedAt: 1, approvedAt: 1, approvedBy: null };
    expect(await t.createTeam({ id: 'team', keyVersion: 1, createdAt: 1 }, first, { machineId: 'm1', keyVersion: 1, wrapped: Buffer.from('w1') })).toBe(true);
    expect(await t.createTeam({ id: 'team2', keyVersion: 1, createdAt: 1 }, { ...first, id: 'm9', name: 'other' }, { machineId: 'm9', keyVersion: 1, wrapped: Buffer.from('w') })).toBe(false);
    return async () => store.close();
  });

  it('an entry write waits for a re-key in progress and is refused once the key version moved', async () => {
    const t = store.teamTables();
    const rekey = await store.pool.connect();
    try {
      await rekey.query('BEGIN');
      await rekey.query('SELECT * FROM team FOR UPDATE');
      let settled = false;
      const write = t.writeEntry({ name: 'conn.a', keyVersion: 1, data: Buffer.from('old-key-ciphertext'), updatedAt: 2 }).finally(() => (settled = true));
      await new Promise((r) => setTimeout(r, 300));
      expect(settled).toBe(false); // waiting on the team row
      await rekey.query('UPDATE team SET key_version = 2');
      await rekey.query('COMMIT');
      expect(await write).toBe(false);
      expect(await t.readEntry('conn.a')).toBeUndefined();
    } finally {
      rekey.release();
    }
    expect(await t.writeEntry({ name: 'conn.a', keyVersion: 2, data: Buffer.from('new'), updatedAt: 3 })).toBe(true);
    expect(await t.writeEntry({ name: 'conn.a', keyVersion: 2, data: Buffer.from('other'), updatedAt: 4 }, { ifAbsent: true })).toBe(false);
    expect((await t.readEntry('conn.a'))!.data.toString()).toBe('new');
  });

  it('a wrapping of an older key version is not handed out, and approval checks key version and public key', async () => {
    const t = store.teamTables();
    expect(await t.requestJoin({ id: 'm2', name: 'beta', publicKey: 'pk2', state: 'pending', requestedAt: 2, approvedAt: null, approvedBy: null })).toBe(true);
    expect(await t.requestJoin({ id: 'm3', name: 'beta', publicKey: 'pk3', state: 'pending', requestedAt: 2, approvedAt: null, approvedBy: null })).toBe(false);
    expect(await t.approve('m2', 'pk-other', { machineId: 'm2', keyVersion: 1, wrapped: Buffer.from('w2') }, 'alpha', 5)).toBe(false);
    expect(await t.approve('m2', 'pk2', { machineId: 'm2', keyVersion: 0, wrapped: Buffer.from('w2') }, 'alpha', 5)).toBe(false);
    expect(await t.approve('m2', 'pk2', { machineId: 'm2', keyVersion: 1, wrapped: Buffer.from('w2') }, 'alpha', 5)).toBe(true);
    expect((await t.listMachines()).map((m) => [m.name, m.state, m.approvedBy])).toEqual([['alpha', 'member', null], ['beta', 'member', 'alpha']]);
    await store.pool.query('UPDATE team SET key_version = 2');
    expect(await t.readWrap('m2')).toBeUndefined();
  });
});
