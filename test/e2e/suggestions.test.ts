/**
 * Suggestions after a mistake (issue 13 item 8), through the built binary: misspelt platforms,
 * commands of other tools (login, logout, auth), a secret flag we only take from stdin, and
 * commander's own suggestions for commands and options. Every one is a usage error (exit 3).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliEnv, runCli } from '../helpers/cli.js';

const env = () => cliEnv({ SOCIALYNC_HOME: mkdtempSync(join(tmpdir(), 'socialync-suggest-')), SOCIALYNC_SECRET_BACKEND: 'file', SOCIALYNC_VAULT_KEY: 'b'.repeat(64) });

describe('suggestions', () => {
  it.each([
    [['connect', 'tiktk'], /unknown platform "tiktk"\n\s+did you mean tiktok\?/],
    [['status', 'linkdin'], /did you mean linkedin\?/],
    [['disconnect', 'instgram'], /did you mean instagram\?/],
    [['connect', 'twiter'], /did you mean x\?/],
    [['login'], /unknown command 'login'\n\(to log in to a platform: socialync connect <platform>\)/],
    [['logout'], /\(to log out of a platform: socialync disconnect <platform>\)/],
    [['auth', 'status'], /unknown command 'auth'\n\(connections: socialync connect <platform>, socialync status/],
    [['app', 'set', 'x', '--client-secret', 's3cret'], /unknown option '--client-secret'\n\(Did you mean --client-secret-stdin\? secrets are not taken as arguments/],
    [['statu'], /unknown command 'statu'\n\(Did you mean status\?\)/],
    [['status', '--jsn'], /\(Did you mean --json\?\)/],
  ])('socialync %j', async (argv, message) => {
    const r = await runCli(argv, env());
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toContain('s3cret');
  });

  it('no suggestion when nothing is close', async () => {
    const r = await runCli(['connect', 'myspace'], env());
    expect(r.code).toBe(3);
    expect(r.stderr).not.toMatch(/did you mean/i);
    expect(r.stderr).toMatch(/use one of: instagram, facebook, tiktok, youtube, x, linkedin/);
  });
});
