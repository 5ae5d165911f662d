// Benchmark: `socialync refresh` over 1,000 due connections on the sandbox with
// 50 ms injected latency per token call. The refresh runs as a separate process
// of the built CLI (as cron runs it); its wall time and peak RSS are measured.
// Targets (issue 3): <= 5 s, <= 200 MB.
//
//   node bench/refresh.js [--connections 1000] [--latency 50] [--concurrency 32] [--platform x] [--tmpdir /dev/shm]
//
// bench/run.js calls runRefreshBench() (rows for its table); measureRefresh() returns the raw figures.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PassThrough } from 'node:stream';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

function quietDeps(createDeps, createIO, env) {
  const io = createIO({ stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), env: {} });
  return createDeps({ io, env });
}

/** CPU time (user + system) of a child on Linux, from /proc/<pid>/stat (clock ticks of 10 ms). */
function cpuMs(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return 0;
  }
}

/** Peak RSS of a child on Linux: VmHWM from /proc, polled until it exits. */
function vmHwmKb(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function runChild(args, env) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'socialync.cjs'), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let peakKb = 0;
    let cpu = 0;
    const poll = setInterval(() => {
      peakKb = Math.max(peakKb, vmHwmKb(child.pid));
      cpu = Math.max(cpu, cpuMs(child.pid));
    }, 20);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(poll);
      resolve({ code, stdout, stderr, wallMs: performance.now() - started, peakRssMb: peakKb / 1024, cpuMs: cpu });
    });
  });
}

/**
 * @param {{ connections?: number, latencyMs?: number, concurrency?: number, platform?: 'x' | 'tiktok' | 'youtube', tmpDir?: string }} [o]
 * @returns {Promise<{ name: string, connections: number, latencyMs: number, concurrency: number, platform: string,
 *   wallMs: number, peakRssMb: number | null, cpuMs: number | null, loadAverage: number, refreshed: number, transient: number, rejectedRefreshes: number, seedMs: number,
 *   targets: { wallMs: number, peakRssMb: number }, pass: boolean }>}
 */
export async function measureRefresh(o = {}) {
  const connections = o.connections ?? 1000;
  const latencyMs = o.latencyMs ?? 50;
  const concurrency = o.concurrency ?? 32;
  const platform = o.platform ?? 'x';
  const { startSandbox, makeSandboxProfile, createDeps, createIO, seedConnections } = await import(join(ROOT, 'dist', 'testkit.js'));
  const sandbox = await startSandbox({ platforms: [platform] });
  let home;
  try {
    // o.tmpDir (e.g. /dev/shm) isolates the cost of fsync in the secret store from the rest.
    const dir = o.tmpDir ? mkdtempSync(join(o.tmpDir, 'socialync-bench-refresh-')) : undefined;
    const profile = await makeSandboxProfile(quietDeps(createDeps, createIO, { PATH: process.env.PATH }), sandbox, dir);
    home = profile.dir;
    const deps = quietDeps(createDeps, createIO, { SOCIALYNC_HOME: home });
    // Every connection due: a threshold longer than any access-token lifetime.
    await deps.config.set(`refreshThresholdMinutes.${platform}`, 60 * 24 * 366);
    const seedStart = performance.now();
    await seedConnections(deps, platform, connections, 16);
    const seedMs = performance.now() - seedStart;
    await deps.close();
    sandbox.control.latency(latencyMs);
    const before = sandbox.control.platform(platform).stats();
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, SOCIALYNC_HOME: home, NO_COLOR: '1' };
    const r = await runChild(['refresh', '--json', '--concurrency', String(concurrency)], env);
    if (r.code !== 0 && r.code !== 6) throw new Error(`refresh exited ${r.code}: ${r.stderr.slice(0, 500)}`);
    const report = JSON.parse(r.stdout);
    const after = sandbox.control.platform(platform).stats();
    const peakRssMb = r.peakRssMb > 0 ? Math.round(r.peakRssMb * 10) / 10 : null;
    const wallMs = Math.round(r.wallMs);
    return {
      name: 'refresh',
      connections,
      latencyMs,
      concurrency,
      platform,
      wallMs,
      peakRssMb,
      cpuMs: r.cpuMs || null,
      loadAverage: Number((await import('node:os')).loadavg()[0].toFixed(2)),
      refreshed: report.counts.refreshed ?? 0,
      transient: report.counts.transient ?? 0,
      rejectedRefreshes: after.rejectedRefreshes - before.rejectedRefreshes,
      seedMs: Math.round(seedMs),
      tmpDir: o.tmpDir ?? null,
      targets: { wallMs: 5000, peakRssMb: 200 },
      pass: wallMs <= 5000 && (peakRssMb === null || peakRssMb <= 200) && (report.counts.refreshed ?? 0) === connections,
    };
  } finally {
    await sandbox.close();
    if (home) rmSync(home, { recursive: true, force: true });
  }
}

/** Rows for bench/run.js (| benchmark | median | baseline | figure | target |). */
export async function runRefreshBench(o = {}) {
  const r = await measureRefresh(o);
  const label = `refresh: ${r.connections.toLocaleString('en')} due ${r.platform} connections, ${r.latencyMs} ms latency`;
  return [
    {
      name: `${label} (wall)`,
      value: `${(r.wallMs / 1000).toFixed(2)} s`,
      baselineText: `CPU ${r.cpuMs === null ? 'n/a' : (r.cpuMs / 1000).toFixed(2) + ' s'}, load ${r.loadAverage}`,
      figure: `${r.refreshed} refreshed, ${r.rejectedRefreshes} rejected`,
      targetText: `≤ ${r.targets.wallMs / 1000} s`,
      ok: r.wallMs <= r.targets.wallMs && r.refreshed === r.connections && r.rejectedRefreshes === 0,
    },
    {
      name: `${label} (peak RSS)`,
      value: r.peakRssMb === null ? 'n/a' : `${r.peakRssMb} MB`,
      figure: 'refresh process',
      targetText: `≤ ${r.targets.peakRssMb} MB`,
      ok: r.peakRssMb === null ? undefined : r.peakRssMb <= r.targets.peakRssMb,
    },
  ];
}

function arg(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = await measureRefresh({
    connections: Number(arg('connections', 1000)),
    latencyMs: Number(arg('latency', 50)),
    concurrency: Number(arg("concurrency", 32)),
    platform: arg('platform', 'x'),
    ...(arg('tmpdir') ? { tmpDir: arg('tmpdir') } : {}),
  });
  const rows = [
    ['connections due', String(r.connections), ''],
    ['platform / latency', `${r.platform} / ${r.latencyMs} ms per token call`, ''],
    ['concurrency', String(r.concurrency), ''],
    ['refreshed', String(r.refreshed), `rejected refresh tokens: ${r.rejectedRefreshes}, transient failures: ${r.transient}`],
    ['wall time', `${(r.wallMs / 1000).toFixed(2)} s`, `target <= ${r.targets.wallMs / 1000} s`],
    ['CPU time (user+sys)', r.cpuMs === null ? 'n/a' : `${(r.cpuMs / 1000).toFixed(2)} s`, `machine load average ${r.loadAverage}`],
    ['peak RSS', r.peakRssMb === null ? 'n/a (no /proc)' : `${r.peakRssMb} MB`, `target <= ${r.targets.peakRssMb} MB`],
    ['state folder', r.tmpDir ?? 'system temp folder', ''],
    ['(seeding, not measured)', `${(r.seedMs / 1000).toFixed(1)} s`, ''],
  ];
  const w = Math.max(...rows.map((x) => x[0].length));
  const w2 = Math.max(...rows.map((x) => x[1].length));
  process.stdout.write(`refresh benchmark: ${r.pass ? 'PASS' : 'FAIL'}\n`);
  for (const [a, b, c] of rows) process.stdout.write(`  ${a.padEnd(w)}  ${b.padEnd(w2)}  ${c}\n`.trimEnd() + '\n');
  process.exitCode = r.pass ? 0 : 1;
}
