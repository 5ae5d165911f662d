/**
 * What the start-up work (bin/socialync.cjs, dist/cli.cjs) does for users: a compiled-code
 * cache per command that never breaks a run, output to a pipe that closed early, and --debug
 * stack traces in source terms although the bundle's names are minified.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { BIN, ROOT, cliEnv, runCli } from '../helpers/cli.js';
import { missingPart } from '../helpers/system-part.js';
import { createIO } from '../../src/core/io.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { postStoreFor } from '../../src/store/posts.js';

const tmp = (p: string) => mkdtempSync(join(tmpdir(), p));

describe('compiled-code cache (one per bundle and command)', () => {
  it('is written per command, survives garbage, ignores typos, and drops other builds', async () => {
    const cache = tmp('socialync-cache-');
    const env = cliEnv({ SOCIALYNC_HOME: tmp('socialync-home-'), XDG_CACHE_HOME: cache });
    const dir = join(cache, 'socialync');
    mkdirSync(dir);
    for (const old of ['cli-v0.0.0-1-2-status.v8', 'fast-v0.0.0-1-2-status.v8']) writeFileSync(join(dir, old), 'from an older build');
    const files = () => readdirSync(dir).sort();
    const caches = () => files().filter((f) => f.endsWith('.v8'));

    // status runs in the small bundle (dist/fast.cjs): its cache, and its old build's is gone.
    const first = await runCli(['status'], env);
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/No connections yet/);
    // Keyed by the build's content hash (V8 only checks the source length), not size and mtime.
    const buildId = (bundle: string) => /socialync-build:([0-9a-f]{16})\s*$/.exec(readFileSync(join(ROOT, 'dist', bundle), 'utf8'))![1];
    const statusCache = caches().find((f) => /^fast-.*-status\.v8$/.test(f))!;
    expect(statusCache).toBe(`fast-${process.version}-${buildId('fast.cjs')}-status.v8`);
    expect(caches()).toEqual(['cli-v0.0.0-1-2-status.v8', statusCache]);

    // Other commands run in dist/cli.cjs, whose old build's cache goes when it saves its own.
    expect((await runCli(['exit-codes'], env)).code).toBe(0);
    expect((await runCli(['schedule', 'list'], env)).code).toBe(0);
    const cliCache = caches().find((f) => /^cli-v[1-9].*-exit-codes\.v8$/.test(f))!;
    expect(cliCache).toBe(`cli-${process.version}-${buildId('cli.cjs')}-exit-codes.v8`);
    expect(caches()).toEqual([cliCache, statusCache.replace('-status.v8', '-schedule.v8'), statusCache].sort());

    // A damaged cache costs a normal compile, never the run; it is then rewritten.
    writeFileSync(join(dir, statusCache), 'garbage');
    const again = await runCli(['status'], env);
    expect(again).toEqual(first);
    expect(statSync(join(dir, statusCache)).size).toBeGreaterThan(10_000);

    // A mistyped command is a usage error and leaves no cache file named after it.
    const typo = await runCli(['stauts'], env);
    expect(typo.code).toBe(3);
    expect(files().some((f) => f.includes('stauts'))).toBe(false);

    const off = await runCli(['doctor', '--help'], { ...env, SOCIALYNC_NO_COMPILE_CACHE: '1' });
    expect(off.code).toBe(0);
    expect(files().some((f) => f.includes('-doctor.v8'))).toBe(false);
  });

  it('a cache folder that cannot be made does not stop the command', async () => {
    const blocker = join(tmp('socialync-cache-'), 'file');
    writeFileSync(blocker, 'not a folder');
    const r = await runCli(['status'], cliEnv({ SOCIALYNC_HOME: tmp('socialync-home-'), XDG_CACHE_HOME: blocker }));
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/cannot start|Error/);
  });
});

describe('output to a pipe whose reader is gone', () => {
  it('exits as it would have, with nothing on stderr (like `socialync help exit-codes | true`)', () => {
    const env = cliEnv({ SOCIALYNC_HOME: tmp('socialync-home-') });
    const r = spawnSync('bash', ['-c', '"$0" "$1" exit-codes | (exec 0<&-; sleep 0.2); echo "status=${PIPESTATUS[0]}"', process.execPath, BIN], { env, encoding: 'utf8' });
    expect(r.stdout.trim()).toBe('status=0');
    expect(r.stderr).toBe('');
  });
});

describe('output to a full pipe left in non-blocking mode by another program', () => {
  it('waits for the reader: the whole listing arrives, and the banner (stderr, same pipe) after it', async (ctx) => {
    // python3 (also needed by node-gyp; .ci/run checks for it) sets O_NONBLOCK on the pipe.
    if (spawnSync('python3', ['-c', '0']).status !== 0) {
      ctx.skip(missingPart('python3 is not installed (apt-get install python3)'));
    }
    const home = tmp('socialync-home-');
    const store = openSqliteStore(join(home, 'state.db'));
    const posts = postStoreFor(store);
    const now = Date.now();
    for (let i = 0; i < 3000; i++) {
      await posts.createPost({ text: `post ${i} ${'x'.repeat(60)}`, options: {}, overrides: {}, scheduledAt: now + i * 60_000, tz: 'UTC', localTime: '', media: [], targets: [{ platform: 'x', connectionId: 'c1' }] }, now);
    }
    await store.insertConnection(
      { id: 'c1', platform: 'x', name: 'brand', accountId: '1', username: null, displayName: null, accountType: null, scopes: [], accessExpiresAt: null, refreshExpiresAt: null,
        refreshExpiresEstimated: false, dataAccessExpiresAt: null, tokenObtainedAt: null, lastRefreshAt: null, health: 'needs_reconnect', reason: 'password_changed', reasonDetail: null, meta: {} },
      now,
    );
    await store.close();
    // python3 sets O_NONBLOCK on the shared pipe (as some programs leave it); the reader starts late.
    const nonblock = 'import fcntl, os; fcntl.fcntl(1, fcntl.F_SETFL, fcntl.fcntl(1, fcntl.F_GETFL) | os.O_NONBLOCK)';
    const r = spawnSync('bash', ['-c', '(python3 -c "$2"; "$0" "$1" schedule list --all) 2>&1 | (sleep 0.5; cat)', process.execPath, BIN, nonblock], {
      env: cliEnv({ SOCIALYNC_HOME: home }),
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3001);
    expect(lines.slice(0, 3000).map((l) => Number(l.split('\t')[0]))).toEqual(Array.from({ length: 3000 }, (_, i) => i + 1));
    expect(lines[3000]).toMatch(/^! 1 connection needs a reconnect \(x\/brand\)/);
  });
});

describe('--debug stack traces of the bundled CLI', () => {
  it('name src/ files, lines and columns, not positions in the minified bundle', async () => {
    const bundle = join(ROOT, 'dist', 'cli.cjs');
    expect(existsSync(`${bundle}.map`)).toBe(true);
    const cli = createRequire(import.meta.url)(bundle) as { main: (argv: string[], over: object) => Promise<number> };
    const err = new PassThrough();
    const io = createIO({ stdin: new PassThrough(), stdout: new PassThrough(), stderr: err, env: { NO_COLOR: '1' } });
    // A store that answers nonsense makes the status command itself fail with a TypeError.
    const store = async () => ({ listConnections: async () => null, close: async () => undefined });
    const code = await cli.main(['status', '--debug'], { io, env: { SOCIALYNC_HOME: tmp('socialync-home-') }, store });
    const text = String(err.read());
    expect(code).toBe(1);
    expect(text).toMatch(/this is a bug in socialync/);
    expect(text).toMatch(/\[debug\] TypeError/);
    expect(text).toMatch(/src\/commands\/status\.ts:\d+:\d+/);
    expect(text).not.toMatch(/dist\/cli\.cjs:\d+/);
  });
});
