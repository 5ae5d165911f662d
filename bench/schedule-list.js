// Benchmark: `socialync schedule list` (piped, TSV) over 10,000 scheduled posts
// versus bare `node -e 0`, medians of interleaved runs. Target (issue 4): <= 1.6x.
//
//   node bench/schedule-list.js [--posts 10000] [--runs 10]
//
// bench/run.js calls runScheduleListBench() and prints its rows with the others.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './stats.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'socialync.cjs');


/** Writes `n` posts (two targets each, mixed states) straight into a fresh state database. */
export async function seedPosts(home, n) {
  const { openSqliteStore } = await import(join(ROOT, 'dist', 'testkit.js'));
  const store = openSqliteStore(join(home, 'state.db'));
  const now = Date.now();
  const states = ['scheduled', 'scheduled', 'scheduled', 'published', 'failed', 'unconfirmed'];
  const post = store.db.prepare('INSERT INTO posts (text, options, overrides, scheduled_at, tz, local_time, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const target = store.db.prepare('INSERT INTO targets (post_id, platform, connection_id, state, updated_at) VALUES (?, ?, ?, ?, ?)');
  store.db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const at = now + i * 60_000;
      const id = Number(post.run(`Post number ${i}: something worth sharing #${i % 97}`, '{}', '{}', at, 'Europe/Berlin', '2026-12-01 09:00', now, now).lastInsertRowid);
      target.run(id, 'x', 'conn-x', states[i % states.length], now);
      target.run(id, 'linkedin', 'conn-li', 'scheduled', now);
    }
  })();
  await store.close();
}

export async function runScheduleListBench(o = {}) {
  const posts = o.posts ?? 10_000;
  const runs = o.runs ?? Number(process.env.BENCH_RUNS || 10);
  const home = mkdtempSync(join(tmpdir(), 'socialync-bench-list-'));
  const empty = mkdtempSync(join(tmpdir(), 'socialync-bench-list-empty-'));
  try {
    await seedPosts(home, posts);
    await seedPosts(empty, 0);
    const env = (h) => ({ PATH: process.env.PATH, HOME: process.env.HOME, SOCIALYNC_HOME: h, NO_COLOR: '1' });
    // Interleaved: bare node, the 10,000-post list, and the same command on an empty database
    // (which separates the CLI's own start-up from the cost of the rows).
    const cmds = [
      [[process.execPath, '-e', '0'], env(home)],
      [[process.execPath, BIN, 'schedule', 'list'], env(home)],
      [[process.execPath, BIN, 'schedule', 'list'], env(empty)],
    ];
    const times = cmds.map(() => []);
    for (const [c, e] of cmds) spawnSync(c[0], c.slice(1), { env: e, stdio: 'ignore' });
    let lines = 0;
    for (let i = 0; i < runs; i++) {
      cmds.forEach(([c, e], j) => {
        const t0 = process.hrtime.bigint();
        const r = spawnSync(c[0], c.slice(1), { env: e, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
        times[j].push(Number(process.hrtime.bigint() - t0) / 1e6);
        if (r.status !== 0) throw new Error(`${c.join(' ')} exited ${r.status}: ${r.stderr}`);
        if (j === 1) lines = r.stdout.toString().split('\n').filter(Boolean).length;
      });
    }
    if (lines !== posts) throw new Error(`schedule list printed ${lines} rows, expected ${posts}`);
    const [base, list, none] = times.map(median);
    return [
      { name: `socialync schedule list (${posts.toLocaleString('en')} posts, piped)`, ms: list, baseline: base, ratio: list / base, target: 1.6 },
      // Reference only (no target of its own): the same command on an empty database.
      { name: 'socialync schedule list (empty database: CLI start-up alone)', value: `${none.toFixed(1)} ms`, baselineText: `${base.toFixed(1)} ms`, figure: `${(none / base).toFixed(2)}×`, targetText: 'reference', ms: undefined },
    ];
  } finally {
    rmSync(home, { recursive: true, force: true });
    rmSync(empty, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (n, d) => (process.argv.includes(`--${n}`) ? Number(process.argv[process.argv.indexOf(`--${n}`) + 1]) : d);
  for (const r of await runScheduleListBench({ posts: arg('posts', 10_000), runs: arg('runs', 10) })) {
    console.log(r.ratio !== undefined ? `${r.name}: ${r.ms.toFixed(1)} ms vs node -e 0 ${r.baseline.toFixed(1)} ms = ${r.ratio.toFixed(2)}x (target <= ${r.target}x)` : `${r.name}: ${r.value} vs node -e 0 ${r.baselineText} = ${r.figure} (${r.targetText})`);
  }
}
