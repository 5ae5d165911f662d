import { afterEach, describe, expect, it } from 'vitest';
import { makeKit, type Kit } from '../../test/helpers/refresh-kit.js';
import { systemClock } from '../core/clock.js';
import { acquireLease } from './lease.js';

let kit: Kit | undefined;
afterEach(async () => {
  await kit?.cleanup();
  kit = undefined;
});

describe('acquireLease', () => {
  it('excludes a second holder, renews while held, and frees on release', async () => {
    kit = makeKit();
    const store = await kit.deps.store();
    const a = await acquireLease(store, systemClock, kit.deps.random, 'refresh:c1', { ttlMs: 300, waitMs: 0, owner: 'a' });
    expect(a).toBeDefined();
    expect(await acquireLease(store, systemClock, kit.deps.random, 'refresh:c1', { ttlMs: 300, waitMs: 0, owner: 'b' })).toBeUndefined();
    // Renewed every ttl/3: still held well past the first TTL.
    await new Promise((r) => setTimeout(r, 700));
    expect(a!.lost).toBe(false);
    expect(await acquireLease(store, systemClock, kit.deps.random, 'refresh:c1', { ttlMs: 300, waitMs: 0, owner: 'b' })).toBeUndefined();
    const waiting = acquireLease(store, systemClock, kit.deps.random, 'refresh:c1', { ttlMs: 300, waitMs: 2000, owner: 'c' });
    await a!.release();
    const c = await waiting;
    expect(c).toBeDefined();
    await c!.release();
  });

  it('a dead holder (never renewed, never released) blocks only until its TTL', async () => {
    kit = makeKit();
    const store = await kit.deps.store();
    expect(await store.tryLock('refresh:c2', 'killed-process', 200, systemClock.now())).toBe(true);
    const t0 = systemClock.now();
    const b = await acquireLease(store, systemClock, kit.deps.random, 'refresh:c2', { ttlMs: 200, waitMs: 2000, owner: 'b' });
    expect(b).toBeDefined();
    expect(systemClock.now() - t0).toBeGreaterThanOrEqual(150);
    await b!.release();
  });
});
