/**
 * `doctor` says what it saw (issue 13 item 13), through the built binary: the scheduler check is
 * ok only with a crontab entry, a systemd user timer or a running daemon; a refresh run by hand
 * is reported but does not count. `crontab` is a stand-in on PATH that prints a file, and the
 * systemd units live under a temporary XDG_CONFIG_HOME, so the machine's own are never read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { runAppSet } from '../../src/commands/app.js';
import { seedConnection } from '../../src/sandbox/seed.js';
import { BEGIN, END } from '../../src/commands/cron.js';
import { makeTestDeps } from '../helpers/deps.js';
import { cliEnv, runCli, startCli } from '../helpers/cli.js';

let sandbox: Sandbox;
let env: NodeJS.ProcessEnv;
let crontabFile: string;
let unitDir: string;

beforeAll(async () => {
  sandbox = await startSandbox({ platforms: ['tiktok'] });
  const t = makeTestDeps({ env: sandbox.hostEnv() });
  const a = sandbox.apps.tiktok;
  await runAppSet(t.deps, { platform: 'tiktok', clientId: a.clientId, clientSecret: a.clientSecret, port: 0 });
  await seedConnection(t.deps, 'tiktok', 'alice');
  await t.deps.config.set('publish', { pollIntervalMs: 200 });
  await t.deps.close();
  const bin = mkdtempSync(join(tmpdir(), 'socialync-fakebin-'));
  crontabFile = join(bin, 'crontab.txt');
  writeFileSync(join(bin, 'crontab'), `#!/bin/sh\nif [ -s "${crontabFile}" ]; then cat "${crontabFile}"; else echo "no crontab for $(id -un)" >&2; exit 1; fi\n`);
  chmodSync(join(bin, 'crontab'), 0o755);
  const xdg = mkdtempSync(join(tmpdir(), 'socialync-xdg-'));
  unitDir = join(xdg, 'systemd', 'user');
  env = cliEnv({ ...sandbox.hostEnv(), SOCIALYNC_HOME: t.home, SOCIALYNC_SECRET_BACKEND: 'file', SOCIALYNC_VAULT_KEY: t.env.SOCIALYNC_VAULT_KEY, XDG_CONFIG_HOME: xdg, PATH: `${bin}:${process.env.PATH}` });
});
afterAll(async () => sandbox?.close());

async function scheduler(): Promise<{ status: string; title: string; fix: string | null }> {
  const r = await runCli(['doctor', '--offline', '--jq', '.checks[] | select(.id == "scheduler")'], env);
  expect([0, 1], r.stderr).toContain(r.code);
  return JSON.parse(r.stdout);
}

describe('doctor: the scheduler check', () => {
  it('a refresh by hand is not a scheduler: fail, saying what it looked for and when refresh last ran', async () => {
    expect((await runCli(['refresh', '--force'], env)).code).toBe(0);
    const s = await scheduler();
    expect(s).toMatchObject({ status: 'fail', fix: 'socialync cron install' });
    expect(s.title).toMatch(/no crontab entry, no systemd timer, no daemon\); last refresh: \d+ minutes? ago, by hand or another scheduler/);
  });

  it('a crontab entry: ok, with the last refresh in words', async () => {
    writeFileSync(crontabFile, `${BEGIN}\n17 * * * * socialync refresh\n${END}\n`);
    try {
      expect(await scheduler()).toMatchObject({ status: 'ok', title: expect.stringMatching(/^crontab entry runs `socialync refresh`; last refresh: \d+ minutes? ago$/) });
    } finally {
      rmSync(crontabFile, { force: true });
    }
  });

  it('a systemd user timer: ok', async () => {
    mkdirSync(unitDir, { recursive: true });
    writeFileSync(join(unitDir, 'socialync-refresh.timer'), '[Timer]\nOnCalendar=hourly\n');
    try {
      expect(await scheduler()).toMatchObject({ status: 'ok', title: expect.stringMatching(/^systemd user timer runs/) });
    } finally {
      rmSync(join(unitDir, 'socialync-refresh.timer'), { force: true });
    }
  });

  it('a running daemon: ok while it runs; fail again once it stopped', async () => {
    const daemon = startCli(['daemon'], env);
    try {
      await daemon.waitFor(/publishing due posts and refreshing tokens hourly/);
      await new Promise((r) => setTimeout(r, 500));
      expect(await scheduler()).toMatchObject({ status: 'ok', title: expect.stringMatching(/^running daemon runs `socialync refresh`/) });
    } finally {
      daemon.child.kill('SIGTERM');
      expect((await daemon.done).code).toBe(0);
    }
    expect((await scheduler()).status).toBe('fail');
  });

  it('a daemon started with --no-refresh does not count', async () => {
    const daemon = startCli(['daemon', '--no-refresh'], env);
    try {
      await daemon.waitFor(/publishing due posts/);
      await new Promise((r) => setTimeout(r, 500));
      expect((await scheduler()).status).toBe('fail');
    } finally {
      daemon.child.kill('SIGTERM');
      await daemon.done;
    }
  });
});
