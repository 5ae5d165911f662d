import { describe, expect, it, beforeAll } from 'vitest';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fastPlan, main as fastMain } from './fast.js';
import { systemClock, DAY, HOUR } from './core/clock.js';
import { openSqliteStore } from './store/sqlite.js';
import { postStoreFor } from './store/posts.js';
import { makeTestDeps } from '../test/helpers/deps.js';

const NOW = Date.parse('2026-11-26T12:00:00Z');
const home = mkdtempSync(join(tmpdir(), 'socialync-fast-'));
const env = { SOCIALYNC_VAULT_KEY: randomBytes(32).toString('hex') };

beforeAll(async () => {
  const store = openSqliteStore(join(home, 'state.db'));
  const rows = [
    ['tiktok', 'creator', 'healthy', 200 * DAY],
    ['x', 'brand', 'healthy', 5 * DAY],
    ['instagram', 'shop', 'needs_reconnect', 30 * DAY],
  ] as const;
  for (const [i, [platform, name, health, left]] of rows.entries()) {
    await store.insertConnection(
      {
        id: `c${i}`, platform, name, accountId: String(100 + i), username: name, displayName: name, accountType: null, scopes: ['a'],
        accessExpiresAt: NOW + HOUR, refreshExpiresAt: NOW + left, refreshExpiresEstimated: platform === 'x', dataAccessExpiresAt: null,
        tokenObtainedAt: NOW - DAY, lastRefreshAt: NOW - HOUR, health, reason: health === 'healthy' ? null : 'password_changed', reasonDetail: null, meta: {},
      },
      NOW,
    );
  }
  const posts = postStoreFor(store);
  for (let i = 0; i < 4; i++) {
    const id = await posts.createPost(
      { text: `post ${i}\twith a tab`, options: {}, overrides: {}, scheduledAt: NOW + i * HOUR, tz: 'Europe/Berlin', localTime: '2026-11-26 13:00', media: [],
        targets: [{ platform: 'tiktok', connectionId: 'c0' }, { platform: 'x', connectionId: 'c1' }] },
      NOW,
    );
    if (i === 1) await posts.updateTarget((await posts.targets(id))[0]!.id, null, { state: 'failed' }, NOW);
  }
  await store.close();
});

/** The same argv through the full CLI (commander) and through fast.ts, on the same data. */
async function both(argv: string[], tty: boolean) {
  const clock = { ...systemClock, now: () => NOW };
  // Each path on its own copy of the data: a run may write (the banner's once-a-day markers).
  const copy = () => {
    const dir = mkdtempSync(join(tmpdir(), 'socialync-fast-run-'));
    cpSync(home, dir, { recursive: true });
    return dir;
  };
  const full = makeTestDeps({ home: copy(), env, tty, over: { clock } });
  const fullCode = await full.run(argv);
  const fast = makeTestDeps({ home: copy(), env, tty, over: { clock } });
  const fastCode = await fastMain(argv, fast.deps);
  return {
    full: { code: fullCode, stdout: full.stdout(), stderr: full.stderr().replaceAll(full.home, '<home>') },
    fast: { code: fastCode, stdout: fast.stdout(), stderr: fast.stderr().replaceAll(fast.home, '<home>') },
  };
}

describe('fast path (dist/fast.cjs) — same results as the full CLI', () => {
  const accepted = [
    ['status'],
    ['status', '--json'],
    ['status', 'tiktok'],
    ['status', 'x', '--json'],
    ['status', 'nosuch'],
    ['--debug', 'status'],
    ['status', '-q'],
    ['-v', 'status', '--json'],
    ['schedule', 'list'],
    ['schedule', 'list', '--json'],
    ['schedule', 'list', '--all'],
    ['schedule', 'list', '--all', '--json'],
    ['schedule', 'list', '--status', 'failed', '--all'],
    ['schedule', 'list', '--status', 'failed'],
    ['schedule', 'list', '--status=scheduled', '--json'],
    ['schedule', 'list', '--status', 'bogus'],
    ['-q', 'schedule', 'list'],
    ['schedule', '--verbose', 'list'],
    // Words that are names of Object.prototype members are words like any other.
    ['status', 'constructor'],
    ['status', 'toString', '--json'],
  ];
  for (const tty of [false, true]) {
    for (const argv of accepted) {
      it(`${tty ? 'terminal' : 'pipe'}: socialync ${argv.join(' ')}`, async () => {
        expect(fastPlan(argv)).toBeDefined();
        const { full, fast } = await both(argv, tty);
        expect(fast).toEqual(full);
        expect(full.stdout + full.stderr).not.toBe('');
      });
    }
  }

  it('declines, doing nothing, whatever it does not handle exactly (the full CLI runs it)', async () => {
    const declined = [
      [], ['--help'], ['-h'], ['--version'], ['status', '--help'], ['status', '--status', 'failed'], ['status', 'x', 'y'],
      ['schedule'], ['schedule', 'add'], ['schedule', 'list', 'extra'], ['schedule', 'list', '--status'], ['schedule', 'list', '--status', '--json'],
      ['schedule', 'list', '--json', '--json'], ['schedule', 'list', '--all', '--all'], ['status', '--all'], ['status', '--'], ['-qv', 'status'], ['status', '--json=1'], ['status', '--plain'], ['refresh'],
      // Options before their command: commander rejects them, so the full CLI must answer.
      ['--json', 'status'], ['schedule', '--json', 'list'], ['--json', 'schedule', 'list'], ['schedule', '--status', 'failed', 'list'], ['schedule', 'list', 'toString'],
    ];
    for (const argv of declined) {
      expect(fastPlan(argv), argv.join(' ')).toBeUndefined();
      const t = makeTestDeps({ home, env });
      expect(await fastMain(argv, t.deps), argv.join(' ')).toBeUndefined();
      expect(t.stdout() + t.stderr()).toBe('');
    }
  });
});
