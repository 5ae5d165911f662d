/**
 * The publishing engine in-process against the full sandbox: a post with a
 * video to all six platforms publishes end to end; failure modes leave a clear
 * state and message (revoked token, daily limit, lost answer -> reconcile).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstBoardOf } from '../../src/sandbox/pinterest-publish.js';
import { PLATFORMS, type PlatformId } from '../../src/providers/types.js';
import { runScheduleAdd } from '../../src/commands/schedule-add.js';
import { runPublish } from '../../src/commands/publish.js';
import { runScheduleShow } from '../../src/commands/schedule-show.js';
import { sandboxPosts, startPublishProfile, type PublishProfile } from '../helpers/publish-sandbox.js';
import { tempMedia } from './kit.js';

let pp: PublishProfile;
beforeAll(async () => {
  pp = await startPublishProfile();
  const missing = PLATFORMS.filter((p) => !pp.sandbox.platforms.includes(p));
  if (missing.length) throw new Error(`sandbox modules missing: ${missing.join(', ')}`);
}, 60_000);
afterAll(async () => pp?.close());

const video = tempMedia(3 * 1024 * 1024 + 7, 'mp4');
/** Platforms that take a local video file (Threads fetches media from public URLs only: docs/platforms/threads.md#media). */
const FILE_PLATFORMS = PLATFORMS.filter((p) => p !== 'threads');
const perPlatform = ['tiktok.privacy=PUBLIC_TO_EVERYONE', 'youtube.privacy=unlisted', 'linkedin.privacy=PUBLIC'];

describe('publishing engine on the sandbox', () => {
  it('a video post to all six platforms publishes end to end, once', async () => {
    const board = `pinterest.board=${firstBoardOf(pp.conns.pinterest!.accountId)}`;
    const add = await runScheduleAdd(pp.deps, { to: FILE_PLATFORMS.join(','), at: 'now', text: 'Launch day #six', title: 'Launch', media: [video], set: [...perPlatform, board] });
    const r = await runPublish(pp.deps, {});
    expect(r.results.map((x) => [x.platform, x.outcome, x.message ?? ''])).toEqual(expect.arrayContaining(FILE_PLATFORMS.map((p) => [p, 'published', ''])));
    expect(r.exitCode).toBe(0);
    for (const p of FILE_PLATFORMS) expect(await sandboxPosts(pp.sandbox, p), p).toHaveLength(1);
    const show = await runScheduleShow(pp.deps, String(add.id));
    expect(show.status).toBe('published');
    expect(show.targets.every((t) => t.remoteId && t.attempts.length === 1)).toBe(true);
    expect(show.targets.find((t) => t.platform === 'youtube')?.url).toMatch(/youtube\.com\/watch\?v=/);
    // The next cron tick finds nothing due and sends nothing.
    expect((await runPublish(pp.deps, {})).results).toEqual([]);
    for (const p of FILE_PLATFORMS) expect(await sandboxPosts(pp.sandbox, p)).toHaveLength(1);
  });

  it('validation at schedule time names every problem (X length, TikTok privacy, Instagram public URL)', async () => {
    await expect(runScheduleAdd(pp.deps, { to: 'x,tiktok,instagram', at: 'now', text: 'y'.repeat(300), media: [tempMedia(1000, 'jpg')] })).rejects.toThrow(
      /x: text: X counts this text as 300 characters[\s\S]*tiktok: media[\s\S]*tiktok: privacy[\s\S]*instagram: media\[0\]: Instagram image posts need a public URL/,
    );
  });

  it('a revoked token fails the target with "token expired — run socialync connect"; the others still publish (partial)', async () => {
    pp.sandbox.control.platform('x').revoke();
    const add = await runScheduleAdd(pp.deps, { to: 'x,linkedin', at: 'now', text: 'partial post' });
    const r = await runPublish(pp.deps, {});
    const x = r.results.find((t) => t.platform === 'x')!;
    expect(x).toMatchObject({ outcome: 'failed', errorClass: 'reconnect_needed' });
    expect(x.message).toMatch(/^token expired — run socialync connect x --name alice$/);
    expect(r.exitCode).toBe(5);
    expect((await runScheduleShow(pp.deps, String(add.id))).status).toBe('partial');
  });

  it('a lost answer after LinkedIn created the post stays unconfirmed (reading member posts needs r_member_social), never a second post', async () => {
    await fetch(`${pp.sandbox.origins.linkedin}/__publish/v1/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dropAfterCommit: { path: '/rest/posts' } }) });
    const add = await runScheduleAdd(pp.deps, { to: 'linkedin', at: 'now', text: 'lost answer' });
    const first = await runPublish(pp.deps, {});
    expect(first.results[0]).toMatchObject({ outcome: 'unconfirmed' });
    await new Promise((r) => setTimeout(r, 120));
    const second = await runPublish(pp.deps, {});
    expect(second.results[0]).toMatchObject({ outcome: 'unconfirmed', message: expect.stringContaining('r_member_social') });
    expect((await sandboxPosts(pp.sandbox, 'linkedin')).filter((p) => p.text === 'lost answer')).toHaveLength(1);
    expect((await runScheduleShow(pp.deps, String(add.id))).targets[0]!.attempts.map((a) => a.outcome)).toEqual(['unconfirmed', 'unconfirmed']);
  });

  it('a daily limit is retried with backoff and then fails with the reason, never posting twice', async () => {
    const p: PlatformId = 'tiktok';
    await fetch(`${pp.sandbox.origins[p]}/__publish/v1/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dailyLimit: 1 }) });
    await runScheduleAdd(pp.deps, { to: p, at: 'now', text: 'over the cap', media: [video], set: ['tiktok.privacy=SELF_ONLY'] });
    const r = await runPublish(pp.deps, {});
    expect(r.results[0]).toMatchObject({ outcome: 'retry_scheduled', errorClass: 'rate_limited' });
    for (let i = 0; i < 6; i++) {
      await new Promise((res) => setTimeout(res, 250));
      await runPublish(pp.deps, {});
    }
    const all = await runPublish(pp.deps, {});
    expect(all.results).toEqual([]);
    const rows = await sandboxPosts(pp.sandbox, p);
    expect(rows.filter((x) => x.text === 'over the cap')).toHaveLength(0);
  });
});
