/**
 * Team mode end to end with the built binary: two "machines" (separate homes, each with its own
 * key file) sharing one real PostgreSQL server, against the sandbox's X (single-use refresh
 * tokens; reuse revokes the family). init on the first machine moves its secrets into the
 * database; the second joins, is approved by fingerprint, and refreshes from there while the
 * first refreshes too: every connection refreshed exactly once, no token reused or rejected,
 * no token in the database in plain text nor in the second machine's --debug log; a post
 * scheduled on the first is published by the second. Removing the second machine locks it out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import pg from 'pg';
import { createDeps, type Deps } from '../../src/deps.js';
import { createIO } from '../../src/core/io.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { makeSandboxProfile } from '../../src/commands/sandbox.js';
import { seedConnections } from '../../src/sandbox/seed.js';
import { loadTokens } from '../../src/auth/tokens.js';
import { cliEnv, runCli } from '../helpers/cli.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres.js';

const N = 24;
let server: PostgresServer | string;
let sandbox: Sandbox;
let url = '';
const homes: string[] = [];

function quietDeps(env: NodeJS.ProcessEnv): Deps {
  return createDeps({ io: createIO({ stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), env: {} }), env });
}

/** A sandbox profile in its own home (its own key file), on the shared database. */
async function machine(): Promise<NodeJS.ProcessEnv> {
  const base = quietDeps({ PATH: process.env.PATH, SOCIALYNC_DATABASE_URL: url });
  const profile = await makeSandboxProfile(base, sandbox);
  homes.push(profile.dir);
  const deps = quietDeps({ SOCIALYNC_HOME: profile.dir });
  // X tokens live 2 h: a 3 h threshold makes every connection due at once.
  await deps.config.set('refreshThresholdMinutes.x', 180);
  await deps.close();
  return cliEnv({ SOCIALYNC_HOME: profile.dir, SOCIALYNC_DATABASE_URL: url });
}

beforeAll(async () => {
  server = await startPostgres();
  if (typeof server === 'string') return;
  url = await server.createDatabase();
  sandbox = await startSandbox({ platforms: ['x'] });
}, 120_000);

afterAll(async () => {
  await sandbox?.close();
  if (typeof server !== 'string') await server?.stop();
  for (const h of homes) rmSync(h, { recursive: true, force: true });
}, 60_000);

async function tableBytes(): Promise<string> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const rows = (await c.query('SELECT name, data FROM team_entries')).rows as { name: string; data: Buffer }[];
    const dump = (await c.query(`SELECT string_agg(t::text, ' ') AS all FROM (SELECT * FROM connections) t`)).rows[0].all as string;
    return Buffer.concat([...rows.map((r) => r.data), Buffer.from(dump)]).toString('latin1');
  } finally {
    await c.end();
  }
}

describe('team mode on PostgreSQL, two machines', () => {
  it('init → join → approve → refresh from both machines: each connection refreshed once, no token burned; remove locks the machine out', async (ctx) => {
    if (typeof server === 'string') return ctx.skip(server);
    const a = await machine();
    const seedDeps = quietDeps({ SOCIALYNC_HOME: a.SOCIALYNC_HOME, SOCIALYNC_DATABASE_URL: url });
    await seedConnections(seedDeps, 'x', N, 8);
    await seedDeps.close();

    const init = await runCli(['team', 'init', '--name', 'alpha'], a);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stderr).toContain(`${N + 1} secret(s) moved into the database`); // N tokens + X's client secret

    const b = await machine();
    const join = await runCli(['team', 'join', '--name', 'beta'], b);
    expect(join.code, join.stderr).toBe(0);
    const fingerprint = join.stdout.trim().split('\t')[2]!;
    const early = await runCli(['refresh', '--json'], b);
    expect(early.code).not.toBe(0);
    expect(early.stderr + early.stdout, early.stdout).toContain('socialync team approve beta');

    const approve = await runCli(['team', 'approve', 'beta', '--fingerprint', fingerprint], a);
    expect(approve.code, approve.stderr).toBe(0);
    const status = await runCli(['team', 'status'], b);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('beta (this machine)\tmember');

    const before = sandbox.control.platform('x').stats();
    const runs = await Promise.all([a, a, b, b].map((env) => runCli(['refresh', '--json', '--concurrency', '4'], env)));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const refreshed = runs.map((r) => (JSON.parse(r.stdout) as { counts: Record<string, number> }).counts.refreshed ?? 0);
    expect(refreshed.reduce((x, y) => x + y, 0)).toBe(N);
    // The second machine alone rotates every token once more, from what the first one stored.
    const fromB = await runCli(['refresh', '--force', '--json', '--concurrency', '4', '--debug'], b);
    expect(fromB.code, fromB.stderr).toBe(0);
    expect((JSON.parse(fromB.stdout) as { counts: Record<string, number> }).counts.refreshed).toBe(N);
    const stats = sandbox.control.platform('x').stats();
    expect(stats.refreshes - before.refreshes).toBe(2 * N);
    expect(stats.rejectedRefreshes - before.rejectedRefreshes).toBe(0);
    expect(stats.reusedRefreshTokens - before.reusedRefreshTokens).toBe(0);

    // Every token valid at the platform (read on the first machine), none of them readable in the database.
    const reader = quietDeps({ SOCIALYNC_HOME: a.SOCIALYNC_HOME, SOCIALYNC_DATABASE_URL: url });
    const bytes = await tableBytes();
    try {
      const conns = await (await reader.store()).listConnections({ platform: 'x' });
      expect(conns).toHaveLength(N);
      for (const c of conns) {
        const t = await loadTokens(reader, c);
        expect(sandbox.control.validate(t.accessToken).valid).toBe(true);
        expect(sandbox.control.validate(t.refreshToken ?? '').valid).toBe(true);
        expect(bytes).not.toContain(t.accessToken);
        expect(bytes).not.toContain(t.refreshToken!);
        // The second machine's --debug log of the refresh that made these tokens shows none of them.
        expect(fromB.stderr).not.toContain(t.accessToken);
        expect(fromB.stderr).not.toContain(t.refreshToken!);
      }
    } finally {
      await reader.close();
    }

    // A post scheduled on the first machine is published by the second, with a token from the team vault.
    const added = await runCli(['schedule', 'add', '--to', 'x:user1', '--at', 'now', '--text', 'hello from the team', '--json'], a);
    expect(added.code, added.stderr).toBe(0);
    const published = await runCli(['publish', '--json'], b);
    expect(published.code, published.stderr).toBe(0);
    const results = (JSON.parse(published.stdout) as { results: { outcome: string; remoteId: string | null }[] }).results;
    expect(results.map((r) => r.outcome)).toEqual(['published']);
    expect(results[0]!.remoteId).toBeTruthy();

    const removed = await runCli(['team', 'remove', 'beta', '--yes'], a);
    expect(removed.code, removed.stderr).toBe(0);
    const after = await runCli(['refresh', '--force', '--json'], b);
    expect(after.code).not.toBe(0);
    expect(after.stderr + after.stdout, after.stdout).toContain('socialync team join');
    const doctor = await runCli(['doctor', '--offline', '--json'], b);
    expect((JSON.parse(doctor.stdout) as { checks: { id: string; status: string }[] }).checks.find((c) => c.id === 'secrets.team')?.status).toBe('fail');
    const stillA = await runCli(['refresh', '--force', '--json'], a);
    expect(stillA.code, stillA.stderr).toBe(0);
    expect(sandbox.control.platform('x').stats().reusedRefreshTokens - before.reusedRefreshTokens).toBe(0);
  }, 240_000);
});
