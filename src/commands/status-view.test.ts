import { describe, expect, it } from 'vitest';
import { Chalk } from 'chalk';
import { DAY, HOUR } from '../core/clock.js';
import { statusTable, healthWord, lifeBar, reasonWord } from './status-view.js';
import type { StatusEntry } from './status.js';
import { reconnectReasonText } from '../core/errors.js';

const now = Date.UTC(2026, 11, 6, 12);
const iso = (t: number) => new Date(t).toISOString();
const entry = (o: Partial<StatusEntry>): StatusEntry => ({
  platform: 'tiktok', account: 'alice', accountId: '1', username: 'alice', health: 'healthy', reason: null, reasonText: null,
  accessExpiresAt: iso(now + 20 * HOUR), reconnectBy: iso(now + 300 * DAY), daysUntilReconnect: 300, reconnectByEstimated: false,
  reconnectWhy: 'the refresh token expires', lifetimeDays: 365, lastRefreshAt: iso(now - 2 * HOUR), fix: null, refreshLock: null, ...o,
});
const dead = entry({
  platform: 'instagram', account: 'brand-account-with-a-long-name', username: 'brand_account_with_a_long_name', health: 'needs_reconnect', reason: 'password_changed',
  reasonText: 'instagram: Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons. (code 190, subcode 460)',
  daysUntilReconnect: 0, reconnectBy: iso(now - HOUR), fix: 'socialync connect instagram --name brand-account-with-a-long-name',
});
const plain = new Chalk({ level: 0 });
const conn = (createdAt: number, obtained: number | null, extra: Record<string, unknown> = {}) => ({ platform: 'tiktok' as const, meta: {}, createdAt, refreshExpiresAt: null, tokenObtainedAt: obtained, lastRefreshAt: null, ...extra });

describe('status terminal view', () => {
  it('the life bar: days left against the full lifetime in five cells, at least one while any is left', () => {
    expect(lifeBar(365, 365)).toBe('█████');
    expect(lifeBar(300, 365)).toBe('████░');
    expect(lifeBar(183, 365)).toBe('███░░');
    expect(lifeBar(1, 365)).toBe('█░░░░');
    expect(lifeBar(0, 365)).toBe('░░░░░');
    expect(lifeBar(400, 365)).toBe('█████');
    expect(lifeBar(30, null)).toBe('');
    const lines = statusTable([entry({ daysUntilReconnect: 300, lifetimeDays: 365 }), entry({ platform: 'x', daysUntilReconnect: 3, lifetimeDays: null })], { now, width: 80, verbose: false, chalk: plain, connection: () => undefined });
    expect(lines[1]).toMatch(/\s████░ 300 days\s/);
    expect(lines[2]).toMatch(/\s3 days\s/);
    expect(lines[2]).not.toMatch(/[█░]/);
    const wide = statusTable([entry({}), dead], { now, width: 160, verbose: false, chalk: plain, connection: () => undefined });
    expect(wide[1]).toMatch(/\s████░ 300 days\s/);
    expect(wide[2]).toMatch(/\spassword changed\s+-\s+now\s/);
  });

  it('every stored reason has a short HEALTH word (at most 16 columns)', () => {
    for (const r of Object.keys(reconnectReasonText)) {
      expect(reasonWord[r as keyof typeof reasonWord], r).toBeTruthy();
      expect(reasonWord[r as keyof typeof reasonWord].length, r).toBeLessThanOrEqual(16);
    }
    expect(healthWord(dead)).toBe('password changed');
    expect(healthWord(entry({ health: 'needs_reconnect', reason: 'platform_revoked' }))).toBe('revoked');
    expect(healthWord(entry({ health: 'needs_reconnect', reason: 'secret_missing' }))).toBe('secret missing');
    const yt = { platform: 'youtube' as const, meta: { googleTesting: 'true' }, createdAt: now - 8 * DAY, refreshExpiresAt: now - DAY, tokenObtainedAt: null, lastRefreshAt: null };
    expect(healthWord(entry({ platform: 'youtube', health: 'needs_reconnect', reason: 'refresh_token_expired' }), yt)).toBe('app in Testing');
    expect(healthWord(entry({ platform: 'youtube', health: 'needs_reconnect', reason: 'refresh_token_expired' }), { ...yt, meta: {}, refreshExpiresAt: now + 100 * DAY })).toBe('expired');
  });

  it('a dead connection fits 80 columns: reason word in HEALTH, no access expiry, the message and the fix indented under it', () => {
    const lines = statusTable([entry({}), dead], { now, width: 80, verbose: false, chalk: plain, connection: () => undefined });
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(80);
    expect(lines[0]).toMatch(/^PLATFORM\s+ACCOUNT\s+HEALTH\s+ACCESS\s+RECONNECT\s+LAST REFRESH$/);
    // The long account name takes the room: no life bars at 80 columns.
    expect(lines[1]).toMatch(/^tiktok\s+alice\s+healthy\s+20h 0m\s+300 days\s+2h 0m ago$/);
    expect(lines[2]).toMatch(/^instagram\s+brand-account-.*…\s+password changed\s+-\s+now\s+2h 0m ago$/);
    expect(lines[3]).toMatch(/^ {2}instagram: Error validating access token: .*…$/);
    expect(lines[4]).toBe('  run: socialync connect instagram --name brand-account-with-a-long-name');
    expect(lines).toHaveLength(5);
  });

  it('-v shows the whole message, wrapped at word boundaries, and every row\'s details', () => {
    const lines = statusTable([entry({}), dead], { now, width: 80, verbose: true, chalk: plain, connection: () => undefined });
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(80);
    const text = lines.join('\n');
    expect(text).toContain('reconnect by ' + iso(now + 300 * DAY));
    expect(lines.filter((l) => l.startsWith('  ')).join(' ').replace(/\s+/g, ' ')).toContain(dead.reasonText!);
    expect(text).not.toContain('…\n  run');
  });

  it('a fresh connection shows when it was connected; 120 columns keep the whole account name', () => {
    const fresh = entry({ lastRefreshAt: null });
    const lines = statusTable([fresh, dead], { now, width: 120, verbose: false, chalk: plain, connection: (e) => (e === fresh ? conn(now - 5 * 60_000, now - 5 * 60_000) : undefined) });
    expect(lines[1]).toMatch(/connected 5m ago$/);
    expect(lines[2]).toContain('brand-account-with-a-long-name (@brand_acc');
    expect(statusTable([dead], { now, width: 80, verbose: false, chalk: plain, connection: () => undefined })[1]).not.toContain('(@');
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(120);
  });

  it('colours HEALTH and the days column alike; none without colour', () => {
    const red = new Chalk({ level: 1 });
    const lines = statusTable([dead], { now, width: 80, verbose: false, chalk: red, connection: () => undefined });
    expect(JSON.stringify(lines[1])).toBe(JSON.stringify(`instagram  brand-account-wit…  ${red.red('password changed  ')}-       ${red.red('now        ')}2h 0m ago`));
    expect(statusTable([dead], { now, width: 80, verbose: false, chalk: plain, connection: () => undefined }).join('')).not.toMatch(/\u001b\[/);
  });
});
