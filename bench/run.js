#!/usr/bin/env node
// npm run bench: start-up and throughput figures, each as a ratio to a
// baseline measured in the same run (medians). Writes BENCHMARKS.md's table
// to stdout; other issue benchmarks register below as they land.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './stats.js';
import { randomUUID } from 'node:crypto';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'socialync.cjs');
const RUNS = Number(process.env.BENCH_RUNS || 10);


/** Wall time of a command, median of RUNS after one warm-up; interleaved with its baseline. */
export function timeCommands(cmds, env) {
  const times = cmds.map(() => []);
  for (const c of cmds) spawnSync(c[0], c.slice(1), { env, stdio: 'ignore' });
  for (let i = 0; i < RUNS; i++) {
    cmds.forEach((c, j) => {
      const t0 = process.hrtime.bigint();
      const r = spawnSync(c[0], c.slice(1), { env, stdio: ['ignore', 'ignore', 'pipe'] });
      times[j].push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (r.status !== 0 && r.status !== 4) throw new Error(`${c.join(' ')} exited ${r.status}: ${r.stderr}`);
    });
  }
  return times.map(median);
}

async function seedConnections(home, n) {
  const { openSqliteStore } = await import('../dist/testkit.js');
  const store = openSqliteStore(join(home, 'state.db'));
  const now = Date.now();
  const platforms = ['instagram', 'facebook', 'tiktok', 'youtube', 'x', 'linkedin'];
  for (let i = 0; i < n; i++) {
    const platform = platforms[i % platforms.length];
    await store.insertConnection(
      {
        id: randomUUID(), platform, name: `acct${i}`, accountId: String(1000 + i), username: `acct${i}`, displayName: `Account ${i}`,
        accountType: null, scopes: ['a', 'b'], accessExpiresAt: now + 3_600_000, refreshExpiresAt: now + (i % 20) * 86_400_000,
        refreshExpiresEstimated: platform === 'x', dataAccessExpiresAt: null, tokenObtainedAt: now, lastRefreshAt: now - 3_600_000,
        health: i % 17 === 0 ? 'needs_reconnect' : 'healthy', reason: i % 17 === 0 ? 'password_changed' : null, reasonDetail: null, meta: {},
      },
      now,
    );
  }
  await store.close();
}

async function startupBench() {
  const home = mkdtempSync(join(tmpdir(), 'socialync-bench-'));
  await seedConnections(home, 50);
  // Node start-up options that add work to every process (NODE_EXTRA_CA_CERTS loads a CA bundle:
  // +75 ms here) would inflate the baseline and flatter the ratio: measure without them.
  const env = { ...process.env, SOCIALYNC_HOME: home, NO_COLOR: '1' };
  delete env.NODE_EXTRA_CA_CERTS;
  delete env.NODE_OPTIONS;
  const node = process.execPath;
  const [base, version, status] = timeCommands([[node, '-e', '0'], [node, BIN, '--version'], [node, BIN, 'status']], env);
  return [
    { name: 'socialync --version', ms: version, baseline: base, ratio: version / base, target: 1.3 },
    { name: 'socialync status (50 connections, offline)', ms: status, baseline: base, ratio: status / base, target: 1.6 },
  ];
}

const benches = [['start-up', startupBench]];
for (const [file, fn] of [
  ['refresh.js', 'runRefreshBench'],
  ['publish.js', 'runPublishBench'],
  ['schedule-list.js', 'runScheduleListBench'],
  ['refresh-kill.js', 'runRefreshKillBench'],
  ['team.js', 'runTeamBench'],
  ['team-refresh.js', 'runTeamRefreshBench'],
]) {
  if (existsSync(join(ROOT, 'bench', file))) benches.push([file, async () => (await import(`./${file}`))[fn]()]);
}

const only = process.argv[2];
console.log(`| benchmark | median | baseline | ratio / figure | target |`);
console.log(`|---|---|---|---|---|`);
let failed = false;
for (const [name, fn] of benches) {
  if (only && !name.includes(only)) continue;
  const rows = await fn();
  for (const r of rows) {
    const ok = r.ratio !== undefined ? r.ratio <= r.target : r.ok;
    failed ||= ok === false;
    const fig = r.ratio !== undefined ? `${r.ratio.toFixed(2)}×` : r.figure;
    const base = r.baseline !== undefined ? `${r.baseline.toFixed(1)} ms` : (r.baselineText ?? '');
    const med = r.ms !== undefined ? `${r.ms.toFixed(1)} ms` : (r.value ?? '');
    console.log(`| ${r.name} | ${med} | ${base} | ${fig} | ${r.ratio !== undefined ? '≤ ' + r.target + '×' : r.targetText ?? ''} ${ok === false ? '(missed)' : ''} |`);
  }
}
process.exitCode = failed ? 1 : 0;
