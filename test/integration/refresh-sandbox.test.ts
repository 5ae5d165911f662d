/**
 * The refresh engine against the real sandbox, per platform, in-process with
 * one fake clock shared by the sandbox and socialync (so lifetimes of days can
 * be crossed in a test). Platforms whose sandbox module is not written yet are
 * reported and skipped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { rmSync } from 'node:fs';
import { createDeps, type Deps } from '../../src/deps.js';
import { createIO } from '../../src/core/io.js';
import { DAY, MINUTE } from '../../src/core/clock.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { makeSandboxProfile } from '../../src/commands/sandbox.js';
import { refreshConnection } from '../../src/auth/refresh.js';
import { loadTokens } from '../../src/auth/tokens.js';
import { thresholdMinutes } from '../../src/providers/registry.js';
import { PLATFORMS, type PlatformId } from '../../src/providers/types.js';
import { runRefresh } from '../../src/commands/refresh.js';
import { fakeClock, type FakeClock } from '../helpers/refresh-kit.js';
import { seedConnection } from '../../src/sandbox/seed.js';

let sandbox: Sandbox;
let clock: FakeClock;
let deps: Deps;
let home: string;
let err = '';

beforeAll(async () => {
  clock = fakeClock();
  sandbox = await startSandbox({ clock });
  const stderr = new PassThrough();
  stderr.on('data', (d) => (err += d));
  const io = createIO({ stdin: new PassThrough(), stdout: new PassThrough(), stderr, env: {} });
  const base = createDeps({ io, env: { PATH: process.env.PATH }, clock });
  const profile = await makeSandboxProfile(base, sandbox);
  home = profile.dir;
  deps = createDeps({ io, env: { SOCIALYNC_HOME: profile.dir }, clock });
});

afterAll(async () => {
  await deps?.close();
  await sandbox?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

const ROTATES: Partial<Record<PlatformId, boolean>> = { x: true, tiktok: true, bluesky: true, pinterest: true };

describe.each(PLATFORMS.map((p) => [p]))('refresh on the %s sandbox', (platform) => {
  it('refreshes when due, by the platform mechanism, persisting the new token (rotation: the old one is dead, none rejected)', async () => {
    const conn = await seedConnection(deps, platform, `refresher-${platform}`);
    const before = await loadTokens(deps, conn);
    const provider = await deps.provider(platform);
    const threshold = thresholdMinutes(provider.descriptor, deps.config) * MINUTE;
    if (conn.accessExpiresAt !== null) clock.t += Math.max(0, conn.accessExpiresAt - clock.now() - threshold / 2);
    // Tokens that never expire (Mastodon) are checked periodically instead.
    const every = provider.descriptor.refresh.checkEveryMinutes;
    if (conn.accessExpiresAt === null && every !== undefined) clock.t += every * MINUTE;
    if (provider.descriptor.refresh.kind === 'ig_refresh') expect(clock.now() - before.obtainedAt).toBeGreaterThan(DAY);
    const statsBefore = sandbox.control.platform(platform).stats();
    const out = await refreshConnection(deps, conn.id);
    expect(out.status, out.detail).toBe('refreshed');
    const after = await loadTokens(deps, conn);
    if (provider.descriptor.refresh.kind === 'check') {
      // Facebook Login: no renewal is documented; the same token, with the deadlines debug_token reports.
      expect(out.detail).toMatch(/^checked/);
      expect(after.accessToken).toBe(before.accessToken);
      expect(sandbox.control.platform(platform).stats().tokenCalls).toBe(statsBefore.tokenCalls);
      const stored = (await (await deps.store()).getConnection(conn.id))!;
      if (every !== undefined) {
        // Mastodon: nothing expires, so no deadline is recorded.
        expect([stored.accessExpiresAt, stored.refreshExpiresAt]).toEqual([null, null]);
        expect((await refreshConnection(deps, conn.id)).status).toBe('not_due');
        return;
      }
      expect(stored.accessExpiresAt).toBe(before.expiresAt);
      expect(stored.refreshExpiresAt).toBeGreaterThan(stored.accessExpiresAt!);
      expect((await refreshConnection(deps, conn.id)).status).toBe('not_due');
      return;
    }
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(sandbox.control.validate(after.accessToken).valid).toBe(true);
    if (before.refreshToken) expect(after.refreshToken).toBeTruthy();
    if (ROTATES[platform]) {
      expect(after.refreshToken).not.toBe(before.refreshToken);
      expect(sandbox.control.validate(before.refreshToken!).valid).toBe(false);
    } else if (before.refreshToken) {
      expect(after.refreshToken).toBe(before.refreshToken);
    }
    const stats = sandbox.control.platform(platform).stats();
    expect(stats.rejectedRefreshes - statsBefore.rejectedRefreshes).toBe(0);
    // Not due again right away.
    expect((await refreshConnection(deps, conn.id)).status).toBe('not_due');
  });

  it('a revoked connection is flagged needs_reconnect with a reason; a 503 leaves it healthy', async () => {
    const conn = await seedConnection(deps, platform, `flaky-${platform}`);
    const revokedConn = await seedConnection(deps, platform, `revoked-${platform}`);
    clock.t += 25 * 60 * MINUTE; // Instagram refreshes only tokens at least 24 h old
    sandbox.control.platform(platform).fault({ status: 503, count: 2, body: { error: 'temporarily_unavailable' } });
    const t = await refreshConnection(deps, conn.id, { force: true, backoffMs: 1, maxAttempts: 2 });
    expect(t.status, t.detail).toBe('transient');
    expect((await (await deps.store()).getConnection(conn.id))!.health).toBe('healthy');
    sandbox.control.platform(platform).revoke(`revoked-${platform}`);
    const r = await refreshConnection(deps, revokedConn.id, { force: true, backoffMs: 1 });
    expect(r.status, r.detail).toBe('reconnect_needed');
    const stored = (await (await deps.store()).getConnection(revokedConn.id))!;
    expect(stored.health).toBe('needs_reconnect');
    expect(stored.reason).toBeTruthy();
  });
});

describe('reasons and rate limits on the sandbox', () => {
  it.for([['facebook'], ['instagram']] as const)('%s: a password change (190/460) is reported as "password changed"', async ([platform]) => {
    const conn = await seedConnection(deps, platform, `pw-${platform}`);
    clock.t += 50 * DAY;
    sandbox.control.platform(platform).passwordChange(`pw-${platform}`);
    const out = await refreshConnection(deps, conn.id);
    expect(out).toMatchObject({ status: 'reconnect_needed', reason: 'password_changed' });
  });

  it.for([['x'], ['tiktok']] as const)('%s: a 429 with Retry-After is waited out and the refresh succeeds, without spending the token twice', async ([platform]) => {
    const conn = await seedConnection(deps, platform, `limited-${platform}`);
    const before = sandbox.control.platform(platform).stats();
    sandbox.control.platform(platform).fault({ status: 429, count: 1, headers: { 'retry-after': '2' }, body: { error: 'rate_limit_exceeded' } });
    const sleeps = clock.sleeps.length;
    const out = await refreshConnection(deps, conn.id, { force: true });
    expect(out).toMatchObject({ status: 'refreshed', attempts: 2 });
    expect(clock.sleeps.slice(sleeps)).toContain(2000);
    const stats = sandbox.control.platform(platform).stats();
    expect(stats.rejectedRefreshes - before.rejectedRefreshes).toBe(0);
  });
});

describe('refresh command on the sandbox', () => {
  it('exit code 4 while a connection needs a reconnect, and the others are still refreshed', async () => {
    const r = await runRefresh(deps, { force: true });
    expect(r.exitCode).toBe(4);
    const healthy = r.results.filter((x) => x.status !== 'reconnect_needed');
    expect(healthy.length).toBeGreaterThan(0);
    expect(healthy.every((x) => ['refreshed', 'not_due', 'reconnect_soon'].includes(x.status)), JSON.stringify(healthy)).toBe(true);
    expect(err).not.toMatch(/Bearer [A-Za-z0-9]/);
  });
});

describe('LinkedIn app without programmatic refresh', () => {
  it('nothing to refresh: no token call, and a "reconnect soon" warning once a day; an expired token is a reconnect', async () => {
    const basic = sandbox.allApps.linkedin.find((a) => a.flags?.programmaticRefresh === false)!;
    expect(basic).toBeDefined();
    const stderr = new PassThrough();
    const io = createIO({ stdin: new PassThrough(), stdout: new PassThrough(), stderr, env: {} });
    const d2 = createDeps({ io, env: { SOCIALYNC_HOME: home, SOCIALYNC_LINKEDIN_CLIENT_ID: basic.clientId, SOCIALYNC_LINKEDIN_CLIENT_SECRET: basic.clientSecret }, clock });
    try {
      const conn = await seedConnection(d2, 'linkedin', 'basic-li');
      expect(conn.refreshExpiresAt === null || conn.refreshExpiresAt === conn.accessExpiresAt).toBe(true);
      clock.t += 40 * DAY; // 20 days left: inside the 30-day threshold, so it warns although the 14-day window is not reached
      const before = sandbox.control.platform('linkedin').stats().tokenCalls;
      const r1 = await runRefresh(d2, { platform: 'linkedin', account: 'basic-li' });
      expect(r1.results[0]).toMatchObject({ status: 'reconnect_soon' });
      expect(r1.warnings).toHaveLength(1);
      expect(r1.warnings[0]!.reconnectWhy).toMatch(/no programmatic refresh/);
      expect(sandbox.control.platform('linkedin').stats().tokenCalls).toBe(before);
      const r2 = await runRefresh(d2, { platform: 'linkedin', account: 'basic-li' });
      expect(r2.warnings).toHaveLength(0);
      clock.t += 21 * DAY;
      const r3 = await runRefresh(d2, { platform: 'linkedin', account: 'basic-li' });
      expect(r3.results[0]).toMatchObject({ status: 'reconnect_needed', reason: 'token_expired' });
    } finally {
      await d2.close();
    }
  });
});
