/**
 * Reliability of `socialync refresh` as cron runs it: separate processes of the
 * built CLI (bin/socialync.cjs) against the sandbox's X (single-use refresh
 * tokens; reuse revokes the whole family).
 *  - 8 concurrent processes over 100 connections: each refreshed exactly once,
 *    no refresh token rejected.
 *  - kill -9 at random points (>= 50 times), then a normal run: every connection
 *    is valid at the sandbox, or flagged needs_reconnect with a reason (seeded:
 *    replay with SOCIALYNC_TEST_SEED).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { createDeps, type Deps } from '../../src/deps.js';
import { createIO } from '../../src/core/io.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { makeSandboxProfile } from '../../src/commands/sandbox.js';
import { loadTokens } from '../../src/auth/tokens.js';
import { cliEnv, runCli, startCli } from '../helpers/cli.js';
import { seededRandom } from '../helpers/seed.js';
import { seedConnections } from '../../src/sandbox/seed.js';

const N = 100;
let sandbox: Sandbox;
let home = '';
let env: NodeJS.ProcessEnv;

function freshDeps(): Deps {
  const io = createIO({ stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), env: {} });
  return createDeps({ io, env: { SOCIALYNC_HOME: home } });
}

beforeAll(async () => {
  sandbox = await startSandbox({ platforms: ['x'] });
  const base = createDeps({ io: createIO({ stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), env: {} }), env: { PATH: process.env.PATH } });
  const profile = await makeSandboxProfile(base, sandbox);
  home = profile.dir;
  const deps = freshDeps();
  // X tokens live 2 h: a 3 h threshold makes every connection due at once.
  await deps.config.set('refreshThresholdMinutes.x', 180);
  await seedConnections(deps, 'x', N, 8);
  await deps.close();
  env = cliEnv({ SOCIALYNC_HOME: home });
}, 120_000);

afterAll(async () => {
  await sandbox?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

interface Verdict {
  valid: number;
  flagged: number;
  broken: string[];
}

async function verdict(): Promise<Verdict> {
  const deps = freshDeps();
  const out: Verdict = { valid: 0, flagged: 0, broken: [] };
  try {
    for (const c of await (await deps.store()).listConnections({ platform: 'x' })) {
      if (c.health === 'needs_reconnect') {
        if (c.reason) out.flagged++;
        else out.broken.push(`${c.name}: needs_reconnect without a reason`);
        continue;
      }
      const t = await loadTokens(deps, c);
      const a = sandbox.control.validate(t.accessToken);
      const r = sandbox.control.validate(t.refreshToken ?? '');
      if (a.valid && r.valid) out.valid++;
      else out.broken.push(`${c.name}: healthy but access=${a.reason ?? 'ok'} refresh=${r.reason ?? 'ok'}`);
    }
  } finally {
    await deps.close();
  }
  return out;
}

describe('refresh from cron, many processes at once', () => {
  it('8 concurrent refresh processes over 100 rotating-token connections: each refreshed exactly once, none rejected', async () => {
    const before = sandbox.control.platform('x').stats();
    const runs = await Promise.all(Array.from({ length: 8 }, () => runCli(['refresh', '--json', '--concurrency', '8'], env)));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const refreshed = runs.map((r) => (JSON.parse(r.stdout) as { counts: Record<string, number> }).counts.refreshed ?? 0);
    expect(refreshed.reduce((a, b) => a + b, 0)).toBe(N);
    const stats = sandbox.control.platform('x').stats();
    expect(stats.refreshes - before.refreshes).toBe(N);
    expect(stats.rejectedRefreshes - before.rejectedRefreshes).toBe(0);
    expect(stats.reusedRefreshTokens - before.reusedRefreshTokens).toBe(0);
    const v = await verdict();
    expect(v).toEqual({ valid: N, flagged: 0, broken: [] });
  }, 90_000);

  it('kill -9 at random points (>= 50 times), then a normal run: every connection valid or flagged with a reason', async () => {
    // Short leases so a killed holder blocks the next run for 2 s, not 60 s.
    const killEnv = { ...env, SOCIALYNC_REFRESH_LOCK_TTL_MS: '2000' };
    const { random } = seededRandom('refresh-reliability');
    let kills = 0;
    let completed = 0;
    const started = Date.now();
    while (kills < 50 && Date.now() - started < 90_000) {
      // Three overlapping forced runs, each killed after a random delay (startup included).
      const batch = Array.from({ length: 3 }, () => {
        const run = startCli(['refresh', '--force', '--concurrency', '8', '--quiet'], killEnv);
        const t = setTimeout(() => run.child.kill('SIGKILL'), 250 + Math.floor(random() * 1500));
        return run.done.then((r) => {
          clearTimeout(t);
          if (r.code === null) kills++;
          else completed++;
        });
      });
      await Promise.all(batch);
    }
    expect(kills).toBeGreaterThanOrEqual(50);
    const final = await runCli(['refresh', '--json'], killEnv);
    expect([0, 4], final.stderr).toContain(final.code);
    const v = await verdict();
    console.info(`refresh-reliability: ${kills} kills, ${completed} runs completed; after a normal run: ${v.valid} valid, ${v.flagged} flagged needs_reconnect with a reason`);
    expect(v.broken).toEqual([]);
    expect(v.valid + v.flagged).toBe(N);
  }, 150_000);
});
