/** The README's "try it" command: the built CLI connects, refreshes, schedules and publishes on every sandbox platform. */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliEnv, runCli } from '../helpers/cli.js';
import { PLATFORMS } from '../../src/providers/types.js';

describe('socialync sandbox demo', () => {
  it('connects every platform, refreshes, publishes a video post (a text post to Threads, which takes no uploads), and ends with every connection healthy', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'socialync-demo-')), 'profile');
    const r = await runCli(['sandbox', 'demo', '--dir', dir, '--json'], cliEnv({}));
    expect(r.code, r.stderr).toBe(0);
    // Facebook Login has no refresh grant, and a Threads token refreshes only once it is a day old: the two not due.
    // Mastodon's token never expires: its refresh is a who-am-I check, counted as refreshed.
    expect(r.stderr).toContain(`socialync refresh --force: ${PLATFORMS.length - 2} refreshed, 2 not due`);
    expect(r.stderr).toContain(`socialync publish: ${PLATFORMS.length} of ${PLATFORMS.length} published`);
    const status = JSON.parse(r.stdout) as { platform: string; health: string }[];
    expect(status.map((s) => s.platform).sort()).toEqual([...PLATFORMS].sort());
    expect(status.every((s) => s.health === 'healthy')).toBe(true);
    // The profile is private and self-contained: 0700 folder, 0600 files.
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const f of ['config.json', 'state.db', 'vault.key']) expect(statSync(join(dir, f)).mode & 0o777, f).toBe(0o600);
    // Later commands need only SOCIALYNC_HOME.
    const again = await runCli(['status', '--json'], cliEnv({ SOCIALYNC_HOME: dir }));
    expect(JSON.parse(again.stdout)).toHaveLength(PLATFORMS.length);
    // No secret material in the config file.
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).not.toMatch(/-secret|clientSecret/i);
    expect(readdirSync(join(dir, 'vault')).length).toBeGreaterThanOrEqual(12);
  });
});
