/**
 * Ctrl-C (SIGINT) during `socialync refresh` through the built binary, against the sandbox's X
 * (single-use refresh tokens) with 1.5 s per token call: the refreshes in flight finish and
 * store their rotated tokens, nothing new starts, the run says what was left and exits 2
 * (cancelled). Afterwards every connection is valid at the sandbox (no token burned) and the
 * next run refreshes the ones left.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { createDeps, type Deps } from '../../src/deps.js';
import { createIO } from '../../src/core/io.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { makeSandboxProfile } from '../../src/commands/sandbox.js';
import { loadTokens } from '../../src/auth/tokens.js';
import { seedConnections } from '../../src/sandbox/seed.js';
import { cliEnv, runCli, startCli } from '../helpers/cli.js';

const N = 6;
let sandbox: Sandbox;
let home = '';
let env: NodeJS.ProcessEnv;

const quietDeps = (e: Record<string, string | undefined>): Deps =>
  createDeps({ io: createIO({ stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), env: {} }), env: e });

beforeAll(async () => {
  sandbox = await startSandbox({ platforms: ['x'] });
  const profile = await makeSandboxProfile(quietDeps({ PATH: process.env.PATH }), sandbox);
  home = profile.dir;
  const deps = quietDeps({ SOCIALYNC_HOME: home });
  await seedConnections(deps, 'x', N, 3);
  await deps.close();
  env = cliEnv({ SOCIALYNC_HOME: home });
}, 60_000);

afterAll(async () => {
  await sandbox?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

async function until(check: () => boolean, what: string): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > 20_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('refresh interrupted with Ctrl-C', () => {
  it('finishes the refreshes in flight, starts no new one, exits 2 naming what was left; no token burned', async () => {
    const x = sandbox.control.platform('x');
    x.latency(1500);
    const before = x.stats();
    const run = startCli(['refresh', '--force', '--concurrency', '2', '--json'], env);
    // Both workers' token calls have reached the platform: the exchanges are in flight.
    await until(() => x.stats().tokenCalls - before.tokenCalls >= 2, 'two token calls');
    run.child.kill('SIGINT');
    const r = await run.done;
    x.latency(0);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/stopping after the 2 refreshes in progress, so no rotating token is lost/);
    expect(r.stderr).toMatch(/interrupted: 4 connections not refreshed \(the next run does them, or run: socialync refresh\)/);
    const report = JSON.parse(r.stdout) as { counts: Record<string, number>; results: { status: string; message: string }[] };
    expect(report.counts).toEqual({ refreshed: 2, cancelled: 4 });
    expect(x.stats().tokenCalls - before.tokenCalls).toBe(2);
    expect(x.stats().reusedRefreshTokens - before.reusedRefreshTokens).toBe(0);

    const deps = quietDeps({ SOCIALYNC_HOME: home });
    try {
      for (const c of await (await deps.store()).listConnections({ platform: 'x' })) {
        const t = await loadTokens(deps, c);
        expect(c.health, c.name).toBe('healthy');
        expect(sandbox.control.validate(t.refreshToken ?? '').valid, c.name).toBe(true);
      }
    } finally {
      await deps.close();
    }
    const next = await runCli(['refresh', '--force', '--json'], env);
    expect(next.code, next.stderr).toBe(0);
    expect(JSON.parse(next.stdout).counts).toEqual({ refreshed: N });
  }, 60_000);
});
