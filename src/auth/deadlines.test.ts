import { describe, expect, it } from 'vitest';
import { DAY, HOUR } from '../core/clock.js';
import type { Connection } from '../store/types.js';
import { deadlineSoon, reconnectDeadline, X_REFRESH_ESTIMATE_DAYS } from './deadlines.js';

const now = Date.UTC(2026, 10, 26);
const conn = (o: Partial<Connection>): Connection => ({
  id: 'c1', platform: 'x', name: 'alice', accountId: '1', username: 'alice', displayName: 'Alice', accountType: null, scopes: [],
  accessExpiresAt: now + 2 * HOUR, refreshExpiresAt: null, refreshExpiresEstimated: false, dataAccessExpiresAt: null,
  tokenObtainedAt: now, lastRefreshAt: null, health: 'healthy', reason: null, reasonDetail: null, meta: {}, tokenGeneration: 1,
  createdAt: now - 10 * DAY, updatedAt: now, ...o,
});

describe('reconnectDeadline', () => {
  it('TikTok: the refresh_expires_in actually returned', () => {
    const d = reconnectDeadline(conn({ platform: 'tiktok', refreshExpiresAt: now + 180 * DAY }), now);
    expect(d).toMatchObject({ at: now + 180 * DAY, estimated: false });
  });
  it('X: the ~6-month estimate when no lifetime is known, marked estimated', () => {
    const d = reconnectDeadline(conn({ platform: 'x', lastRefreshAt: now - DAY }), now);
    expect(d).toMatchObject({ at: now - DAY + X_REFRESH_ESTIMATE_DAYS * DAY, estimated: true });
    expect(reconnectDeadline(conn({ refreshExpiresAt: now + 5 * DAY, refreshExpiresEstimated: true }), now)).toMatchObject({ at: now + 5 * DAY, estimated: true });
  });
  it('LinkedIn: 365-day refresh token when approved, else the 60-day access token', () => {
    expect(reconnectDeadline(conn({ platform: 'linkedin', accessExpiresAt: now + 50 * DAY, refreshExpiresAt: now + 300 * DAY }), now).at).toBe(now + 300 * DAY);
    const d = reconnectDeadline(conn({ platform: 'linkedin', accessExpiresAt: now + 20 * DAY }), now);
    expect(d.at).toBe(now + 20 * DAY);
    expect(d.why).toMatch(/no programmatic refresh/);
    // The provider records the access expiry as the reconnect deadline for such apps.
    expect(reconnectDeadline(conn({ platform: 'linkedin', accessExpiresAt: now + 20 * DAY, refreshExpiresAt: now + 20 * DAY }), now).why).toMatch(/no programmatic refresh/);
  });
  it('Facebook Login: the user token (local videos) and the end of data access, both from debug_token', () => {
    // As recorded by the provider: accessExpiresAt = user token expires_at, refreshExpiresAt = data_access_expires_at.
    const fb = reconnectDeadline(conn({ platform: 'facebook', accessExpiresAt: now + 50 * DAY, refreshExpiresAt: now + 80 * DAY }), now);
    expect(fb.at).toBe(now + 50 * DAY);
    expect(fb.estimated).toBe(false);
    expect(fb.why).toMatch(/user token expires and cannot be renewed without a login: local video uploads need it/);
    expect(fb.why).toContain(`until data access ends on ${new Date(now + 80 * DAY).toISOString().slice(0, 10)}`);
    const da = reconnectDeadline(conn({ platform: 'facebook', accessExpiresAt: now + 50 * DAY, refreshExpiresAt: now + 10 * DAY }), now);
    expect(da).toMatchObject({ at: now + 10 * DAY, why: expect.stringMatching(/^data access ends/) });
    // A user token that has expired stays a deadline (local videos need a reconnect).
    expect(reconnectDeadline(conn({ platform: 'facebook', accessExpiresAt: now - DAY, refreshExpiresAt: now + 30 * DAY }), now).at).toBe(now - DAY);
    // Stored before data access was recorded separately: the connect-time column.
    expect(reconnectDeadline(conn({ platform: 'facebook', accessExpiresAt: now + 50 * DAY, refreshExpiresAt: now + 50 * DAY, dataAccessExpiresAt: now + 10 * DAY }), now).at).toBe(now + 10 * DAY);
  });
  it('Instagram: through Facebook Login the user token publishes; Instagram Login refreshes its token', () => {
    const ig = reconnectDeadline(conn({ platform: 'instagram', meta: { login: 'facebook' }, accessExpiresAt: now + 3 * DAY, refreshExpiresAt: now + 40 * DAY }), now);
    expect(ig).toMatchObject({ at: now + 3 * DAY, why: expect.stringMatching(/publishing to Instagram through Facebook Login needs it/) });
    expect(reconnectDeadline(conn({ platform: 'instagram', accessExpiresAt: now + 3 * DAY }), now)).toMatchObject({ at: now + 3 * DAY, why: expect.stringMatching(/unless it is refreshed/) });
  });
  it('Google in Testing status: detected from a ≤ 8-day refresh lifetime, or from the meta flag', () => {
    const d = reconnectDeadline(conn({ platform: 'youtube', createdAt: now - DAY, refreshExpiresAt: now + 6 * DAY }), now);
    expect(d.why).toMatch(/Testing/);
    expect(reconnectDeadline(conn({ platform: 'youtube', createdAt: now - DAY, meta: { googleTesting: 'true' } }), now).at).toBe(now + 6 * DAY);
    expect(reconnectDeadline(conn({ platform: 'youtube', accessExpiresAt: now + HOUR }), now).at).toBeNull();
  });
  it('a connection already needing a reconnect is due now, with the reason', () => {
    const d = reconnectDeadline(conn({ health: 'needs_reconnect', reason: 'password_changed' }), now);
    expect(d.at).toBe(now);
    expect(d.why).toMatch(/password changed/);
  });
  it('the lifetime a deadline is drawn against: documented where the platform says, else since the token was stored', () => {
    const linkedin = reconnectDeadline(conn({ platform: 'linkedin', accessExpiresAt: now + 50 * DAY, refreshExpiresAt: now + 300 * DAY }), now);
    expect(linkedin.lifetimeMs).toBe(365 * DAY);
    const x = reconnectDeadline(conn({ platform: 'x', tokenObtainedAt: now - 10 * DAY, refreshExpiresAt: null }), now);
    expect(x.lifetimeMs).toBe(182 * DAY);
    const tiktok = reconnectDeadline(conn({ platform: 'tiktok', lastRefreshAt: now - 5 * DAY, refreshExpiresAt: now + 360 * DAY }), now);
    expect(tiktok.lifetimeMs).toBe(365 * DAY);
    expect(reconnectDeadline(conn({ health: 'needs_reconnect', reason: 'platform_revoked' }), now).lifetimeMs).toBeNull();
  });
  it('deadlineSoon uses the warning window', () => {
    expect(deadlineSoon({ at: now + 13 * DAY, estimated: false, why: '', lifetimeMs: null }, now, 14)).toBe(true);
    expect(deadlineSoon({ at: now + 15 * DAY, estimated: false, why: '', lifetimeMs: null }, now, 14)).toBe(false);
    expect(deadlineSoon({ at: null, estimated: false, why: '', lifetimeMs: null }, now, 14)).toBe(false);
  });
});

describe('Bluesky: the 2-week public-client session (docs/platforms/bluesky.md#lifetimes)', () => {
  const bsky = (left: number) => reconnectDeadline(conn({ platform: 'bluesky', accessExpiresAt: now + 15 * 60_000, refreshExpiresAt: now + left }), now);
  it('the session end is the deadline, whatever the last refresh', () => {
    expect(bsky(13 * DAY)).toMatchObject({ at: now + 13 * DAY, estimated: false, lifetimeMs: 14 * DAY, why: expect.stringContaining('2 weeks after the login') });
  });
  it('is flagged in its last 3 days only (just outside, at, inside), even with the default 14-day warning', () => {
    expect(deadlineSoon(bsky(3 * DAY + 1), now, 14)).toBe(false);
    expect(deadlineSoon(bsky(3 * DAY), now, 14)).toBe(true);
    expect(deadlineSoon(bsky(2 * DAY), now, 14)).toBe(true);
    // A user's shorter warning still wins.
    expect(deadlineSoon(bsky(2 * DAY), now, 1)).toBe(false);
  });
});
