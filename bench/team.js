// Benchmark: team mode. Publisher processes with separate homes (standing in for machines)
// share one PostgreSQL (a real server in a temporary data directory) and publish the same
// queue of due targets (text posts to X and LinkedIn) to the sandbox, behind a proxy that adds
// a fixed latency to every platform call (platforms answer in tens to hundreds of ms; the local
// sandbox in under one). Measured in the same run:
// - one publisher over the whole queue, then 4 at once: 0 duplicates, throughput ratio (target ≥ 3×);
// - 4 at once, one killed with SIGKILL mid-run: the targets it held are finished by the others
//   within one claim lease (publish.claimTtlMs), 0 duplicates.
// The queue is spread over ACCOUNTS accounts per platform (the per-account limit holds across
// machines, so two accounts would allow two uploads at a time however many machines publish), and
// each "machine" has the same capacity, PER_MACHINE uploads at once (publish.concurrency): the four
// processes share this VM's two cores, which would otherwise cap four machines at what one gets.
// As root, each publisher runs in its own UTS namespace with its own host name (unshare --uts), so
// a killed one is another machine's dead process, known only when its lease ends; otherwise they
// share this host's name and a dead one is recognised at once (src/auth/owner.ts).
//
//   node bench/team.js [--targets 2000] [--latency 100]
//
// bench/run.js calls runTeamBench() and prints its rows with the others.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'socialync.cjs');
const PLATFORMS = ['x', 'linkedin'];
const ACCOUNTS = 20;
const PER_MACHINE = 4;
const LEASE_MS = 5000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A reverse proxy to `origin` that holds every request `ms` before forwarding it. */
async function delayingProxy(origin, ms) {
  const to = new URL(origin);
  const server = createServer((req, res) => {
    setTimeout(() => {
      const up = request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: { ...req.headers, host: to.host } }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', () => res.destroy());
      req.pipe(up);
    }, ms);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { origin: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

/** Every URL in the profile's endpoints that points at the sandbox goes through a delaying proxy. */
async function proxied(home, sandbox, ms) {
  const file = join(home, 'config.json');
  const cfg = JSON.parse(readFileSync(file, 'utf8'));
  const proxies = new Map();
  let text = JSON.stringify(cfg.endpoints);
  for (const origin of new Set(Object.values(sandbox.origins))) {
    const p = await delayingProxy(origin, ms);
    proxies.set(origin, p);
    text = text.split(origin).join(p.origin);
  }
  cfg.endpoints = JSON.parse(text);
  cfg.publish = { claimTtlMs: LEASE_MS, concurrency: PER_MACHINE, maxAttempts: 5, backoffBaseMs: 200, backoffMaxMs: 1000, pollIntervalMs: 200 };
  writeFileSync(file, JSON.stringify(cfg, null, 2), { mode: 0o600 });
  return () => Promise.all([...proxies.values()].map((p) => p.close()));
}

/** Whether publishers can run under host names of their own (root, and unshare works here). */
const ownHostNames = () => process.getuid?.() === 0 && spawnSync('unshare', ['--uts', 'hostname', 'socialync-bench'], { stdio: 'ignore' }).status === 0;

function publisher(home, url, host) {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, SOCIALYNC_HOME: home, SOCIALYNC_DATABASE_URL: url, NO_COLOR: '1', ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}) };
  // The daemon, as a team runs it: every tick reads the due targets again, so a claim left by a
  // dead machine is taken at the first tick after its lease ends (or at once, when its holder is
  // known dead: a process of this host that no longer exists). `exec` keeps the pid the daemon's.
  const daemon = [process.execPath, BIN, 'daemon', '--no-refresh'];
  const argv = host ? ['unshare', '--uts', 'sh', '-c', `hostname ${host} && exec "$@"`, 'sh', ...daemon] : daemon;
  const child = spawn(argv[0], argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const done = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, out, err })));
  return { child, done };
}

/** A fresh database with `n` due targets (n/2 posts to X and LinkedIn, unique texts, round-robin over the accounts). */
async function queue(k, server, conns, n, label) {
  const url = await server.createDatabase(`team_${label}`);
  const store = await k.openPostgresStore(url);
  const posts = k.postStoreFor(store);
  const now = Date.now();
  for (let i = 0; i < n / PLATFORMS.length; i++) {
    await posts.createPost(
      { text: `team bench ${label} ${i}`, options: {}, overrides: {}, scheduledAt: now - 1000, tz: 'UTC', localTime: '', media: [], targets: PLATFORMS.map((p) => ({ platform: p, connectionId: conns[p][i % conns[p].length] })) },
      now,
    );
  }
  return { url, store, posts };
}

/** Posts the sandbox received for `label`, and how many of them repeat a text. */
async function received(sandbox, label) {
  let total = 0;
  let duplicates = 0;
  for (const p of PLATFORMS) {
    const res = await fetch(`${sandbox.origins[p]}/__publish/v1/posts`);
    const texts = ((await res.json()).posts ?? []).map((x) => x.text).filter((t) => t?.startsWith(`team bench ${label} `));
    total += texts.length;
    duplicates += texts.length - new Set(texts).size;
  }
  return { total, duplicates };
}

async function states(store) {
  const r = await store.pool.query('SELECT state, count(*) AS n FROM targets GROUP BY state');
  return Object.fromEntries(r.rows.map((x) => [x.state, Number(x.n)]));
}

/** Polls until no target is scheduled or publishing; returns when that happened (ms since epoch). */
async function drained(store, deadline) {
  for (;;) {
    const s = await states(store);
    if (!(s.scheduled ?? 0) && !(s.publishing ?? 0)) return Date.now();
    if (Date.now() > deadline) throw new Error(`targets left after the deadline: ${JSON.stringify(s)}`);
    await sleep(50);
  }
}

async function stop(runs) {
  for (const r of runs) r.child.kill('SIGTERM');
  return Promise.all(runs.map((r) => r.done));
}

async function runPublishers(homes, q, hosts) {
  const t0 = Date.now();
  const runs = homes.map((h, i) => publisher(h, q.url, hosts?.[i]));
  const end = await drained(q.store, t0 + 30 * 60_000);
  await stop(runs);
  return { ms: end - t0 };
}

/** 4 publishers; one holding claims is killed once a third of the queue is published. */
async function killRun(homes, q, n, hosts) {
  const runs = homes.map((h, i) => publisher(h, q.url, hosts?.[i]));
  const victim = runs[0];
  for (;;) {
    await sleep(20);
    const s = await states(q.store);
    if ((s.published ?? 0) < n / 3) continue;
    const r = await q.store.pool.query(`SELECT id, claim_expires_at FROM targets WHERE state = 'publishing' AND claimed_by LIKE $1`, [`%/${victim.child.pid}/%`]);
    if (!r.rows.length) continue;
    victim.child.kill('SIGKILL');
    const killedAt = Date.now();
    const held = r.rows.map((x) => Number(x.id));
    // Its claims, and the account slots it held (src/publish/account-lease.ts), end when their leases
    // run out (each renewed every third of it on its own timer): read just before the kill.
    const slots = await q.store.pool.query(`SELECT expires_at FROM locks WHERE owner LIKE $1`, [`%/${victim.child.pid}/%`]);
    const leaseEndMs = Math.max(...r.rows.map((x) => Number(x.claim_expires_at)), ...slots.rows.map((x) => Number(x.expires_at))) - killedAt;
    await drained(q.store, killedAt + 30 * 60_000);
    await stop(runs.slice(1));
    // Settled: published, or unconfirmed when the platform cannot tell whether the dead holder's request
    // arrived (LinkedIn lets no app list a person's posts: docs/platforms/linkedin.md#reconcile).
    const ends = await q.store.pool.query('SELECT platform, state, COALESCE(published_at, updated_at) AS settled_at FROM targets WHERE id = ANY($1)', [held]);
    const finishedMs = Math.max(...ends.rows.map((x) => Number(x.settled_at) - killedAt));
    const victimStates = ends.rows.map((x) => `${x.platform} ${x.state}`).sort().join(', ');
    return { held: held.length, finishedMs, leaseEndMs, victimStates, allDone: ends.rows.every((x) => x.state === 'published' || x.state === 'unconfirmed'), states: await states(q.store) };
  }
}

export async function runTeamBench(o = {}) {
  const n = o.targets ?? 2000;
  const latency = o.latency ?? 100;
  const k = await import(join(ROOT, 'dist', 'testkit.js'));
  const quiet = (env) => k.createDeps({ io: k.createIO({ stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), env: {} }), env });
  const loadAtStart = loadavg()[0];
  const server = await k.startPostgres();
  if (typeof server === 'string') throw new Error(server);
  const sandbox = await k.startSandbox({ platforms: PLATFORMS, demo: false, rateLimits: false }); // not demo: each seeded name is its own sandbox account
  const base = mkdtempSync(join(tmpdir(), 'socialync-bench-team-'));
  const cleanups = [];
  try {
    // One profile made against the shared database (connections in PostgreSQL, tokens in its
    // vault), then copied into 4 homes: each "machine" has its own home, config and vault.
    const setupUrl = await server.createDatabase('team_setup');
    const profile = await k.makeSandboxProfile(quiet({ PATH: process.env.PATH }), sandbox, join(base, 'home0'));
    cleanups.push(await proxied(profile.dir, sandbox, latency));
    const deps = quiet({ SOCIALYNC_HOME: profile.dir, SOCIALYNC_DATABASE_URL: setupUrl });
    const conns = {};
    for (const p of PLATFORMS) conns[p] = (await k.seedConnections(deps, p, ACCOUNTS)).map((c) => c.id);
    const connRows = await (await deps.store()).listConnections();
    await deps.close();
    const homes = [profile.dir];
    for (let i = 1; i < 4; i++) (cpSync(profile.dir, join(base, `home${i}`), { recursive: true }), homes.push(join(base, `home${i}`)));
    const withConns = async (label) => {
      const q = await queue(k, server, conns, n, label);
      for (const c of connRows) await q.store.insertConnection(c, Date.now());
      return q;
    };

    const hosts = ownHostNames() ? homes.map((_, i) => `socialync-machine-${i + 1}`) : undefined;
    const one = await withConns('one');
    const single = await runPublishers([homes[0]], one, hosts);
    const oneGot = await received(sandbox, 'one');
    const four = await withConns('four');
    const multi = await runPublishers(homes, four, hosts);
    const fourGot = await received(sandbox, 'four');
    const kill = await withConns('kill');
    const killed = await killRun(homes, kill, n, hosts);
    const killGot = await received(sandbox, 'kill');
    for (const q of [one, four, kill]) await q.store.close();

    const rate = (ms) => n / (ms / 1000);
    const ratio = rate(multi.ms) / rate(single.ms);
    const dup = oneGot.duplicates + fourGot.duplicates;
    return [
      {
        name: `team: 4 publisher processes (${PER_MACHINE} uploads at once each), one PostgreSQL, ${n} due targets over ${ACCOUNTS} X and ${ACCOUNTS} LinkedIn accounts (sandbox + ${latency} ms a call): throughput vs 1 publisher`,
        value: `${rate(multi.ms).toFixed(1)} targets/s`,
        baselineText: `${rate(single.ms).toFixed(1)} targets/s`,
        figure: `${ratio.toFixed(2)}×`,
        ok: ratio >= 3,
        targetText: '≥ 3×',
      },
      {
        name: `team: duplicates (1 and 4 publishers; posts received ${oneGot.total} and ${fourGot.total} of ${n} each)`,
        value: String(dup),
        figure: String(dup),
        ok: dup === 0 && oneGot.total === n && fourGot.total === n,
        targetText: '0',
      },
      {
        name: `team: kill -9 of 1 of 4 publishers (${hosts ? 'each under its own host name: the dead one is known only when its lease ends' : 'one host name: the dead one is known at once'}) holding ${killed.held} claims: its targets finished after the kill (lease ${LEASE_MS} ms); duplicates; received ${killGot.total} of ${n}`,
        value: `${killed.finishedMs} ms, ${killGot.duplicates} duplicates; its targets: ${killed.victimStates}; all targets by state ${JSON.stringify(killed.states)}`,
        figure: `${killed.finishedMs} ms / ${killGot.duplicates}`,
        ok: killed.allDone && killed.finishedMs <= LEASE_MS && killGot.duplicates === 0 && killGot.total + (killed.states.unconfirmed ?? 0) >= n,
        targetText: `≤ ${LEASE_MS} ms / 0`,
      },
      {
        // A claim is never taken before its lease ends (the holder may be alive but cut off from the
        // database, still uploading until its next renewal fails): what a takeover can promise is to
        // start when the lease ends. That end comes up to one lease after the kill.
        name: `team: same run: the last of its leases (claims, account slots) ended ${killed.leaseEndMs} ms after the kill; its targets finished … after that`,
        value: `${killed.finishedMs - killed.leaseEndMs} ms`,
        figure: `${killed.finishedMs - killed.leaseEndMs} ms`,
        targetText: 'reference',
      },
      // The 1-minute load average: on a 2-core machine shared with other work, rates and delays depend on it.
      { name: `team: (load average ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end)`, value: '', figure: '', targetText: '' },
    ];
  } finally {
    for (const c of cleanups) await c();
    await sandbox.close();
    await server.stop();
    rmSync(base, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (name, def) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : def);
  for (const r of await runTeamBench({ targets: arg('--targets', 2000), latency: arg('--latency', 100) })) {
    console.log(`${r.name}: ${r.value}${r.baselineText ? ` vs ${r.baselineText}` : ''} = ${r.figure} (target ${r.targetText}) ${r.ok ? 'ok' : 'MISSED'}`);
  }
}
