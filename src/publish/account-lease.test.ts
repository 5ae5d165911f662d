import { afterEach, describe, expect, it } from 'vitest';
import { makeKit, type Kit } from '../../test/helpers/refresh-kit.js';
import { systemClock } from '../core/clock.js';
import { acquireAccountSlot, accountLeaseName } from './account-lease.js';

let kit: Kit | undefined;
afterEach(async () => {
  await kit?.cleanup();
  kit = undefined;
});

const OTHER_MACHINE = 'elsewhere/4242//abcd/t1'; // another host: only its lease's expiry tells it is gone

describe('account upload slots across processes', () => {
  it('waits while another process holds the only slot; a holder that stopped renewing loses it when its TTL ends', async () => {
    kit = makeKit();
    const store = await kit.deps.store();
    const t0 = Date.now();
    expect(await store.tryLock(accountLeaseName('c1', 0), OTHER_MACHINE, 400, t0)).toBe(true);
    const lease = await acquireAccountSlot({ store, clock: systemClock, random: kit.deps.random, connectionId: 'c1', slots: 1, owner: 'here/1//x/t2', ttlMs: 1000, maxWaitMs: 60_000 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(390);
    expect(lease?.name).toBe('publish-account:c1');
    expect((await store.lockHolder('publish-account:c1'))?.owner).toBe('here/1//x/t2');
    await lease!.release();
    expect(await store.lockHolder('publish-account:c1')).toBeUndefined();
  });

  it('with two slots a second uploader takes the next slot at once; a third waits; stopping gives up', async () => {
    kit = makeKit();
    const store = await kit.deps.store();
    const req = (owner: string, signal?: AbortSignal) => acquireAccountSlot({ store, clock: systemClock, random: kit!.deps.random, connectionId: 'c1', slots: 2, owner, ttlMs: 5000, signal, maxWaitMs: 60_000 });
    const a = await req('p/1//a/t1');
    const b = await req('p/1//a/t2');
    expect([a?.name, b?.name]).toEqual(['publish-account:c1', 'publish-account:c1#1']);
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 300);
    expect(await req('p/1//a/t3', stop.signal)).toBeUndefined();
    await b!.release();
    expect((await req('p/1//a/t4'))?.name).toBe('publish-account:c1#1');
    await a!.release();
  });

  it('gives up after maxWaitMs while another machine keeps the account busy (its lease still renewed)', async () => {
    kit = makeKit();
    const store = await kit.deps.store();
    const t0 = Date.now();
    expect(await store.tryLock(accountLeaseName('c1', 0), OTHER_MACHINE, 60_000, t0)).toBe(true);
    const lease = await acquireAccountSlot({ store, clock: systemClock, random: kit.deps.random, connectionId: 'c1', slots: 1, owner: 'here/1//x/t2', ttlMs: 1000, maxWaitMs: 300 });
    expect(lease).toBeUndefined();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect((await store.lockHolder('publish-account:c1'))?.owner).toBe(OTHER_MACHINE);
  });
});
