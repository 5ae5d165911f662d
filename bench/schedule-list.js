// Benchmark: `socialync schedule list` versus bare `node -e 0`, medians of interleaved runs:
// - the default view (30 rows: to publish, failed in the last 7 days) of a 100,000-post
//   history, piped. Target (issue 12): <= 1.3x.
// - `--all`, the whole TSV of 10,000 scheduled posts, piped. Target (issue 4): <= 1.6x.
//
//   node bench/schedule-list.js [--posts 10000] [--history 100000] [--runs 10]
//
// bench/run.js calls runScheduleListBench() and prints its rows with the others.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { floorRun } from './floor.js';
import { ratioRow, timeInterleaved } from './stats.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'socialync.cjs');


/**
 * Writes posts straight into a fresh state database: `post(i)` gives each one's time and the
 * states of its x and linkedin targets.
 */
async function seed(home, n, post) {
  const { openSqliteStore, postStatus } = await import(join(ROOT, 'dist', 'testkit.js'));
  const store = openSqliteStore(join(home, 'state.db'));
  const now = Date.now();
  // Straight into the tables, so posts.status and posts.target_summary are set here as the post
  // store sets them (src/store/posts.ts).
  const insertPost = store.db.prepare('INSERT INTO posts (text, options, overrides, scheduled_at, tz, local_time, created_at, updated_at, status, target_summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const target = store.db.prepare('INSERT INTO targets (post_id, platform, connection_id, state, updated_at) VALUES (?, ?, ?, ?, ?)');
  store.db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const { at, x, linkedin } = post(i, now);
      const status = postStatus([x, linkedin]);
      const summary = `x:${x},linkedin:${linkedin}`;
      const id = Number(insertPost.run(`Post number ${i}: something worth sharing #${i % 97}`, '{}', '{}', at, 'Europe/Berlin', '2026-12-01 09:00', now, now, status, summary).lastInsertRowid);
      target.run(id, 'x', 'conn-x', x, now);
      target.run(id, 'linkedin', 'conn-li', linkedin, now);
    }
  })();
  await store.close();
}

/** `n` upcoming posts, one a minute, mixed states (two targets each). */
export async function seedPosts(home, n) {
  const states = ['scheduled', 'scheduled', 'scheduled', 'published', 'failed', 'unconfirmed'];
  await seed(home, n, (i, now) => ({ at: now + i * 60_000, x: states[i % states.length], linkedin: 'scheduled' }));
}

/**
 * A long history: one post every 10 minutes, the last 5% still to come; of the past ones one
 * in 50 failed on x (partly published) and one in 400 failed on both.
 */
export async function seedHistory(home, n) {
  const upcoming = Math.ceil(n * 0.05);
  await seed(home, n, (i, now) => {
    const at = now + (i - (n - upcoming)) * 600_000;
    if (at > now) return { at, x: 'scheduled', linkedin: 'scheduled' };
    return { at, x: i % 50 === 0 ? 'failed' : 'published', linkedin: i % 400 === 0 ? 'failed' : 'published' };
  });
}

export async function runScheduleListBench(o = {}) {
  const posts = o.posts ?? 10_000;
  const history = o.history ?? 100_000;
  const runs = o.runs ?? Number(process.env.BENCH_RUNS || 10);
  const dirs = ['list', 'history', 'empty'].map((n) => mkdtempSync(join(tmpdir(), `socialync-bench-${n}-`)));
  const [home, old, empty] = dirs;
  try {
    await seedPosts(home, posts);
    await seedHistory(old, history);
    await seedPosts(empty, 0);
    const env = (h) => ({ PATH: process.env.PATH, HOME: process.env.HOME, SOCIALYNC_HOME: h, NO_COLOR: '1' });
    // Interleaved: bare node, the default view of the long history (its own bundle, then through
    // the whole CLI as the shim runs other commands), every post of the 10,000, and the command
    // on an empty database (the CLI's own start-up, without rows).
    const whole = `require('node:module').enableCompileCache?.(); require(${JSON.stringify(join(ROOT, 'dist', 'cli.cjs'))}).main(['schedule', 'list']).then((c) => (process.exitCode = c))`;
    const { rows: t } = timeInterleaved(
      [
        { argv: [process.execPath, '-e', '0'], env: env(home) },
        { argv: [process.execPath, BIN, 'schedule', 'list'], env: env(old), pipe: true },
        { argv: [process.execPath, '-e', whole], env: env(old), pipe: true },
        { argv: [process.execPath, BIN, 'schedule', 'list', '--all'], env: env(home), pipe: true },
        { argv: [process.execPath, BIN, 'schedule', 'list'], env: env(empty), pipe: true },
        { ...(await floorRun(process.execPath, 'list', env(old))), pipe: true },
      ],
      runs,
    );
    const [base, view, viewWhole, all, none, floor] = t;
    if (view.lines !== 30 || viewWhole.lines !== 30) throw new Error(`schedule list printed ${view.lines} and ${viewWhole.lines} rows of the history, expected 30`);
    if (all.lines !== posts) throw new Error(`schedule list --all printed ${all.lines} rows, expected ${posts}`);
    return [
      ratioRow(`socialync schedule list (default view of ${history.toLocaleString('en')} posts, piped; dist/commands/schedule-list.cjs)`, view, base, 1.3),
      { ...ratioRow('same, through the whole CLI (dist/cli.cjs)', viewWhole, base), target: undefined, targetText: 'reference' },
      ratioRow(`socialync schedule list --all (${posts.toLocaleString('en')} posts, piped)`, all, base, 1.6),
      // Reference only (no target of its own): the same command on an empty database.
      { ...ratioRow('socialync schedule list (empty database: CLI start-up alone)', none, base), target: undefined, targetText: 'reference' },
      // The floor (bench/floor-program.cjs): commander + better-sqlite3 + the 30-row query + one write, no socialync code.
      { ...ratioRow('floor: commander + better-sqlite3, the 30-row query of the same posts, one write (bench/floor-program.cjs)', floor, base), target: undefined, targetText: 'reference' },
    ];
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (n, d) => (process.argv.includes(`--${n}`) ? Number(process.argv[process.argv.indexOf(`--${n}`) + 1]) : d);
  for (const r of await runScheduleListBench({ posts: arg('posts', 10_000), history: arg('history', 100_000), runs: arg('runs', 10) })) {
    console.log(`${r.name}: ${r.ms.toFixed(1)} ms vs node -e 0 ${r.baseline.toFixed(1)} ms = ${r.ratio.toFixed(2)}x, CPU ${r.cpuRatio.toFixed(2)}x (${r.target !== undefined ? `target <= ${r.target}x` : r.targetText})`);
  }
}
