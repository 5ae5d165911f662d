import { afterEach, describe, expect, it } from 'vitest';
import { makeKit, type Kit } from '../../test/helpers/refresh-kit.js';
import { DAY, HOUR } from '../core/clock.js';
import { createIO } from '../core/io.js';
import { PassThrough } from 'node:stream';
import { attentionBanner } from './banner.js';

let kit: Kit | undefined;
afterEach(async () => {
  await kit?.cleanup();
  kit = undefined;
});

describe('attentionBanner', () => {
  it('says nothing when there is no state yet or all is well', async () => {
    kit = makeKit();
    expect(await attentionBanner(kit.deps)).toBeUndefined();
    const now = kit.clock.now();
    await kit.addConnection('tiktok', 'fine', { accessToken: 'a-123456', refreshToken: 'r-123456', scopes: [], obtainedAt: now, expiresAt: now + 2 * HOUR, refreshExpiresAt: now + 100 * DAY });
    expect(await attentionBanner(kit.deps)).toBeUndefined();
  });

  it('one line naming broken and soon-to-break connections and the command to run', async () => {
    kit = makeKit();
    const now = kit.clock.now();
    const t = { accessToken: 'a-123456', refreshToken: 'r-123456', scopes: [], obtainedAt: now, expiresAt: now + 2 * HOUR };
    await kit.addConnection('x', 'broken', t, { health: 'needs_reconnect', reason: 'password_changed' });
    await kit.addConnection('tiktok', 'soon', { ...t, refreshExpiresAt: now + 3 * DAY });
    await kit.deps.config.set('warnDays', 7);
    const b = await attentionBanner(kit.deps);
    expect(b).toBe('! 1 connection needs a reconnect (x/broken); 1 will need one within 7 days (tiktok/soon). Run: socialync status');
    expect(b).not.toContain('\n');
  });

  it('each problem at most once a day: again the next day, or at once when the reason changes', async () => {
    kit = makeKit();
    const now = kit.clock.now();
    const t = { accessToken: 'a-123456', refreshToken: 'r-123456', scopes: [], obtainedAt: now, expiresAt: now + 2 * HOUR };
    const x = await kit.addConnection('x', 'broken', t, { health: 'needs_reconnect', reason: 'password_changed' });
    expect(await attentionBanner(kit.deps)).toMatch(/^! 1 connection needs a reconnect \(x\/broken\)/);
    expect(await attentionBanner(kit.deps)).toBeUndefined();
    await kit.addConnection('tiktok', 'other', t, { health: 'needs_reconnect', reason: 'platform_revoked' });
    expect(await attentionBanner(kit.deps)).toBe('! 1 connection needs a reconnect (tiktok/other). Run: socialync status');
    await (await kit.deps.store()).updateConnection(x.id, { reason: 'platform_revoked' }, now);
    expect(await attentionBanner(kit.deps)).toBe('! 1 connection needs a reconnect (x/broken). Run: socialync status');
    expect(await attentionBanner(kit.deps)).toBeUndefined();
    kit.clock.t += DAY;
    expect(await attentionBanner(kit.deps)).toBe('! 2 connections need a reconnect (tiktok/other, x/broken). Run: socialync status');
  });

  it('on a terminal it wraps to the window', async () => {
    kit = makeKit();
    const now = kit.clock.now();
    const t = { accessToken: 'a-123456', refreshToken: 'r-123456', scopes: [], obtainedAt: now, expiresAt: now + 2 * HOUR };
    for (const n of ['first-long-connection-name', 'second-long-connection-name', 'third-long-connection-name']) await kit.addConnection('youtube', n, t, { health: 'needs_reconnect', reason: 'token_expired' });
    const tty = Object.assign(new PassThrough(), { isTTY: true, columns: 60 });
    const b = await attentionBanner({ ...kit.deps, io: createIO({ stdin: new PassThrough(), stdout: tty, stderr: tty, env: {} }) });
    expect(b!.split('\n').length).toBeGreaterThan(1);
    for (const l of b!.split('\n')) expect(l.length).toBeLessThanOrEqual(60);
    expect(b!.replace(/\n {2}/g, ' ')).toBe('! 3 connections need a reconnect (youtube/first-long-connection-name, youtube/second-long-connection-name, youtube/third-long-connection-name). Run: socialync status');
  });
});
