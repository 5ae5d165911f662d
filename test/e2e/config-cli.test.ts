/**
 * `socialync config list|get|set|unset` through the built binary (issue 13 item 7): values are
 * validated before they are saved, secrets and app credentials point to their own commands,
 * the environment wins over the file, and what `config set` writes passes `doctor`.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliEnv, runCli } from '../helpers/cli.js';

const profile = (extra: Record<string, string> = {}) => {
  const home = mkdtempSync(join(tmpdir(), 'socialync-config-'));
  return { home, env: cliEnv({ SOCIALYNC_HOME: home, SOCIALYNC_SECRET_BACKEND: 'file', SOCIALYNC_VAULT_KEY: 'a'.repeat(64), ...extra }) };
};
const file = (home: string) => JSON.parse(readFileSync(join(home, 'config.json'), 'utf8')) as Record<string, unknown>;

describe('socialync config', () => {
  it('set, get, list and unset a setting; doctor accepts what set wrote', async () => {
    const p = profile();
    expect(await runCli(['config', 'get', 'warnDays'], p.env)).toMatchObject({ code: 0, stdout: '14\n' });
    const set = await runCli(['config', 'set', 'warnDays', '7'], p.env);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stderr).toMatch(/✓ warnDays = 7/);
    expect(file(p.home)).toEqual({ warnDays: 7 });
    expect(await runCli(['config', 'get', 'warnDays'], p.env)).toMatchObject({ code: 0, stdout: '7\n' });
    expect((await runCli(['config', 'set', 'endpoints.tiktok.api', 'https://proxy.example/tiktok'], p.env)).code).toBe(0);
    const list = JSON.parse((await runCli(['config', 'list', '--json'], p.env)).stdout) as { key: string; value: unknown; source: string; default: unknown }[];
    expect(list.find((e) => e.key === 'warnDays')).toMatchObject({ value: 7, source: 'config', default: 14 });
    expect(list.find((e) => e.key === 'endpoints.tiktok.api')).toMatchObject({ value: 'https://proxy.example/tiktok', source: 'config', default: 'https://open.tiktokapis.com' });
    expect(list.find((e) => e.key === 'refreshThresholdMinutes.youtube')).toMatchObject({ value: 65, source: 'default' });
    expect(list.map((e) => e.key)).toEqual(expect.arrayContaining(['publish.maxAttempts', 'apiVersions.linkedin', 'endpoints.instagram.facebook_graph', 'notify.email.host']));
    const doctor = await runCli(['doctor', '--offline', '--jq', '.checks[] | select(.id == "config") | .status'], p.env);
    expect(doctor.stdout).toBe('ok\n');
    expect((await runCli(['config', 'unset', 'warnDays'], p.env)).code).toBe(0);
    expect(file(p.home)).toEqual({ endpoints: { tiktok: { api: 'https://proxy.example/tiktok' } } });
    expect(await runCli(['config', 'get', 'warnDays'], p.env)).toMatchObject({ stdout: '14\n' });
  });

  it('refuses bad values with exit 3 and saves nothing', async () => {
    const p = profile();
    const cases: [string[], RegExp][] = [
      [['warnDays', 'soon'], /warnDays must be a number, got "soon"/],
      [['warnDays', '-1'], /warnDays must be zero or more/],
      [['refreshThresholdMinutes.x', '0'], /must be a positive number/],
      [['endpoints.tiktok.api', 'proxy/tiktok'], /must be an http\(s\) URL/],
      [['publish.maxAttempts', '0'], /must be a positive number/],
      [['notify.email.secure', 'yes'], /must be true or false/],
      [['warnDay', '3'], /unknown setting "warnDay"[\s\S]*did you mean warnDays\?/],
      [['endpoints.myspace.api', 'https://a.example'], /unknown setting/],
    ];
    for (const [args, msg] of cases) {
      const r = await runCli(['config', 'set', ...args], p.env);
      expect(r.code, args.join(' ')).toBe(3);
      expect(r.stderr, args.join(' ')).toMatch(msg);
    }
    expect(existsSync(join(p.home, 'config.json'))).toBe(false);
    expect((await runCli(['config', 'get', 'nope'], p.env)).code).toBe(3);
  });

  it('never takes secrets or app credentials: points to the command that keeps them safe', async () => {
    const p = profile();
    const cases: [string, RegExp][] = [
      ['apps.x.clientSecret', /run: socialync app set x/],
      ['apps.tiktok.clientId', /run: socialync app set tiktok/],
      ['notify.webhook.url', /run: socialync notify set webhook/],
      ['notify.email.password', /run: socialync notify set email/],
      ['secrets.backend', /run: socialync secrets use-file/],
    ];
    for (const [key, hint] of cases) {
      const r = await runCli(['config', 'set', key, 'value'], p.env);
      expect(r.code, key).toBe(3);
      expect(r.stderr, key).toMatch(hint);
    }
    const email = await runCli(['config', 'set', 'notify.email.port', '465'], p.env);
    expect(email.code).toBe(3);
    expect(email.stderr).toMatch(/email notifications are not set up yet[\s\S]*notify set email/);
    expect(existsSync(join(p.home, 'config.json'))).toBe(false);
  });

  it('an environment variable wins over the file, and says so', async () => {
    const p = profile({ SOCIALYNC_TIKTOK_API_URL: 'http://127.0.0.1:9/tiktok' });
    expect((await runCli(['config', 'set', 'endpoints.tiktok.api', 'https://proxy.example/tiktok'], p.env)).stderr).toMatch(/the environment overrides it/);
    const get = await runCli(['config', 'get', 'endpoints.tiktok.api'], p.env);
    expect(get.stdout).toBe('http://127.0.0.1:9/tiktok\n');
    expect(get.stderr).toMatch(/from the environment; the file says: https:\/\/proxy\.example\/tiktok/);
  });
});
