import { afterEach, describe, expect, it } from 'vitest';
import { fakeClock, makeKit, type Kit } from '../../test/helpers/refresh-kit.js';
import { systemClock } from '../core/clock.js';
import { acquireLease, WAIT_NOTICE_MS } from './lease.js';
import { describeHolder, ownerState, processStartTime } from './owner.js';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';

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

describe('lease holders that died', () => {
  const deadPid = (): number => {
    const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    return Number(r.stdout);
  };

  it('a holder that was a process of this machine and no longer exists is taken over at once', async () => {
    kit = makeKit();
    const store = await kit.deps.store();
    const dead = `${hostname()}/${deadPid()}/123/abcd`;
    expect(ownerState(dead)).toBe('dead');
    expect(await store.tryLock('refresh:c3', dead, 60_000, systemClock.now())).toBe(true);
    const t0 = systemClock.now();
    const b = await acquireLease(store, systemClock, kit.deps.random, 'refresh:c3', { ttlMs: 60_000, waitMs: 120_000, owner: 'b' });
    expect(b).toBeDefined();
    expect(systemClock.now() - t0).toBeLessThan(1000);
    expect((await store.lockHolder('refresh:c3'))?.owner).toBe('b');
    await b!.release();
  });

  it('a live process whose pid was reused is told apart by its start time; a live holder is waited for and named', async () => {
    kit = makeKit();
    const store = await kit.deps.store();
    const start = processStartTime(process.pid);
    expect(start).toMatch(/^\d+$/);
    expect(ownerState(`${hostname()}/${process.pid}/${start}/x`)).toBe('alive');
    expect(ownerState(`${hostname()}/${process.pid}/${Number(start) + 1}/x`)).toBe('dead');
    expect(ownerState(`elsewhere/${process.pid}/${start}/x`)).toBe('unknown');
    const live = `${hostname()}/${process.pid}/${start}/live`;
    expect(await store.tryLock('refresh:c4', live, 60_000, systemClock.now())).toBe(true);
    const seen: string[] = [];
    const clock = fakeClock();
    const b = await acquireLease(store, clock, kit.deps.random, 'refresh:c4', { ttlMs: 60_000, waitMs: WAIT_NOTICE_MS + 500, owner: 'b', onWait: (h) => seen.push(describeHolder(h.owner, h.expiresAt)) });
    expect(b).toBeUndefined();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(new RegExp(`^pid ${process.pid} on this machine \\(.+\\) until \\d{4}-\\d\\d-\\d\\dT`));
  });
});
