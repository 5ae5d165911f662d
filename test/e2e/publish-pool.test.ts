/**
 * The publishing pool (issue 14) through the built CLI against the sandbox, with latency on every
 * call so that calls overlap:
 * - targets of several accounts go out at once, but never two calls of one account at once (the
 *   sandbox counts calls in flight per account); with publish.perAccount.x 3 it sees overlaps, so
 *   the observation can fail;
 * - a 429 with Retry-After pauses that account only, for the time given;
 * - two publisher processes over one queue, each with its pool: zero duplicates;
 * - schedule add and schedule edit warn when a quota known ahead would be exceeded (just under, at, over).
 * Run `npm run build` first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runCli } from '../helpers/cli.js';
import { sandboxPosts, seedPublishConnection, startPublishProfile, type PublishProfile } from '../helpers/publish-sandbox.js';
import { runScheduleAdd } from '../../src/commands/schedule-add.js';
import { postStoreFor } from '../../src/store/posts.js';
import type { PlatformId } from '../../src/providers/types.js';

let pp: PublishProfile;
let env: NodeJS.ProcessEnv;
const PLATFORMS: PlatformId[] = ['x', 'linkedin'];

beforeAll(async () => {
  pp = await startPublishProfile({ platforms: PLATFORMS, publish: { claimTtlMs: 5000 }, sandbox: { callLatencyMs: 40, demo: false } }); // not demo: alice and bob are two sandbox accounts
  for (const p of PLATFORMS) await seedPublishConnection(pp.deps, p, 'bob');
  env = cliEnv(pp.env);
}, 60_000);
afterAll(async () => pp?.close());

interface Entry {
  targetId: number;
  account: string;
  platform: string;
  outcome: string;
  errorClass: string | null;
  nextAttemptAt: string | null;
}

async function schedule(label: string, n: number, to: string[]): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) ids.push((await runScheduleAdd(pp.deps, { to: to[i % to.length]!, at: 'now', text: `${label} ${i}` })).id);
  return ids;
}

async function publish(): Promise<Entry[]> {
  const r = await runCli(['publish', '--json'], env);
  return (JSON.parse(r.stdout) as { results: Entry[] }).results;
}

const stats = (p: PlatformId) => pp.sandbox.control.platform(p).stats();

async function duplicates(label: string): Promise<string[]> {
  const out: string[] = [];
  for (const p of PLATFORMS) {
    const seen = new Map<string, number>();
    for (const post of await sandboxPosts(pp.sandbox, p)) if (post.text.startsWith(label)) seen.set(post.text, (seen.get(post.text) ?? 0) + 1);
    for (const [text, n] of seen) if (n > 1) out.push(`${p}: "${text}" x${n}`);
  }
  return out;
}

describe('publishing pool (built CLI, sandbox with latency)', () => {
  it('publishes several accounts at once, never two calls of one account at once', async () => {
    await schedule('pool', 16, ['x:alice', 'x:bob', 'linkedin:alice', 'linkedin:bob']);
    const before = PLATFORMS.map((p) => stats(p).accountOverlaps ?? 0);
    const results = await publish();
    expect(results.filter((r) => r.outcome === 'published')).toHaveLength(16);
    for (const [i, p] of PLATFORMS.entries()) {
      expect(stats(p).maxCallsInFlight, p).toBeGreaterThanOrEqual(2); // two accounts at once
      expect(stats(p).accountOverlaps ?? 0, p).toBe(before[i]);
    }
    expect(stats('x').maxCallsInFlightPerAccount).toBe(1);
  }, 60_000);

  it('the sandbox sees overlapping calls of one account when the per-account limit allows them', async () => {
    const set = await runCli(['config', 'set', 'publish.perAccount.x', '3'], env);
    expect(set.code).toBe(0);
    try {
      const before = stats('x').accountOverlaps ?? 0;
      await schedule('overlap', 6, ['x:alice']);
      expect((await publish()).filter((r) => r.outcome === 'published')).toHaveLength(6);
      expect(stats('x').accountOverlaps ?? 0).toBeGreaterThan(before);
    } finally {
      await runCli(['config', 'unset', 'publish.perAccount.x'], env);
    }
  }, 60_000);

  it('a 429 with Retry-After pauses that account for the time given; the other account goes on', async () => {
    pp.sandbox.control.platform('x').fault({ path: '/2/tweets', method: 'POST', status: 429, headers: { 'retry-after': '2' }, body: { title: 'Too Many Requests', detail: 'Too Many Requests', type: 'about:blank', status: 429 } });
    await schedule('limited', 6, ['x:alice', 'x:bob']);
    const results = await publish();
    const limited = results.filter((r) => r.outcome === 'retry_scheduled');
    expect(limited).toHaveLength(1);
    expect(limited[0]!.errorClass).toBe('rate_limited');
    const resumeAt = Date.parse(limited[0]!.nextAttemptAt!);
    const posts = (await sandboxPosts(pp.sandbox, 'x')).filter((p) => p.text.startsWith('limited')) as unknown as { account: string; createdAt: number }[];
    const paused = posts.filter((p) => p.account === limited[0]!.account);
    const other = posts.filter((p) => p.account !== limited[0]!.account);
    expect(other).toHaveLength(3);
    expect(paused).toHaveLength(2); // its other targets waited within the run (2 s < publish.maxPauseWaitMs)
    for (const p of paused) expect(p.createdAt).toBeGreaterThanOrEqual(resumeAt - 50);
    for (const p of other) expect(p.createdAt).toBeLessThan(resumeAt - 1000);
    await new Promise((r) => setTimeout(r, Math.max(0, resumeAt - Date.now() + 100)));
    expect((await publish()).map((r) => r.outcome)).toEqual(['published']);
    expect(await duplicates('limited')).toEqual([]);
  }, 60_000);

  it('two publisher processes over one queue, each with its pool: every target published exactly once', async () => {
    const ids = await schedule('two pools', 40, ['x:alice', 'x:bob', 'linkedin:alice', 'linkedin:bob']);
    const before = PLATFORMS.map((p) => stats(p).accountOverlaps ?? 0);
    const [a, b] = await Promise.all([publish(), publish()]);
    // The per-account limit holds across the processes (account leases in the state store).
    for (const [i, p] of PLATFORMS.entries()) expect(stats(p).accountOverlaps ?? 0, p).toBe(before[i]);
    expect(stats('linkedin').maxCallsInFlightPerAccount).toBe(1);
    const published = [...a, ...b].filter((r) => r.outcome === 'published').map((r) => r.targetId);
    expect(new Set(published).size).toBe(published.length);
    const posts = postStoreFor(await pp.deps.store());
    const targets = (await Promise.all(ids.map((id) => posts.targets(id)))).flat();
    expect(targets.every((t) => t.state === 'published')).toBe(true);
    expect(published).toHaveLength(40);
    expect(await duplicates('two pools')).toEqual([]);
  }, 90_000);

  it('publish.perAccount.linkedin 2 with two processes: at most two calls of one account at once, over both', async () => {
    expect((await runCli(['config', 'set', 'publish.perAccount.linkedin', '2'], env)).code).toBe(0);
    try {
      const before = stats('linkedin').accountOverlaps ?? 0;
      await schedule('two slots', 16, ['linkedin:alice']);
      const [a, b] = await Promise.all([publish(), publish()]);
      expect([...a, ...b].filter((r) => r.outcome === 'published')).toHaveLength(16);
      expect(stats('linkedin').accountOverlaps ?? 0).toBeGreaterThan(before); // two slots were used
      expect(stats('linkedin').maxCallsInFlightPerAccount).toBe(2); // each process alone would allow 2: 4 without the leases
      expect(await duplicates('two slots')).toEqual([]);
    } finally {
      await runCli(['config', 'unset', 'publish.perAccount.linkedin'], env);
    }
  }, 90_000);

  it('schedule add warns when X posts of one account would exceed the per-user 15-minute limit: under, at, over', async () => {
    expect((await runCli(['config', 'set', 'quota.x.postsPer15Min', '2'], env)).code).toBe(0);
    try {
      const add = (i: number) => runCli(['schedule', 'add', '--to', 'x:bob', '--at', '2030-01-15 09:0' + i, '--tz', 'UTC', '--text', `quota ${i}`, '--json'], env);
      const first = await add(1);
      const second = await add(2);
      expect(JSON.parse(first.stdout).warnings).toEqual([]);
      expect(JSON.parse(second.stdout).warnings).toEqual([]); // 2 of 2: at the limit
      const third = await add(3);
      const w = JSON.parse(third.stdout).warnings;
      expect(w).toHaveLength(1);
      expect(w[0]).toMatchObject({ platform: 'x', account: 'bob', day: '2030-01-15', count: 3, limit: 2, setting: 'quota.x.postsPer15Min' });
      const plain = await runCli(['schedule', 'add', '--to', 'x:bob', '--at', '2030-01-15 09:04', '--tz', 'UTC', '--text', 'quota 4'], env);
      expect(plain.stderr).toMatch(/warning: x:bob would have 4 posts in 15 minutes on 2030-01-15, over the limit of 2/);
      // Half an hour later no 15-minute window holds more than one: no warning.
      const later = await runCli(['schedule', 'add', '--to', 'x:bob', '--at', '2030-01-15 09:30', '--tz', 'UTC', '--text', 'quota later', '--json'], env);
      expect(JSON.parse(later.stdout).warnings).toEqual([]);
      // schedule edit checks the same quota at the new time; the edited post is not counted twice.
      const laterId = String(JSON.parse(later.stdout).id);
      const edit = (at: string) => runCli(['schedule', 'edit', laterId, '--at', `2030-01-15 ${at}`, '--tz', 'UTC', '--json'], env);
      expect(JSON.parse((await edit('09:45')).stdout).warnings).toEqual([]);
      const moved = JSON.parse((await edit('09:05')).stdout).warnings;
      expect(moved).toHaveLength(1);
      expect(moved[0]).toMatchObject({ platform: 'x', account: 'bob', count: 5, limit: 2, setting: 'quota.x.postsPer15Min' });
      const human = await runCli(['schedule', 'edit', laterId, '--at', '2030-01-15 09:06', '--tz', 'UTC'], env);
      expect(human.stderr).toMatch(/warning: x:bob would have 5 posts in 15 minutes on 2030-01-15, over the limit of 2/);
    } finally {
      await runCli(['config', 'unset', 'quota.x.postsPer15Min'], env);
    }
  }, 60_000);
});
