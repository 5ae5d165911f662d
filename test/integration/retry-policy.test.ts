/**
 * The publisher's automatic retry policy and the retry command's edge cases, in-process on the
 * sandbox: Retry-After honoured, a daily cap waits for its reset, refusals never retry by
 * themselves, a used-up retry budget is renewed by `retry`, unconfirmed targets are reconciled
 * before anything is sent (and sent again only with --assume-not-posted), and the confirmation
 * prompts of `retry` and of `connect` after a reconnect on a terminal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PassThrough, Writable } from 'node:stream';
import { createDeps } from '../../src/deps.js';
import { createIO } from '../../src/core/io.js';
import { main } from '../../src/main.js';
import { createSandboxBrowser } from '../../src/sandbox/browser.js';
import { runScheduleAdd } from '../../src/commands/schedule-add.js';
import { runPublish } from '../../src/commands/publish.js';
import { runScheduleShow } from '../../src/commands/schedule-show.js';
import { runRetry } from '../../src/commands/retry.js';
import { postStoreFor } from '../../src/store/posts.js';
import type { Prompts } from '../../src/core/prompt.js';
import { sandboxPosts, startPublishProfile, type PublishProfile } from '../helpers/publish-sandbox.js';
import { tempMedia } from '../publish/kit.js';

let pp: PublishProfile;
beforeAll(async () => {
  pp = await startPublishProfile({ platforms: ['x', 'tiktok'] });
}, 60_000);
afterAll(async () => pp?.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fault = (p: 'x' | 'tiktok', f: Record<string, unknown>) =>
  fetch(`${pp.sandbox.origins[p]}/__sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(f) });
const publishConfig = (p: 'tiktok', c: Record<string, unknown>) =>
  fetch(`${pp.sandbox.origins[p]}/__publish/v1/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(c) });
const xCount = async (text: string) => (await sandboxPosts(pp.sandbox, 'x')).filter((p) => p.text === text).length;
const addX = async (text: string) => (await runScheduleAdd(pp.deps, { to: 'x', at: 'now', text })).id;
const target = async (id: number) => (await runScheduleShow(pp.deps, String(id))).targets[0]!;

/** socialync in-process on a "terminal" with scripted confirm answers. */
async function onTerminal(argv: string[], answers: boolean[]): Promise<{ code: number; out: string; err: string; asked: string[] }> {
  const buf = { out: '', err: '' };
  const tty = (k: 'out' | 'err') => Object.assign(new Writable({ write: (c, _e, cb) => ((buf[k] += c), cb()) }), { isTTY: true });
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  const io = createIO({ stdin, stdout: tty('out'), stderr: tty('err'), env: { NO_COLOR: '1' } });
  const asked: string[] = [];
  const prompts = { confirm: async (m: string) => (asked.push(m), answers.shift() ?? false) } as unknown as Prompts;
  const code = await main(argv, createDeps({ io, env: pp.env, prompts, browser: createSandboxBrowser() }));
  return { code, out: buf.out, err: buf.err, asked };
}

describe('automatic retry policy', () => {
  it('a 429 with Retry-After is retried after that delay, and the attempts show in schedule show', async () => {
    const id = await addX('policy: retry-after');
    await fault('x', { path: '/2/users/me', method: 'GET', status: 429, headers: { 'retry-after': '2' }, body: { title: 'Too Many Requests', status: 429 } });
    const t0 = Date.now();
    const r = (await runPublish(pp.deps, {})).results.find((x) => x.postId === id)!;
    expect(r).toMatchObject({ outcome: 'retry_scheduled', errorClass: 'rate_limited' });
    const wait = Date.parse(r.nextAttemptAt!) - t0;
    expect(wait).toBeGreaterThanOrEqual(1900);
    expect(wait).toBeLessThan(4000);
    expect((await runPublish(pp.deps, {})).results.filter((x) => x.postId === id)).toEqual([]);
    const t = await target(id);
    expect(t).toMatchObject({ state: 'scheduled', errorClass: 'rate_limited', nextAttemptAt: r.nextAttemptAt });
    expect(t.attempts.map((a) => [a.outcome, a.errorClass])).toEqual([['retry_scheduled', 'rate_limited']]);
    expect(t.attempts[0]!.message).toMatch(/\S/);
    await sleep(Math.max(0, Date.parse(r.nextAttemptAt!) - Date.now()) + 50);
    expect((await runPublish(pp.deps, {})).results.find((x) => x.postId === id)).toMatchObject({ outcome: 'published' });
    expect(await xCount('policy: retry-after')).toBe(1);
  });

  it('a daily cap waits for its reset (next_attempt_at = next UTC midnight for TikTok); a refusal never retries by itself', async () => {
    await publishConfig('tiktok', { dailyLimit: 0 });
    const cap = (await runScheduleAdd(pp.deps, { to: 'tiktok', at: 'now', text: 'policy: capped', media: [tempMedia(4096, 'mp4')], set: ['tiktok.privacy=SELF_ONLY'] })).id;
    const refused = await addX('policy: refused');
    await fault('x', { path: '/2/tweets', method: 'POST', status: 403, body: { title: 'Forbidden', detail: 'not permitted', type: 'about:blank', status: 403 } });
    const res = (await runPublish(pp.deps, {})).results;
    await publishConfig('tiktok', { dailyLimit: null });
    expect(res.find((x) => x.postId === cap)).toMatchObject({ outcome: 'retry_scheduled', errorClass: 'rate_limited', nextAttemptAt: expect.stringMatching(/T00:01:00\.000Z$/) });
    expect(res.find((x) => x.postId === refused)).toMatchObject({ outcome: 'failed' });
    for (let i = 0; i < 3; i++) (await sleep(80), await runPublish(pp.deps, {}));
    expect((await target(refused)).attempts).toHaveLength(1);
    expect((await target(refused)).state).toBe('failed');
    await postStoreFor(await pp.deps.store()).updateTarget((await target(cap)).id, null, { state: 'cancelled' }, Date.now());
  });

  it('transient failures give up after the attempt budget; retry renews it and publishes once', async () => {
    const id = await addX('policy: budget');
    await fault('x', { path: '/2/users/me', method: 'GET', status: 502, count: 5 });
    for (let i = 0; i < 12 && (await target(id)).state !== 'failed'; i++) (await runPublish(pp.deps, {}), await sleep(120));
    const t = await target(id);
    expect(t.state).toBe('failed');
    expect(t.reason).toMatch(/^gave up after 5 attempts/);
    expect(t.attempts.map((a) => a.outcome)).toEqual(['retry_scheduled', 'retry_scheduled', 'retry_scheduled', 'retry_scheduled', 'failed']);
    const r = await runRetry(pp.deps, { postId: String(id), yes: true });
    expect(r.targets.map((e) => [e.mode, e.outcome])).toEqual([['new', 'published']]);
    expect(await xCount('policy: budget')).toBe(1);
  });
});

describe('retry edge cases', () => {
  it('an unconfirmed target that was in fact posted is reconciled to published, never sent twice', async () => {
    const id = await addX('unconfirmed: was posted');
    await runPublish(pp.deps, {});
    const t = await target(id);
    // As if the answer had been lost: the post exists at X, we do not know it.
    await postStoreFor(await pp.deps.store()).updateTarget(t.id, null, { state: 'unconfirmed', remoteId: null, url: null, checkpoint: { sent: String(Date.now() - 5_000) }, nextAttemptAt: null }, Date.now());
    const dry = await runRetry(pp.deps, { postId: String(id), dryRun: true });
    expect(dry.targets.map((e) => [e.state, e.mode])).toEqual([['unconfirmed', 'reconcile']]);
    const r = await runRetry(pp.deps, { postId: String(id), yes: true });
    expect(r.targets[0]).toMatchObject({ outcome: 'published', remoteId: t.remoteId });
    expect(await xCount('unconfirmed: was posted')).toBe(1);
  });

  it('an unconfirmed target the platform cannot check stays unconfirmed; --assume-not-posted sends it', async () => {
    const id = await addX('unconfirmed: unknown');
    const t = await target(id);
    await postStoreFor(await pp.deps.store()).updateTarget(t.id, null, { state: 'unconfirmed', checkpoint: { sent: String(Date.now() - 5_000) } }, Date.now());
    const list = `/2/users/${pp.conns.x!.accountId}/tweets`;
    await fault('x', { path: list, method: 'GET', status: 500 });
    const r1 = await runRetry(pp.deps, { postId: String(id), yes: true });
    expect(r1.targets[0]).toMatchObject({ outcome: 'unconfirmed', message: expect.stringContaining('--assume-not-posted') });
    expect(r1.exitCode).toBe(1);
    expect(await xCount('unconfirmed: unknown')).toBe(0);
    await fault('x', { path: list, method: 'GET', status: 500 });
    const r2 = await runRetry(pp.deps, { postId: String(id), yes: true, assumeNotPosted: true });
    expect(r2.targets[0]).toMatchObject({ outcome: 'published' });
    expect(r2.exitCode).toBe(0);
    expect(await xCount('unconfirmed: unknown')).toBe(1);
  });

  it('on a terminal, retry shows the table and asks; no means nothing is sent (exit 2), yes publishes', async () => {
    const id = await addX('terminal: confirm');
    await fault('x', { path: '/2/tweets', method: 'POST', status: 403, body: { title: 'Forbidden', status: 403 } });
    await runPublish(pp.deps, {});
    const no = await onTerminal(['retry', String(id)], [false]);
    expect(no.code).toBe(2);
    expect(no.asked).toEqual(['Retry 1 target now?']);
    expect(no.err).toMatch(/POST\s*│\s*PLATFORM[\s\S]*│\s*x\s*│\s*alice\s*│/);
    expect(await xCount('terminal: confirm')).toBe(0);
    const yes = await onTerminal(['retry', String(id)], [true]);
    expect(yes.code, yes.err).toBe(0);
    expect(await xCount('terminal: confirm')).toBe(1);
  });

  it('on a terminal, connect after a revocation offers to retry what failed; yes publishes it once', async () => {
    pp.sandbox.control.platform('x').revoke('alice');
    const id = await addX('terminal: reconnect');
    expect((await runPublish(pp.deps, {})).results.find((x) => x.postId === id)).toMatchObject({ outcome: 'failed', errorClass: 'reconnect_needed' });
    const r = await onTerminal(['connect', 'x', '--name', 'alice', '--port', '0'], [true]);
    expect(r.code, r.err).toBe(0);
    expect(r.asked).toEqual(['Retry them now?']);
    expect(r.err).toContain('1 target failed because the x/alice token was dead');
    expect(r.out).toMatch(new RegExp(`post ${id} x:alice published`));
    expect(await xCount('terminal: reconnect')).toBe(1);
  });
});
