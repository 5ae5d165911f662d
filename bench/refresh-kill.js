// Benchmark (issue 11 item 3): kill -9 at a random moment of `refresh --force` over rotating
// connections (the sandbox's X and TikTok, which detect reuse of a spent refresh token; X then
// revokes the whole family), and how often that burns a connection, next to the share of the
// process's time spent inside the platform round trip: a request that reached the platform
// rotates the token whether or not the client lives to read the answer, a window no client can
// close. Everything after the answer (storing the new token) is ours to keep small: the burn
// rate minus the round-trip share is what our own window costs.
//
//   node bench/refresh-kill.js [--refreshes 200] [--latency 100] [--connections 20] [--seed N]
//
// Each refresh is one `socialync refresh <platform> --account <name> --force` process, killed
// with SIGKILL at a moment drawn uniformly from [0, median run time] (from a calibration of
// uninterrupted runs). After a kill, an uninterrupted refresh of that connection says whether
// it survived; a burned connection must report `refresh_interrupted` (never `unknown`) and is
// replaced by a new one. bench/run.js calls runRefreshKillBench() (rows for its table).
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PassThrough } from 'node:stream';
import { median } from './stats.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'socialync.cjs');

function arg(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

/** Runs the CLI; `killAfterMs` sends SIGKILL then. Resolves with exit code (null: killed), output and wall time. */
function run(args, env, killAfterMs) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err, ms: performance.now() - t0 });
    });
  });
}

async function setUp(o) {
  const kit = await import('../dist/testkit.js');
  const quiet = (env) => kit.createDeps({ io: kit.createIO({ stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), env: {} }), env });
  const sandbox = await kit.startSandbox({ platforms: ['x', 'tiktok'], latencyMs: o.latency });
  const profile = await kit.makeSandboxProfile(quiet({ PATH: process.env.PATH }), sandbox);
  const deps = quiet({ SOCIALYNC_HOME: profile.dir });
  await deps.config.set('refreshThresholdMinutes', { x: 180, tiktok: 180 });
  const env = { ...process.env, SOCIALYNC_HOME: profile.dir, NO_COLOR: '1' };
  for (const k of Object.keys(env)) if (k.startsWith('SOCIALYNC_') && k !== 'SOCIALYNC_HOME') delete env[k];
  delete env.XDG_RUNTIME_DIR;
  let n = 0;
  const fresh = async (platform) => {
    const name = `${platform}${++n}`;
    await kit.seedConnection(deps, platform, `user${n}`, name);
    return { platform, name };
  };
  const pool = [];
  for (let i = 0; i < o.connections; i++) pool.push(await fresh(i % 2 ? 'tiktok' : 'x'));
  return { sandbox, home: profile.dir, deps, env, pool, fresh };
}

/** Uninterrupted runs: process wall time and the token call's round trip (from --debug). */
async function calibrate(s, runs) {
  const walls = [];
  const trips = [];
  for (let i = 0; i < runs; i++) {
    const c = s.pool[i % s.pool.length];
    const r = await run(['refresh', c.platform, '--account', c.name, '--force', '--debug'], s.env);
    if (r.code !== 0) throw new Error(`calibration run exited ${r.code}: ${r.err}`);
    const m = /POST \S*token\S* (?:\(\d+ bytes\) )?-> 200 \((\d+) ms\)/.exec(r.err);
    if (!m) throw new Error(`no token call in the --debug output:\n${r.err}`);
    walls.push(r.ms);
    trips.push(Number(m[1]));
  }
  return { wallMs: median(walls), tripMs: median(trips), share: trips.reduce((a, b) => a + b, 0) / walls.reduce((a, b) => a + b, 0) };
}

export async function measureRefreshKill(o = {}) {
  const refreshes = o.refreshes ?? 200;
  const seed = o.seed ?? Math.floor(Math.random() * 2 ** 31);
  const { prng } = await import('../dist/testkit.js');
  const rnd = prng(seed); // seeded, so a run can be replayed from its printed seed
  const s = await setUp({ latency: o.latency ?? 100, connections: o.connections ?? 20 });
  try {
    const cal = await calibrate(s, 10);
    let kills = 0;
    let burned = 0;
    let finished = 0;
    const wrongReason = [];
    for (let i = 0; i < refreshes; i++) {
      const slot = i % s.pool.length;
      const c = s.pool[slot];
      const r = await run(['refresh', c.platform, '--account', c.name, '--force'], s.env, Math.floor(rnd() * cal.wallMs));
      if (r.code !== null) {
        finished++;
        continue;
      }
      kills++;
      const check = await run(['refresh', c.platform, '--account', c.name, '--force', '--json'], s.env);
      const res = JSON.parse(check.out || '{"results":[{}]}').results[0];
      if (res.status === 'reconnect_needed') {
        burned++;
        if (res.reason !== 'refresh_interrupted') wrongReason.push(`${c.platform}/${c.name}: ${res.reason}`);
        s.pool[slot] = await s.fresh(c.platform);
      } else if (res.status !== 'refreshed') wrongReason.push(`${c.platform}/${c.name}: ${res.status} ${res.detail}`);
    }
    const stats = ['x', 'tiktok'].map((p) => s.sandbox.control.platform(p).stats());
    return { seed, refreshes, kills, finished, burned, wrongReason, ...cal, latency: o.latency ?? 100, reused: stats.reduce((a, x) => a + x.reusedRefreshTokens, 0) };
  } finally {
    await s.deps.close();
    await s.sandbox.close();
    rmSync(s.home, { recursive: true, force: true });
  }
}

const pct = (x) => `${(100 * x).toFixed(1)}%`;

export async function runRefreshKillBench() {
  const r = await measureRefreshKill({ refreshes: Number(process.env.BENCH_KILL_REFRESHES || 200) });
  console.error(`refresh-kill: seed ${r.seed}`);
  return [
    {
      name: `refresh --force killed at random (${r.kills} kill -9 in ${r.refreshes} refreshes of X/TikTok, ${r.latency} ms platform latency, seed ${r.seed}) — burn rate per kill`,
      value: `${r.burned}/${r.kills}`,
      figure: `${pct(r.burned / Math.max(1, r.kills))} burned vs ${pct(r.share)} of the run inside the round trip`,
      targetText: '≤ round-trip share; every burn reported as refresh_interrupted',
      ok: r.wrongReason.length === 0 && r.burned / Math.max(1, r.kills) <= r.share + 0.05,
    },
  ];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = await measureRefreshKill({ refreshes: arg('refreshes', 200), latency: arg('latency', 100), connections: arg('connections', 20), seed: arg('seed', undefined) });
  console.log(`seed ${r.seed} (replay: node bench/refresh-kill.js --refreshes ${r.refreshes} --latency ${r.latency} --seed ${r.seed})`);
  console.log(`refreshes ${r.refreshes}: ${r.kills} killed, ${r.finished} finished before the kill`);
  console.log(`uninterrupted run: median ${r.wallMs.toFixed(0)} ms, token round trip median ${r.tripMs} ms; share of the run inside the round trip ${pct(r.share)}`);
  console.log(`burned ${r.burned} of ${r.kills} killed refreshes (${pct(r.burned / Math.max(1, r.kills))}); of all refreshes ${pct(r.burned / r.refreshes)}; spent tokens sent to the platform: ${r.reused}`);
  console.log(r.wrongReason.length ? `NOT reported as refresh_interrupted: ${r.wrongReason.join('; ')}` : 'every burned connection was reported as refresh_interrupted');
  process.exitCode = r.wrongReason.length ? 1 : 0;
}
