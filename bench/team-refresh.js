// Benchmark (issue 14, team mode): 8 refresher processes on 4 "machines" (separate homes, each
// with its own key file and team key) sharing one real PostgreSQL server, over 200 rotating X
// connections on the sandbox (single-use refresh tokens; a reused one is counted and revokes the
// family). Every process runs `refresh --force` at once, so every connection is fought over by
// 8 processes on 4 machines. Burned tokens (reused or rejected refresh tokens) must be 0, and
// every connection must end with a valid token pair, read back through another machine's key.
//
//   node bench/team-refresh.js [--connections 200] [--machines 4] [--per-machine 2] [--latency 50]
//
// Needs the PostgreSQL server binaries (Debian `postgresql`); bench/run.js calls runTeamRefreshBench().
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PassThrough } from 'node:stream';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'socialync.cjs');

function arg(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

function quietDeps(kit, env) {
  const io = kit.createIO({ stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), env: {} });
  return kit.createDeps({ io, env });
}

function run(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

async function must(args, env) {
  const r = await run(args, env);
  if (r.code !== 0) throw new Error(`socialync ${args.join(' ')} exited ${r.code}: ${r.stderr.slice(0, 500)}`);
  return r;
}

/** A sandbox profile in its own home on the shared database (one "machine"). */
async function machine(kit, sandbox, url, homes) {
  const profile = await kit.makeSandboxProfile(quietDeps(kit, { PATH: process.env.PATH }), sandbox);
  homes.push(profile.dir);
  const deps = quietDeps(kit, { SOCIALYNC_HOME: profile.dir });
  await deps.config.set('refreshThresholdMinutes.x', 180);
  await deps.close();
  return { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', SOCIALYNC_HOME: profile.dir, SOCIALYNC_DATABASE_URL: url };
}

export async function measureTeamRefresh(o = {}) {
  const connections = o.connections ?? 200;
  const machines = o.machines ?? 4;
  const perMachine = o.perMachine ?? 2;
  const latencyMs = o.latencyMs ?? 50;
  const kit = await import(join(ROOT, 'dist', 'testkit.js'));
  const server = await kit.startPostgres();
  if (typeof server === 'string') throw new Error(server);
  const sandbox = await kit.startSandbox({ platforms: ['x'] });
  const homes = [];
  try {
    const url = await server.createDatabase();
    const envs = [await machine(kit, sandbox, url, homes)];
    const seeder = quietDeps(kit, { SOCIALYNC_HOME: envs[0].SOCIALYNC_HOME, SOCIALYNC_DATABASE_URL: url });
    await kit.seedConnections(seeder, 'x', connections, 16);
    await seeder.close();
    await must(['team', 'init', '--name', 'm1'], envs[0]);
    for (let i = 2; i <= machines; i++) {
      const env = await machine(kit, sandbox, url, homes);
      const joined = await must(['team', 'join', '--name', `m${i}`], env);
      await must(['team', 'approve', `m${i}`, '--fingerprint', joined.stdout.trim().split('\t')[2]], envs[0]);
      envs.push(env);
    }
    sandbox.control.latency(latencyMs);
    const before = sandbox.control.platform('x').stats();
    const started = performance.now();
    const runs = await Promise.all(envs.flatMap((env) => Array.from({ length: perMachine }, () => run(['refresh', '--force', '--json', '--concurrency', '8'], env))));
    const wallMs = Math.round(performance.now() - started);
    const after = sandbox.control.platform('x').stats();
    const counts = runs.map((r) => (r.stdout ? JSON.parse(r.stdout).counts : {}));
    const failedRuns = runs.filter((r) => r.code !== 0).length;
    // Every token read back through the last machine's key, checked at the platform.
    const reader = quietDeps(kit, { SOCIALYNC_HOME: envs.at(-1).SOCIALYNC_HOME, SOCIALYNC_DATABASE_URL: url });
    let valid = 0;
    try {
      const secrets = await reader.secrets();
      for (const c of await (await reader.store()).listConnections({ platform: 'x' })) {
        const t = JSON.parse((await secrets.get(kit.secretKeys.connection(c.id))) ?? '{}');
        if (sandbox.control.validate(t.accessToken ?? '').valid && sandbox.control.validate(t.refreshToken ?? '').valid) valid++;
      }
    } finally {
      await reader.close();
    }
    const burned = after.reusedRefreshTokens - before.reusedRefreshTokens + (after.rejectedRefreshes - before.rejectedRefreshes);
    return {
      connections,
      machines,
      processes: machines * perMachine,
      latencyMs,
      wallMs,
      refreshes: after.refreshes - before.refreshes,
      refreshedReported: counts.reduce((n, c) => n + (c.refreshed ?? 0), 0),
      burned,
      valid,
      failedRuns,
      pass: burned === 0 && valid === connections && failedRuns === 0,
    };
  } finally {
    await sandbox.close();
    await server.stop();
    for (const h of homes) rmSync(h, { recursive: true, force: true });
  }
}

/** Rows for bench/run.js (| benchmark | median | baseline | figure | target |). */
export async function runTeamRefreshBench(o = {}) {
  const r = await measureTeamRefresh(o);
  return [
    {
      name: `team refresh: ${r.processes} \`refresh --force\` processes on ${r.machines} machines, one PostgreSQL, ${r.connections} rotating X connections, ${r.latencyMs} ms latency`,
      value: `${(r.wallMs / 1000).toFixed(1)} s`,
      baselineText: `${r.refreshes} refreshes at the platform`,
      figure: `${r.burned} burned tokens, ${r.valid}/${r.connections} valid after`,
      targetText: '0 burned',
      ok: r.pass,
    },
  ];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = await measureTeamRefresh({ connections: arg('connections', 200), machines: arg('machines', 4), perMachine: arg('per-machine', 2), latencyMs: arg('latency', 50) });
  process.stdout.write(`team refresh benchmark: ${r.pass ? 'PASS' : 'FAIL'}\n${JSON.stringify(r, null, 2)}\n`);
  process.exitCode = r.pass ? 0 : 1;
}
