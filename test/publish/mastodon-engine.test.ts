/**
 * The publishing engine with Mastodon on the sandbox (docs/platforms/mastodon.md#idempotency): a
 * status whose answer is lost is reconciled by sending the same Idempotency-Key again, which
 * returns the status already made, so the target ends published with one status, never two; a
 * 429 is retried later; a post over the server's limit fails at once with the limit named.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScheduleAdd } from '../../src/commands/schedule-add.js';
import { runPublish } from '../../src/commands/publish.js';
import { runScheduleShow } from '../../src/commands/schedule-show.js';
import { sandboxPosts, startPublishProfile, type PublishProfile } from '../helpers/publish-sandbox.js';

let pp: PublishProfile;
beforeAll(async () => {
  pp = await startPublishProfile({ platforms: ['mastodon'] });
}, 60_000);
afterAll(async () => pp?.close());

const control = (body: unknown) => fetch(`${pp.sandbox.origins.mastodon}/__publish/v1/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('publishing engine: Mastodon', () => {
  it('a lost answer: the same Idempotency-Key returns the status already made; published once', async () => {
    await control({ dropAfterCommit: { path: '/api/v1/statuses' } });
    const add = await runScheduleAdd(pp.deps, { to: 'mastodon', at: 'now', text: 'lost answer, kept once' });
    const first = await runPublish(pp.deps, {});
    expect(first.results[0]?.outcome).not.toBe('published');
    for (let i = 0; i < 5 && (await runScheduleShow(pp.deps, String(add.id))).status !== 'published'; i++) {
      await wait(150);
      await runPublish(pp.deps, {});
    }
    const show = await runScheduleShow(pp.deps, String(add.id));
    expect(show.status).toBe('published');
    expect(show.targets[0]!.url).toMatch(/sandbox\.invalid/);
    expect((await sandboxPosts(pp.sandbox, 'mastodon')).filter((p) => p.text === 'lost answer, kept once')).toHaveLength(1);
  });

  it("over the server's limit: failed at once, naming the limit, nothing posted", async () => {
    const add = await runScheduleAdd(pp.deps, { to: 'mastodon', at: 'now', text: 'w'.repeat(501) });
    const r = await runPublish(pp.deps, {});
    expect(r.results[0]).toMatchObject({ outcome: 'failed', errorClass: 'invalid_request', message: expect.stringMatching(/this server allows 500 characters.*this post has 501/) });
    expect((await runScheduleShow(pp.deps, String(add.id))).status).toBe('failed');
    expect((await sandboxPosts(pp.sandbox, 'mastodon')).some((p) => p.text.length === 501)).toBe(false);
  });

  it('429 with X-RateLimit-Reset: retried later, then published once', async () => {
    pp.sandbox.control.platform('mastodon').fault({ path: '/api/v1/statuses', status: 429, body: '{"error":"Too many requests"}', headers: { 'content-type': 'application/json', 'x-ratelimit-reset': new Date(Date.now() + 1000).toISOString() } });
    const add = await runScheduleAdd(pp.deps, { to: 'mastodon', at: 'now', text: 'after the limit' });
    const r = await runPublish(pp.deps, {});
    expect(r.results[0]).toMatchObject({ outcome: 'retry_scheduled', errorClass: 'rate_limited' });
    for (let i = 0; i < 10 && (await runScheduleShow(pp.deps, String(add.id))).status !== 'published'; i++) {
      await wait(300);
      await runPublish(pp.deps, {});
    }
    expect((await runScheduleShow(pp.deps, String(add.id))).status).toBe('published');
    expect((await sandboxPosts(pp.sandbox, 'mastodon')).filter((p) => p.text === 'after the limit')).toHaveLength(1);
  });
});
