/**
 * What a person sees in a real terminal (tmux) at 80 and 120 columns, colours on and off:
 * `status` with a dead connection, an expiring one and a fresh one fits the window (no line
 * wraps), names the reason in a word, and puts the platform's message and the fix under the
 * row; `app list` likewise. Piped output keeps its tab-separated columns. Build first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY } from '../../src/core/clock.js';
import { cliEnv, runCli } from '../helpers/cli.js';
import { startPublishProfile, type PublishProfile } from '../helpers/publish-sandbox.js';
import { hasTmux, terminalRun } from '../helpers/terminal.js';

const META_MESSAGE =
  'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons. (code 190, subcode 460)';

let pp: PublishProfile;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  pp = await startPublishProfile({ platforms: ['instagram', 'tiktok', 'youtube', 'x'] });
  const store = await pp.deps.store();
  const now = Date.now();
  await store.updateConnection(pp.conns.instagram!.id, { name: 'brand-account-with-a-long-name', health: 'needs_reconnect', reason: 'password_changed', reasonDetail: `instagram: ${META_MESSAGE}` }, now);
  await store.updateConnection(pp.conns.x!.id, { refreshExpiresAt: now + 3 * DAY + 3_600_000, refreshExpiresEstimated: false, lastRefreshAt: now - 3_600_000, tokenObtainedAt: now - 3_600_000 }, now);
  env = cliEnv({ ...pp.env, TZ: 'UTC' });
}, 60_000);
afterAll(async () => pp?.close());

const fits = (lines: string[], cols: number) => {
  for (const l of lines) expect(l.length, `wider than ${cols} columns:\n${l}`).toBeLessThanOrEqual(cols);
};

describe.skipIf(!hasTmux)('status and app list in a real terminal', () => {
  for (const cols of [80, 120]) {
    it(`status with a dead connection fits ${cols} columns, without colours under NO_COLOR`, async () => {
      const r = await terminalRun(['status'], env, { cols });
      expect(r.code).toBe(4);
      fits(r.lines, cols);
      const text = r.lines.join('\n');
      expect(r.lines[0]).toMatch(/^PLATFORM\s+ACCOUNT\s+HEALTH\s+ACCESS\s+RECONNECT\s+LAST REFRESH$/);
      const dead = r.lines.findIndex((l) => l.startsWith('instagram'));
      expect(r.lines[dead]).toMatch(/^instagram\s+brand-\S+.*\s+password changed\s+-\s+now\s/);
      expect(r.lines[dead + 1]).toMatch(/^ {2}instagram: Error validating access token: /);
      expect(r.lines[dead + 2]).toBe('  run: socialync connect instagram --name brand-account-with-a-long-name');
      expect(text).toMatch(/^x\s+alice\s+expiring\s+\S.*\s3 days\s+1h 0m ago$/m);
      expect(text).toMatch(/^ {2}reconnect by \d{4}-\d{2}-\d{2}: the refresh token expires/m);
      expect(text).toMatch(/^tiktok\s+alice\s+healthy\s.*connected \d+s ago$/m);
      expect(text).not.toMatch(/\bnever\b/);
      expect(r.coloured).not.toMatch(/\u001b\[[\d;]*m/);
    });

    it(`status -v at ${cols} columns shows the platform's whole message, wrapped at words`, async () => {
      const r = await terminalRun(['status', '-v'], env, { cols });
      fits(r.lines, cols);
      const indented = r.lines.filter((l) => l.startsWith('  ')).map((l) => l.trim()).join(' ');
      expect(indented).toContain(META_MESSAGE);
      expect(indented).toMatch(/account id \S+/);
    });
  }

  it('with colours: HEALTH and the days column carry the same colour (red dead, yellow expiring, green healthy)', async () => {
    const { NO_COLOR: _off, ...coloured } = env;
    void _off;
    const r = await terminalRun(['status'], coloured, { cols: 80 });
    fits(r.lines, 80);
    const line = (p: string) => r.coloured.split('\n').find((l) => l.replace(/\u001b\[[\d;]*m/g, '').startsWith(p))!;
    expect(line('instagram')).toMatch(/\u001b\[31mpassword changed\s*(\u001b\[39m)?[^\n]*\u001b\[31mnow/);
    expect(line('x ')).toMatch(/\u001b\[33mexpiring\s*(\u001b\[39m)?[^\n]*\u001b\[33m3 days/);
    expect(line('tiktok')).toMatch(/\u001b\[32mhealthy/);
  });

  it("where the row has room, RECONNECT draws the days left against the token's full lifetime", async () => {
    const r = await terminalRun(['status', 'tiktok'], env, { cols: 80 });
    expect(r.code).toBe(0);
    fits(r.lines, 80);
    // A fresh TikTok connection: the whole refresh-token lifetime is still ahead.
    expect(r.lines[1]).toMatch(/^tiktok\s+alice\s+healthy\s+\S.*\s█████ \d{3} days\s/);
    const json = JSON.parse((await runCli(['status', 'tiktok', '--json'], env)).stdout);
    expect(json[0].lifetimeDays).toBeGreaterThan(json[0].daysUntilReconnect - 1);
  });

  it('app list fits 80 columns; the redirect URI to register is never cut', async () => {
    const r = await terminalRun(['app', 'list'], env, { cols: 80 });
    expect(r.code).toBe(0);
    fits(r.lines, 80);
    expect(r.lines[0]).toMatch(/^PLATFORM\s+CLIENT ID\s+SECRET\s+TYPE$/);
    // Fixed-port apps show the URI to register; apps on any free port (the sandbox's) say so.
    expect(r.lines.join('\n')).toMatch(/^ {2}(redirect URI to register: http:\/\/127\.0\.0\.1:\S+|register https?:\/\/127\.0\.0\.1:\S+ \(connect picks a free port\))$/m);
    // The attention banner after it wraps to the window too, and comes once a day.
    expect(r.lines.join('\n')).toMatch(/^! 1 connection needs a reconnect \(instagram\/brand-account-with-a-long-name\);/m);
    const again = await terminalRun(['app', 'list'], env, { cols: 80 });
    expect(again.lines.join('\n')).not.toContain('needs a reconnect');
  });
});

describe('piped output keeps its columns', () => {
  it('status | cat: tab-separated, ISO times, the reason and fix in their columns', async () => {
    const r = await runCli(['status'], env);
    expect(r.code).toBe(4);
    const dead = r.stdout.split('\n').find((l) => l.startsWith('instagram\t'))!.split('\t');
    expect(dead).toHaveLength(9);
    expect(dead.slice(0, 3)).toEqual(['instagram', 'brand-account-with-a-long-name', 'needs_reconnect']);
    expect(dead[7]).toBe(`instagram: ${META_MESSAGE}`);
    expect(dead[8]).toBe('socialync connect instagram --name brand-account-with-a-long-name');
  });
});
