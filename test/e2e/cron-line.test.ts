/**
 * The crontab line printed by `socialync cron print`, run the way cron runs it:
 * /bin/sh -c with cron's bare environment (no DBUS_SESSION_BUS_ADDRESS, no TTY,
 * PATH=/usr/bin:/bin), against the sandbox. Quiet on success, one line and
 * exit 4 when a connection needs a reconnect.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { createDeps } from '../../src/deps.js';
import { createIO } from '../../src/core/io.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { makeSandboxProfile } from '../../src/commands/sandbox.js';
import { seedConnection } from '../../src/sandbox/seed.js';
import { cliEnv, runCli } from '../helpers/cli.js';

let sandbox: Sandbox;
let home = '';
const quiet = () => createIO({ stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), env: {} });

beforeAll(async () => {
  sandbox = await startSandbox({ platforms: ['tiktok'] });
  const profile = await makeSandboxProfile(createDeps({ io: quiet(), env: { PATH: process.env.PATH } }), sandbox);
  home = profile.dir;
  const deps = createDeps({ io: quiet(), env: { SOCIALYNC_HOME: home } });
  await seedConnection(deps, 'tiktok', 'alice');
  await seedConnection(deps, 'tiktok', 'bob');
  await deps.close();
}, 60_000);

afterAll(async () => {
  await sandbox?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

function asCron(command: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const env = { HOME: process.env.HOME ?? '/root', LOGNAME: 'cron-test', SHELL: '/bin/sh', PATH: '/usr/bin:/bin' };
    const child = spawn('/bin/sh', ['-c', command], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('refresh from a real crontab line', () => {
  it('runs without D-Bus or a TTY: silent when all is well, one line and exit 4 when a connection needs a reconnect', async () => {
    const printed = await runCli(['cron', 'print'], cliEnv({ SOCIALYNC_HOME: home, DBUS_SESSION_BUS_ADDRESS: undefined }));
    expect(printed.code, printed.stderr).toBe(0);
    const line = printed.stdout.split('\n').find((l) => / refresh$/.test(l))!;
    expect(line).toMatch(/^\d{1,2} \* \* \* \* /);
    const command = line.split(' ').slice(5).join(' ');
    expect(command).toContain(`SOCIALYNC_HOME='${home}'`);

    const before = sandbox.control.platform('tiktok').stats().refreshes;
    // TikTok access tokens (2 h) are always within the 12 h threshold: both are due.
    const ok = await asCron(command);
    expect(ok).toEqual({ code: 0, out: '' });
    expect(sandbox.control.platform('tiktok').stats().refreshes - before).toBe(2);

    sandbox.control.platform('tiktok').revoke('bob');
    const bad = await asCron(command.replace(/ refresh$/, ' refresh --force'));
    expect(bad.code).toBe(4);
    expect(bad.out.trim().split('\n')).toHaveLength(1);
    expect(bad.out).toMatch(/^tiktok\/bob: needs a reconnect: .*Run: socialync connect tiktok --name bob/);
  }, 60_000);
});
