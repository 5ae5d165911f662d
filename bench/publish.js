// Benchmark: a 1 GiB video published to YouTube (resumable upload) on the sandbox
// by the built CLI, run as cron runs it (`socialync publish`). Measured: peak RSS
// of the publishing process and upload throughput, compared with a plain loopback
// HTTP copy of the same file measured in the same run.
// Targets (issue 4): peak RSS <= 150 MB; throughput >= 50% of the loopback copy.
//
//   node bench/publish.js [--mib 1024]
//
// bench/run.js calls runPublishBench() and prints its rows with the others.
import { spawn } from 'node:child_process';
import { createReadStream, mkdtempSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'socialync.cjs');

/** A file of `mib` MiB of random-looking data (a 1 MiB random block repeated). */
/**
 * A `mib` MiB MP4 that the media probe reads as a real 10 s 720p H.264 video (schedule add
 * refuses anything else): the small head the sandbox demo uses, then random bytes inside its
 * mdat box, whose size field is set to cover them.
 */
function makeFile(dir, mib, mp4) {
  const path = join(dir, 'video.mp4');
  const head = mp4({ seconds: 10, width: 1280, height: 720 });
  const size = mib * 1024 * 1024;
  const mdatAt = head.length - (8 + 300 * 4); // 300 frames of 4 bytes at 30 fps
  const fd = openSync(path, 'w');
  writeSync(fd, head);
  const block = randomBytes(1024 * 1024);
  for (let left = size - head.length; left > 0; left -= block.length) writeSync(fd, block, 0, Math.min(left, block.length));
  const mdatSize = Buffer.alloc(4);
  mdatSize.writeUInt32BE(size - mdatAt);
  writeSync(fd, mdatSize, 0, 4, mdatAt);
  closeSync(fd);
  return path;
}

/** Baseline: stream the file over loopback HTTP to a server that discards it. */
async function loopbackCopy(path, size) {
  const server = createServer((req, res) => {
    req.on('data', () => {});
    req.on('end', () => res.end('ok'));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  const t0 = performance.now();
  await new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'PUT', path: '/', headers: { 'content-length': String(size) } }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    createReadStream(path, { highWaterMark: 256 * 1024 }).pipe(req);
  });
  const ms = performance.now() - t0;
  await new Promise((r) => server.close(r));
  return ms;
}

export function vmHwmKb(pid) {
  try {
    return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc (0 where there is none). */
function cpuSeconds(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

export function runChild(args, env) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    // BENCH_NODE_ARGS: flags for the measured process that NODE_OPTIONS refuses (e.g. --cpu-prof --cpu-prof-dir=DIR).
    const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const child = spawn(process.execPath, [...nodeArgs, BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let peakKb = 0;
    let cpuS = 0;
    const poll = setInterval(() => {
      peakKb = Math.max(peakKb, vmHwmKb(child.pid));
      cpuS = Math.max(cpuS, cpuSeconds(child.pid));
    }, 20);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(poll);
      resolve({ code, stdout, stderr, wallMs: performance.now() - started, peakRssMb: peakKb / 1024, cpuS });
    });
  });
}

export async function runPublishBench(o = {}) {
  const mib = o.mib ?? 1024;
  const size = mib * 1024 * 1024;
  const { startSandbox, makeSandboxProfile, seedConnection, createDeps, createIO, mp4 } = await import(join(ROOT, 'dist', 'testkit.js'));
  const quiet = (env) => createDeps({ io: createIO({ stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), env: {} }), env });
  const dir = mkdtempSync(join(tmpdir(), 'socialync-bench-publish-'));
  const sandbox = await startSandbox({ platforms: ['youtube'], demo: true });
  let home;
  try {
    const file = makeFile(dir, mib, mp4);
    const profile = await makeSandboxProfile(quiet({ PATH: process.env.PATH }), sandbox);
    home = profile.dir;
    const deps = quiet({ SOCIALYNC_HOME: home });
    await seedConnection(deps, 'youtube', 'alice');
    await deps.close();
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, SOCIALYNC_HOME: home, NO_COLOR: '1', ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}) };
    const add = await runChild(['schedule', 'add', '--to', 'youtube', '--at', 'now', '--title', 'Bench upload', '--text', 'bench', '--privacy', 'private', '--media', file], env);
    if (add.code !== 0) throw new Error(`schedule add exited ${add.code}: ${add.stderr}`);
    const baselineMs = await loopbackCopy(file, size);
    const pub = await runChild(['publish', '--json'], env);
    if (pub.code !== 0) throw new Error(`publish exited ${pub.code}: ${pub.stderr} ${pub.stdout}`);
    const result = JSON.parse(pub.stdout).results[0];
    if (result?.outcome !== 'published') throw new Error(`not published: ${pub.stdout}`);
    const uploaded = sandbox.control.platform('youtube').stats().uploadedBytes ?? 0;
    if (uploaded < size) throw new Error(`sandbox received ${uploaded} of ${size} bytes`);
    const mbps = (ms) => size / 1048576 / (ms / 1000);
    const share = mbps(pub.wallMs) / mbps(baselineMs);
    return [
      { name: `publish ${mib} MiB video (YouTube resumable, sandbox): peak RSS`, value: `${pub.peakRssMb.toFixed(1)} MB`, figure: `${pub.peakRssMb.toFixed(1)} MB`, ok: pub.peakRssMb <= 150, targetText: '≤ 150 MB' },
      {
        name: `publish ${mib} MiB video (YouTube resumable, sandbox): throughput (whole publish run) vs loopback copy`,
        value: `${mbps(pub.wallMs).toFixed(0)} MB/s`,
        baselineText: `${mbps(baselineMs).toFixed(0)} MB/s`,
        figure: `${(share * 100).toFixed(0)}%`,
        ok: share >= 0.5,
        targetText: '≥ 50%',
      },
    ];
  } finally {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
    if (home) rmSync(home, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const i = process.argv.indexOf('--mib');
  for (const r of await runPublishBench({ mib: i > 0 ? Number(process.argv[i + 1]) : 1024 })) {
    console.log(`${r.name}: ${r.value}${r.baselineText ? ` vs ${r.baselineText}` : ''} = ${r.figure} (target ${r.targetText}) ${r.ok ? 'ok' : 'MISSED'}`);
  }
}
