/**
 * What the start-up work (bin/socialync.cjs, dist/cli.cjs, dist/commands/) does for users:
 * `status` and `schedule list` run from bundles of their own that answer as the whole CLI
 * does, Node's compiled-code cache in the user's cache folder (damaged content:
 * test/e2e/faults/compile-cache.test.ts), output to a pipe that closed early or is full,
 * output that cannot be written, and --debug stack traces in source terms although the
 * bundles' names are minified.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { BIN, ROOT, cliEnv, runCli } from '../helpers/cli.js';
import { missingPart } from '../helpers/system-part.js';
import { createIO } from '../../src/core/io.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { postStoreFor } from '../../src/store/posts.js';
import { seedListPosts } from '../helpers/list-posts.js';

const tmp = (p: string) => mkdtempSync(join(tmpdir(), p));

const hasCompileCache = typeof (nodeModule as { enableCompileCache?: unknown }).enableCompileCache === 'function';
const cacheFiles = (dir: string) => (existsSync(dir) ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()) : []);

/** The bundles (dist/...) a run of the built binary loaded, from Node's own module log. */
const loadedBundles = (stderr: string) => [...new Set([...stderr.matchAll(/load "[^"]*\/(dist\/[^"]+\.cjs)"/g)].map((m) => m[1]))];

describe('status and schedule list run from bundles of their own', () => {
  // The whole CLI, run in a process of its own, as the shim would run it for any other command.
  const wholeCli = (argv: string[], env: NodeJS.ProcessEnv) => {
    const code = `require(${JSON.stringify(join(ROOT, 'dist', 'cli.cjs'))}).main(${JSON.stringify(argv)}).then((c) => (process.exitCode = c))`;
    const r = spawnSync(process.execPath, ['-e', code], { env, encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it('each loads only its own bundle, and answers byte for byte as the whole CLI (output, usage errors, help)', async () => {
    const home = tmp('socialync-home-');
    await seedListPosts(home, Date.now());
    const env = cliEnv({ SOCIALYNC_HOME: home, TZ: 'UTC' });
    const cases: [string[], string][] = [
      [['status'], 'dist/commands/status.cjs'],
      [['status', '--json'], 'dist/commands/status.cjs'],
      [['--quiet', 'status', 'tiktok'], 'dist/commands/status.cjs'],
      [['status', 'myspace'], 'dist/commands/status.cjs'],
      [['status', '--bogus'], 'dist/commands/status.cjs'],
      [['status', '--help'], 'dist/commands/status.cjs'],
      [['schedule', 'list'], 'dist/commands/schedule-list.cjs'],
      [['schedule', 'list', '--all', '--status', 'failed'], 'dist/commands/schedule-list.cjs'],
      [['schedule', 'list', '--json', '--limit', '2'], 'dist/commands/schedule-list.cjs'],
      [['schedule', 'list', '--limit', 'many'], 'dist/commands/schedule-list.cjs'],
      [['schedule', 'lst'], 'dist/cli.cjs'],
      [['exit-codes'], 'dist/cli.cjs'],
    ];
    for (const [argv, bundle] of cases) {
      const own = await runCli(argv, { ...env, NODE_DEBUG: 'module' });
      expect(loadedBundles(own.stderr), argv.join(' ')).toEqual([bundle]);
      const r = await runCli(argv, env);
      expect(r, argv.join(' ')).toEqual(wholeCli(argv, env));
    }
  });
});

describe(`compiled-code cache (Node's own, ${process.version})`, () => {
  // Without the runner's own compile-cache settings, then with the test's.
  const env = (extra: Record<string, string>) => {
    const e = cliEnv({ SOCIALYNC_HOME: tmp('socialync-home-') });
    delete e.NODE_COMPILE_CACHE;
    delete e.NODE_DISABLE_COMPILE_CACHE;
    return { ...e, ...extra };
  };

  it(hasCompileCache ? 'lives in $XDG_CACHE_HOME/socialync/compile-cache; NODE_DISABLE_COMPILE_CACHE=1 turns it off' : 'is none on Node 20: nothing is written', async () => {
    const cache = tmp('socialync-cache-');
    const r = await runCli(['status'], env({ XDG_CACHE_HOME: cache }));
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/No connections yet/);
    expect(cacheFiles(join(cache, 'socialync', 'compile-cache')).length > 0).toBe(hasCompileCache);
    expect(readdirSync(cache).filter((f) => f !== 'socialync')).toEqual([]);

    const off = tmp('socialync-cache-');
    expect((await runCli(['status'], env({ XDG_CACHE_HOME: off, NODE_DISABLE_COMPILE_CACHE: '1' }))).code).toBe(0);
    expect(cacheFiles(off)).toEqual([]);
  });

  it('a cache folder that cannot be made does not stop the command', async () => {
    const blocker = join(tmp('socialync-cache-'), 'file');
    writeFileSync(blocker, 'not a folder');
    const r = await runCli(['status'], env({ XDG_CACHE_HOME: blocker }));
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/cannot start|Error/);
  });
});

describe('output that cannot be written', () => {
  it('a full disk on stdout is a clear error, exit 1 (`status --json > /dev/full`)', async (ctx) => {
    if (!existsSync('/dev/full')) ctx.skip(missingPart('no /dev/full on this system'));
    const env = cliEnv({ SOCIALYNC_HOME: tmp('socialync-home-') });
    const r = spawnSync('bash', ['-c', '"$0" "$1" status --json > /dev/full', process.execPath, BIN], { env, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('error: cannot write the output (ENOSPC)\n  check where it goes: a full disk, a removed file or a broken device\n');
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
  it.each(['cli.cjs', 'commands/status.cjs'])('name src/ files, lines and columns, not positions in the minified bundle (dist/%s)', async (name) => {
    const bundle = join(ROOT, 'dist', name);
    expect(existsSync(`${bundle}.map`)).toBe(true);
    const cli = nodeModule.createRequire(import.meta.url)(bundle) as { main: (argv: string[], over: object) => Promise<number> };
    const err = new PassThrough();
    const io = createIO({ stdin: new PassThrough(), stdout: new PassThrough(), stderr: err, env: { NO_COLOR: '1' } });
    // A store that answers nonsense makes the status command itself fail with a TypeError.
    const store = async () => ({ listConnections: async () => null, close: async () => undefined });
    const code = await cli.main(['status', '--debug'], { io, env: { SOCIALYNC_HOME: tmp('socialync-home-') }, store });
    const text = String(err.read());
    expect(code).toBe(1);
    expect(text).toMatch(/this is a bug in socialync/);
    expect(text).toMatch(/\[debug\] TypeError/);
    expect(text).toMatch(/\(src\/commands\/status\.ts:\d+:\d+\)/);
    expect(text).not.toMatch(/dist\/[a-z/-]+\.cjs:\d+/);
  });
});
