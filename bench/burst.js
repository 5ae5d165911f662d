// Benchmark (issue 14): a campaign burst. 1,000 targets due in the same minute across the six
// platforms (text, images, 20 videos of 50 MiB as sparse files), published by the built CLI
// (`socialync publish`, as cron runs it) against the sandbox with 150 ms of latency on every
// call. Measured for the pool (default settings) and for the sequential loop (--concurrency 1)
// in the same run: p50 and p99 lateness (published_at - scheduled_at), peak RSS of the publishing
// process, duplicates at the sandbox.
// Targets: pool p99 <= 15 s, peak RSS <= 300 MB, 0 duplicates.
//
//   node bench/burst.js [--targets 1000] [--latency 150] [--modes pool,sequential]
//
// bench/run.js calls runBurstBench() (group "burst": node bench/run.js burst).
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync, ftruncateSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { runChild } from './publish.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MIB = 1024 * 1024;

/** A baseline JPEG head (SOI, JFIF APP0, SOF0 1080x1080, EOI): what the schedule-time probe reads. */
function jpegHead() {
  const u16 = (n) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
  const seg = (marker, body) => Buffer.concat([Buffer.from([0xff, marker]), u16(body.length + 2), body]);
  const app0 = seg(0xe0, Buffer.concat([Buffer.from('JFIF\0'), u16(0x0101), Buffer.from([0]), u16(1), u16(1), Buffer.from([0, 0])]));
  const sof0 = seg(0xc0, Buffer.concat([Buffer.from([8]), u16(1080), u16(1080), Buffer.from([3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1])]));
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof0, Buffer.from([0xff, 0xd9])]);
}

/** A sparse MP4 of `size` bytes that probes as 10 s 1080x1920 H.264 (its mdat covers the rest). */
function sparseMp4(path, size, mp4) {
  const head = mp4({ seconds: 10, width: 1080, height: 1920, fps: 30 });
  const mdatAt = head.length - (8 + 300 * 4);
  head.writeUInt32BE(size - mdatAt, mdatAt);
  const fd = openSync(path, 'w');
  writeSync(fd, head, 0, head.length, 0);
  ftruncateSync(fd, size);
  closeSync(fd);
}

/**
 * The campaign: per platform, how many targets and accounts, and what each target carries.
 * 1,000 targets: 20 videos (YouTube, TikTok), Instagram images (public URLs), Facebook text and
 * images, X and LinkedIn text and images.
 */
function plan(total) {
  const share = (n) => Math.round((n * total) / 1000);
  return [
    { platform: 'youtube', accounts: 10, n: 10, kind: 'video' },
    { platform: 'tiktok', accounts: 10, n: 10, kind: 'video' },
    { platform: 'instagram', accounts: 25, n: share(160), kind: 'image-url' },
    { platform: 'facebook', accounts: 25, n: share(200), kind: 'text+image' },
    { platform: 'x', accounts: 25, n: share(310), kind: 'text+image' },
    { platform: 'linkedin', accounts: 25, n: share(310), kind: 'text+image' },
  ];
}

function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

async function oneRun(kit, sandbox, mode, o) {
  const { makeSandboxProfile, seedPublishConnection, createDeps, createIO, runScheduleAdd, openSqliteStore } = kit;
  const quiet = (env) => createDeps({ io: createIO({ stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), env: {} }), env });
  const profile = await makeSandboxProfile(quiet({ PATH: process.env.PATH }), sandbox);
  const home = profile.dir;
  try {
    const deps = quiet({ SOCIALYNC_HOME: home });
    const label = `burst-${mode}`;
    let made = 0;
    for (const p of plan(o.targets)) {
      for (let a = 0; a < p.accounts; a++) await seedPublishConnection(deps, p.platform, `${p.platform}${a}`);
      for (let i = 0; i < p.n; i++) {
        const text = `${label} ${p.platform} ${i}`;
        const media = p.kind === 'video' ? [o.videos[made % o.videos.length]] : p.kind === 'image-url' ? ['https://cdn.example.com/burst.jpg'] : i % 4 === 0 ? [o.image] : [];
        await runScheduleAdd(deps, {
          to: `${p.platform}:${p.platform}${i % p.accounts}`,
          at: '+1h',
          text,
          ...(media.length ? { media } : {}),
          ...(p.platform === 'youtube' ? { title: text, privacy: 'private' } : {}),
          ...(p.platform === 'tiktok' ? { set: ['tiktok.privacy=SELF_ONLY'] } : {}),
        });
        if (p.kind === 'video') made++;
      }
    }
    await deps.close();
    // Every target due in the same minute: now.
    const store = openSqliteStore(join(home, 'state.db'));
    const due = Date.now();
    store.db.prepare('UPDATE posts SET scheduled_at = ?').run(due);
    await store.close();
    sandbox.control.callLatency(o.latencyMs);
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, SOCIALYNC_HOME: home, NO_COLOR: '1', ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}) };
    const load = loadavg()[0];
    const cpu0 = process.cpuUsage();
    const pub = await runChild(['publish', '--quiet', ...(mode === 'sequential' ? ['--concurrency', '1'] : [])], env);
    const sandboxCpuS = (({ user, system }) => (user + system) / 1e6)(process.cpuUsage(cpu0));
    sandbox.control.callLatency(0);
    const check = openSqliteStore(join(home, 'state.db'));
    const rows = check.db.prepare('SELECT t.state, t.platform, t.reason, t.published_at AS at, p.scheduled_at AS due FROM targets t JOIN posts p ON p.id = t.post_id').all();
    const why = new Map();
    for (const r of rows.filter((x) => x.state !== 'published')) {
      const k = `${r.platform} ${r.state}: ${String(r.reason).slice(0, 100)}`;
      why.set(k, (why.get(k) ?? 0) + 1);
    }
    for (const [k, n] of why) console.error(`  ${mode}: ${n} x ${k}`);
    await check.close();
    const late = rows.filter((r) => r.state === 'published').map((r) => (r.at - r.due) / 1000);
    // The platforms the burst targets (the sandbox runs every platform; the burst uses six).
    const byPlatform = sandbox.platforms.flatMap((p) => {
      const l = rows.filter((r) => r.state === 'published' && r.platform === p).map((r) => (r.at - r.due) / 1000);
      return l.length ? [`${p} ${percentile(l, 50).toFixed(1)}/${percentile(l, 100).toFixed(1)} s`] : [];
    });
    const texts = new Map();
    for (const p of sandbox.platforms) {
      const posts = (await (await fetch(`${sandbox.origins[p]}/__publish/v1/posts`)).json()).posts;
      for (const x of posts) if (x.text.startsWith(label)) texts.set(x.text, (texts.get(x.text) ?? 0) + 1);
    }
    const duplicates = [...texts.values()].reduce((n, c) => n + (c - 1), 0);
    const states = Object.entries(rows.reduce((m, r) => ((m[r.state] = (m[r.state] ?? 0) + 1), m), {})).map(([k, v]) => `${k} ${v}`).join(', ');
    return { mode, targets: rows.length, published: late.length, states, p50: percentile(late, 50), p99: percentile(late, 99), wallS: pub.wallMs / 1000, rssMb: pub.peakRssMb, duplicates, load, exit: pub.code, cpuS: pub.cpuS, sandboxCpuS, byPlatform: byPlatform.join(', ') };
  } finally {
    sandbox.control.callLatency(0);
    rmSync(home, { recursive: true, force: true });
  }
}

export async function runBurstBench(o = {}) {
  const targets = o.targets ?? 1000;
  const latencyMs = o.latencyMs ?? 150;
  const modes = o.modes ?? ['pool', 'sequential'];
  const kit = await import(join(ROOT, 'dist', 'testkit.js'));
  const dir = mkdtempSync(join(tmpdir(), 'socialync-bench-burst-'));
  const sandbox = await kit.startSandbox({ demo: false }); // not demo: each seeded name is its own sandbox account
  try {
    const videos = Array.from({ length: 20 }, (_, i) => join(dir, `video${i}.mp4`));
    for (const v of videos) sparseMp4(v, 50 * MIB, kit.mp4);
    const image = join(dir, 'image.jpg');
    writeFileSync(image, Buffer.concat([jpegHead(), Buffer.alloc(200 * 1024)]));
    const rows = [];
    for (const mode of modes) {
      const r = await oneRun(kit, sandbox, mode, { targets, latencyMs, videos, image });
      const what = `burst: ${r.targets} targets due at once, ${latencyMs} ms per call, ${mode === 'pool' ? 'pool (defaults)' : 'sequential (--concurrency 1)'}`;
      const note = `published ${r.published}/${r.targets} (${r.states}); run ${r.wallS.toFixed(1)} s, publisher CPU ${r.cpuS.toFixed(1)} s, sandbox CPU ${r.sandboxCpuS.toFixed(1)} s; load ${r.load.toFixed(2)}; exit ${r.exit}; p50/max by platform: ${r.byPlatform}`;
      const gate = mode === 'pool';
      rows.push(
        { name: `${what}: lateness p50 / p99`, value: `${r.p50?.toFixed(1)} s / ${r.p99?.toFixed(1)} s`, figure: `p99 ${r.p99?.toFixed(1)} s`, ok: gate ? r.p99 <= 15 && r.published === r.targets : undefined, targetText: gate ? 'p99 ≤ 15 s' : '(baseline)', baselineText: note },
        { name: `${what}: peak RSS`, value: `${r.rssMb.toFixed(1)} MB`, figure: `${r.rssMb.toFixed(1)} MB`, ok: gate ? r.rssMb <= 300 : undefined, targetText: gate ? '≤ 300 MB' : '(baseline)' },
        { name: `${what}: duplicates`, value: String(r.duplicates), figure: String(r.duplicates), ok: r.duplicates === 0, targetText: '0' },
      );
    }
    return rows;
  } finally {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (k, d) => {
    const i = process.argv.indexOf(k);
    return i > 0 ? process.argv[i + 1] : d;
  };
  const rows = await runBurstBench({ targets: Number(arg('--targets', 1000)), latencyMs: Number(arg('--latency', 150)), modes: arg('--modes', 'pool,sequential').split(',') });
  for (const r of rows) console.log(`${r.name}: ${r.value} (target ${r.targetText}) ${r.ok === false ? 'MISSED' : 'ok'}${r.baselineText ? ` — ${r.baselineText}` : ''}`);
}
