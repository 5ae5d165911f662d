#!/usr/bin/env node
// npm run bench: start-up and throughput figures, each as a ratio to a
// baseline measured in the same run (medians). Writes BENCHMARKS.md's table
// to stdout; other issue benchmarks register below as they land.
import { mkdtempSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ratioRow, timeInterleaved } from './stats.js';
import { floorRun } from './floor.js';
import { randomUUID } from 'node:crypto';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'socialync.cjs');
const RUNS = Number(process.env.BENCH_RUNS || 10);

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

const hasCompileCache = typeof (await import('node:module')).enableCompileCache === 'function';
const reference = (name, row, base) => ({ ...ratioRow(name, row, base), target: undefined, targetText: 'reference' });

async function startupBench() {
  const home = mkdtempSync(join(tmpdir(), 'socialync-bench-'));
  // The SQLite addon is built for one Node ABI (the install's); under another Node, status cannot
  // open the database, so only the rows that need none are measured.
  const noDatabase = await seedConnections(home, 50).then(
    () => undefined,
    (e) => `the state database does not open under Node ${process.version} (${e.message.split('\n')[0].slice(0, 80)})`,
  );
  // Node start-up options that add work to every process (NODE_EXTRA_CA_CERTS loads a CA bundle:
  // +75 ms here) would inflate the baseline and flatter the ratio: measure without them. The
  // compile cache (Node >= 22.8) lives in a folder of this run, warmed by the first runs.
  const env = { ...process.env, SOCIALYNC_HOME: home, NO_COLOR: '1', XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'socialync-bench-cache-')) };
  for (const k of ['NODE_EXTRA_CA_CERTS', 'NODE_OPTIONS', 'NODE_COMPILE_CACHE', 'NODE_DISABLE_COMPILE_CACHE']) delete env[k];
  const node = process.execPath;
  // The whole CLI (dist/cli.cjs) run as the shim runs it, for what the shim's choices buy.
  const whole = (argv) => `require('node:module').enableCompileCache?.(process.env.XDG_CACHE_HOME + '/socialync/compile-cache'); require(${JSON.stringify(join(ROOT, 'dist', 'cli.cjs'))}).main(${JSON.stringify(argv)}).then((c) => (process.exitCode = c))`;
  const cmds = [[node, '-e', '0'], [node, BIN, '--version'], [node, '-e', whole(['--version'])], [node, BIN, 'exit-codes']];
  if (!noDatabase) cmds.push([node, BIN, 'status'], [node, '-e', whole(['status'])]);
  const runs = cmds.map((argv) => ({ argv, env, codes: [0, 4] }));
  if (!noDatabase) runs.push(await floorRun(node, 'status', env));
  if (!noDatabase && hasCompileCache) runs.push({ argv: [node, BIN, 'status'], env: { ...env, NODE_DISABLE_COMPILE_CACHE: '1' }, codes: [0, 4] });
  const { load, rows: t } = timeInterleaved(runs, RUNS);
  const [base, version, versionWhole, exitCodes, status, statusWhole, ...more] = t;
  const [floor, statusNoCache] = noDatabase ? [] : more;
  const rows = [
    { name: `(load average ${load.toFixed(1)} at the end of the start-up runs)`, value: '', figure: '', targetText: '' },
    ratioRow('socialync --version', version, base, 1.2),
    reference("same, without the shim's shortcut (commander in dist/cli.cjs answers)", versionWhole, base),
    reference("socialync exit-codes (dist/cli.cjs, no database: the whole CLI's start-up)", exitCodes, base),
  ];
  if (noDatabase) rows.push({ name: 'socialync status (50 connections, offline)', value: 'not measured', figure: noDatabase, targetText: '≤ 1.5×' });
  else {
    rows.push(ratioRow('socialync status (50 connections, offline; dist/commands/status.cjs)', status, base, 1.5));
    rows.push(reference('same, through the whole CLI (dist/cli.cjs)', statusWhole, base));
    rows.push(reference('floor: commander + better-sqlite3, one SELECT of the 50 connections, one write (bench/floor-program.cjs)', floor, base));
  }
  if (statusNoCache) rows.push(reference('same as status, NODE_DISABLE_COMPILE_CACHE=1', statusNoCache, base));
  const lines = ['bin/socialync.cjs', 'scripts/build.mjs'].map((f) => readFileSync(join(ROOT, f), 'utf8').split('\n').filter((l, i, a) => i < a.length - 1 || l).length);
  const total = lines[0] + lines[1];
  rows.push({ name: 'start-up code: bin/socialync.cjs + scripts/build.mjs', value: `${total} lines`, figure: `${lines[0]} + ${lines[1]}`, targetText: '≤ 150 lines', ok: total <= 150 });
  return rows;
}

const benches = [['start-up', startupBench]];
for (const [file, fn] of [
  ['refresh.js', 'runRefreshBench'],
  ['publish.js', 'runPublishBench'],
  ['schedule-list.js', 'runScheduleListBench'],
  ['refresh-kill.js', 'runRefreshKillBench'],
  ['burst.js', 'runBurstBench'],
  ['team.js', 'runTeamBench'],
  ['team-refresh.js', 'runTeamRefreshBench'],
]) {
  if (existsSync(join(ROOT, 'bench', file))) benches.push([file, async () => (await import(`./${file}`))[fn]()]);
}

const only = process.argv[2];
console.log(`Node ${process.version}${hasCompileCache ? ' (compile cache on)' : ' (no compile cache)'}, ${RUNS} runs per figure; ratios of medians, wall time (CPU time of the child)\n`);
console.log(`| benchmark | median | baseline | ratio / figure | target |`);
console.log(`|---|---|---|---|---|`);
let failed = false;
for (const [name, fn] of benches) {
  if (only && !name.includes(only)) continue;
  const rows = await fn();
  for (const r of rows) {
    const ok = r.ratio !== undefined && r.target !== undefined ? r.ratio <= r.target : r.ok;
    failed ||= ok === false;
    const fig = r.ratio !== undefined ? `${r.ratio.toFixed(2)}×${r.cpuRatio !== undefined ? ` (CPU ${r.cpuRatio.toFixed(2)}×)` : ''}` : r.figure;
    const base = r.baseline !== undefined ? `${r.baseline.toFixed(1)} ms` : (r.baselineText ?? '');
    const med = r.ms !== undefined ? `${r.ms.toFixed(1)} ms` : (r.value ?? '');
    console.log(`| ${r.name} | ${med} | ${base} | ${fig} | ${r.target !== undefined ? '≤ ' + r.target + '×' : r.targetText ?? ''} ${ok === false ? '(missed)' : ''} |`);
  }
}
process.exitCode = failed ? 1 : 0;
