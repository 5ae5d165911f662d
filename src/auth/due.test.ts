import { describe, expect, it } from 'vitest';
import { DAY, HOUR, MINUTE } from '../core/clock.js';
import { refreshDue, type DueInput } from './due.js';

const now = Date.UTC(2026, 10, 26, 12);
const desc = (kind: 'refresh_token' | 'ig_refresh' | 'check' = 'refresh_token') => ({ refresh: { kind, rotates: kind === 'refresh_token', thresholdMinutes: 0 } });
const due = (o: Partial<DueInput> & { left: number | null; thresholdMin: number }) =>
  refreshDue({
    conn: { accessExpiresAt: o.left === null ? null : now + o.left, tokenObtainedAt: now - HOUR, lastRefreshAt: null, ...(o.conn ?? {}) },
    descriptor: o.descriptor ?? desc(),
    thresholdMs: o.thresholdMin * MINUTE,
    now,
    ...(o.force ? { force: true } : {}),
    ...(o.hasRefreshToken !== undefined ? { hasRefreshToken: o.hasRefreshToken } : {}),
  });

describe('refreshDue (product thresholds, docs/platforms/README.md#thresholds)', () => {
  it.each([
    ['YouTube 1 h token, < 65 min', 60 * MINUTE, 65, true],
    ['TikTok 2 h token, < 12 h', 2 * HOUR, 720, true],
    ['TikTok 24 h token (legacy), < 12 h', 24 * HOUR, 720, false],
    ['X 2 h token, < 30 min', 2 * HOUR, 30, false],
    ['X 25 min left', 25 * MINUTE, 30, true],
    ['X already expired (the refresh still works)', -10 * MINUTE, 30, true],
    ['Meta 20 days left, < 15 d', 20 * DAY, 15 * 24 * 60, false],
    ['Meta 14 days left', 14 * DAY, 15 * 24 * 60, true],
    ['LinkedIn 29 days left, < 30 d', 29 * DAY, 30 * 24 * 60, true],
  ])('%s', (_name, left, thresholdMin, expected) => {
    expect(due({ left, thresholdMin }).due).toBe(expected);
  });

  it('a token without expiry is never due unless forced', () => {
    expect(due({ left: null, thresholdMin: 30 })).toMatchObject({ due: false, kind: 'no_expiry' });
    expect(due({ left: null, thresholdMin: 30, force: true }).due).toBe(true);
  });

  it('Instagram: not before the token is 24 h old (forced: the provider checks it instead)', () => {
    const young = { accessExpiresAt: now + 10 * DAY, tokenObtainedAt: now - 23 * HOUR, lastRefreshAt: null };
    expect(due({ left: 10 * DAY, thresholdMin: 15 * 24 * 60, descriptor: desc('ig_refresh'), conn: young })).toMatchObject({ due: false, kind: 'too_young' });
    expect(due({ left: 10 * DAY, thresholdMin: 15 * 24 * 60, descriptor: desc('ig_refresh'), conn: young, force: true }).due).toBe(true);
    expect(due({ left: 10 * DAY, thresholdMin: 15 * 24 * 60, descriptor: desc('ig_refresh'), conn: { ...young, tokenObtainedAt: now - 25 * HOUR } }).due).toBe(true);
  });

  it('no refresh token (LinkedIn without programmatic refresh): reconnect soon, nothing to call', () => {
    expect(due({ left: 20 * DAY, thresholdMin: 30 * 24 * 60, hasRefreshToken: false })).toMatchObject({ due: false, kind: 'reconnect_soon' });
  });

  it('refreshed less than 10 minutes ago: not again (unless forced or the last refresh was interrupted)', () => {
    const conn = { accessExpiresAt: now + 2 * HOUR, tokenObtainedAt: now - 5 * MINUTE, lastRefreshAt: now - 5 * MINUTE };
    expect(due({ left: 2 * HOUR, thresholdMin: 720, conn })).toMatchObject({ due: false, kind: 'recent' });
    expect(due({ left: 2 * HOUR, thresholdMin: 720, conn, force: true }).due).toBe(true);
    expect(refreshDue({ conn, descriptor: desc(), thresholdMs: 720 * MINUTE, now, ignoreRecent: true }).due).toBe(true);
  });
});
