/**
 * Retry and reconnect scenarios on the full sandbox (socialync run in-process, real SQLite,
 * real HTTP, a FakeBrowser on the sandbox consent page, a local webhook receiver):
 * a TikTok token expiring while the user is away, an X password change, and Instagram
 * revoking every token. Each ends with exactly one post per target at the sandbox.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startRetryKit, type RetryKit } from '../helpers/retry-kit.js';
import { tempMedia } from '../publish/kit.js';
import type { RetryResult } from '../../src/commands/retry.js';
import type { ScheduleShowResult } from '../../src/commands/schedule-show.js';

let k: RetryKit;
beforeAll(async () => {
  k = await startRetryKit({ tiktok: ['alice'], instagram: ['alice', 'bob'], youtube: ['alice'], x: ['alice'], linkedin: ['alice'] });
}, 60_000);
afterAll(async () => k?.close());

const video = tempMedia(600 * 1024, 'mp4');
const count = async (p: Parameters<RetryKit['posts']>[0], text: string) => (await k.posts(p)).filter((x) => x.text === text).length;

async function add(to: string, text: string, media = true): Promise<number> {
  const r = await k.cli(['schedule', 'add', '--to', to, '--at', 'now', '--text', text, '--title', text, ...(media ? ['--media', video, '--set', 'tiktok.privacy=PUBLIC_TO_EVERYONE', '--set', 'youtube.privacy=unlisted'] : []), '--json']);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { id: number }).id;
}

describe('retry and reconnect scenarios', () => {
  it('vacation: the TikTok token expires mid-schedule; posts fail and notify; connect --retry-failed publishes only the TikTok targets', async () => {
    const first = await add('tiktok,instagram:alice,youtube', 'Day 1 of the trip');
    expect((await k.cli(['publish'])).code).toBe(0);
    // Away: TikTok's tokens die (access and refresh) before the next scheduled posts.
    k.sandbox.control.platform('tiktok').expire('access', 'alice');
    k.sandbox.control.platform('tiktok').expire('refresh', 'alice');
    const b = await add('tiktok,instagram:alice,youtube', 'Day 2 of the trip');
    const c = await add('tiktok,instagram:alice,youtube', 'Day 3 of the trip');
    const pub = await k.cli(['publish']);
    expect(pub.code, pub.stderr).toBe(5);
    expect(pub.stdout).toMatch(/post \d+ tiktok:alice failed: token expired — run socialync connect tiktok --name alice/);

    // The two posts that failed in this run arrive as ONE digest naming, for each, what failed,
    // what published and the fix; once only.
    const failedHooks = () => k.hooks.filter((h) => h.kind === 'post_failed');
    expect(failedHooks()).toHaveLength(1);
    const digest = failedHooks()[0]!;
    expect(digest.post).toBeUndefined();
    expect(digest.posts!.map((p) => [p.id, p.text, p.fix])).toEqual([
      [b, 'Day 2 of the trip', ['socialync connect tiktok --name alice --retry-failed']],
      [c, 'Day 3 of the trip', ['socialync connect tiktok --name alice --retry-failed']],
    ]);
    const lines = digest.text.split('\n');
    expect(lines[0]).toBe('socialync: 2 posts failed:');
    for (const [i, id] of [b, c].entries()) {
      expect(lines[i + 1]).toMatch(new RegExp(`^- post ${id} "Day ${i + 2} of the trip" failed on tiktok/alice \\(token expired — run socialync connect tiktok --name alice\\); published on instagram/alice, youtube/alice\\. Fix: socialync connect tiktok --name alice --retry-failed$`));
    }
    expect(k.hooks.filter((h) => h.kind === 'reconnect_needed' && h.platform === 'tiktok')).toHaveLength(1);
    expect((await k.cli(['publish'])).code).toBe(0);
    expect(failedHooks()).toHaveLength(1);
    expect(k.hooks.filter((h) => h.kind === 'recovered')).toEqual([]);

    // Retrying before reconnecting stops with the exact connect command and changes nothing.
    const early = await k.cli(['retry', '--all-failed', '--yes']);
    expect(early.code).toBe(4);
    expect(early.stderr).toContain('socialync connect tiktok --name alice');
    const dry = await k.cli(['retry', '--all-failed', '--dry-run', '--json']);
    expect(dry.code).toBe(0);
    const plan = JSON.parse(dry.stdout) as RetryResult;
    expect(plan).toMatchObject({ dryRun: true, exitCode: 0 });
    expect(plan.targets.map((t) => [t.postId, t.platform, t.account, t.state, t.mode, t.fix, t.outcome])).toEqual([
      [b, 'tiktok', 'alice', 'failed', 'new', 'socialync connect tiktok --name alice', null],
      [c, 'tiktok', 'alice', 'failed', 'new', 'socialync connect tiktok --name alice', null],
    ]);
    expect(plan.targets[0]!.lastError).toBe('token expired — run socialync connect tiktok --name alice');

    expect((JSON.parse((await k.cli(['retry', '--all-failed', '--platform', 'instagram,youtube', '--dry-run', '--json'])).stdout) as RetryResult).targets).toEqual([]);

    // Back home: reconnect and retry in one go. Posts and settings stay as they were.
    const snapshot = async () => ({
      config: readFileSync(join(k.home, 'config.json'), 'utf8'),
      posts: await Promise.all([b, c].map(async (id) => {
        const { targets: _t, status: _s, ...post } = JSON.parse((await k.cli(['schedule', 'show', String(id), '--json'])).stdout) as ScheduleShowResult;
        return post;
      })),
    });
    const before = await snapshot();
    const conn = await k.cli(['connect', 'tiktok', '--name', 'alice', '--retry-failed', '--json']);
    expect(await snapshot()).toEqual(before);
    expect(conn.code, conn.stderr).toBe(0);
    const r = JSON.parse(conn.stdout) as { reconnected: boolean; retry: RetryResult };
    expect(r.reconnected).toBe(true);
    expect(r.retry.targets.map((t) => [t.postId, t.platform, t.outcome])).toEqual([[b, 'tiktok', 'published'], [c, 'tiktok', 'published']]);
    for (const text of ['Day 1 of the trip', 'Day 2 of the trip', 'Day 3 of the trip']) {
      for (const p of ['tiktok', 'instagram', 'youtube'] as const) expect(await count(p, text), `${p} ${text}`).toBe(1);
    }
    // Healthy again: one notice for the connection reported broken, one per post now published everywhere.
    const recovered = () => k.hooks.filter((h) => h.kind === 'recovered').map((h) => [h.recovered!.what, h.recovered!.what === 'post' ? h.recovered!.postId : h.account]);
    expect(recovered()).toEqual([['connection', 'alice'], ['post', b], ['post', c]]);
    // Retrying again finds nothing and sends nothing.
    const again = await k.cli(['retry', '--all-failed', '--yes', '--json']);
    expect(again.code).toBe(0);
    expect((JSON.parse(again.stdout) as RetryResult).targets).toEqual([]);
    expect(recovered()).toHaveLength(3);
    expect((await k.posts('tiktok')).length).toBe(3);
    const show = JSON.parse((await k.cli(['schedule', 'show', String(b), '--json'])).stdout) as ScheduleShowResult;
    expect(show.status).toBe('published');
    expect(show.targets.find((t) => t.platform === 'tiktok')!.attempts.map((a) => [a.outcome, a.errorClass])).toEqual([
      ['failed', 'reconnect_needed'],
      ['retry_requested', null],
      ['published', null],
    ]);
    expect(first).toBeLessThan(b);
  });

  it('a password change revokes the X tokens: retry names the connect command; after connect, retry publishes X once', async () => {
    const id = await add('x,linkedin', 'Password changed while scheduled', false);
    k.sandbox.control.platform('x').passwordChange('alice');
    const pub = await k.cli(['publish']);
    expect(pub.code).toBe(5);
    const blocked = await k.cli(['retry', String(id), '--yes']);
    expect(blocked.code).toBe(4);
    expect(blocked.stderr).toContain('run: socialync connect x --name alice');
    expect(k.hooks.find((h) => h.post?.id === id)?.post?.fix).toEqual(['socialync connect x --name alice --retry-failed']);
    const show = await k.cli(['schedule', 'show', String(id)]);
    expect(show.stdout).toMatch(/- x:alice {2}failed\n {4}reason: token expired — run socialync connect x --name alice/);
    expect(show.stderr).toContain(`To send the failed targets again: socialync retry ${id}`);
    // Without a terminal and without --retry-failed, connect only says how to retry.
    const conn = await k.cli(['connect', 'x', '--name', 'alice', '--port', '0']);
    expect(conn.code, conn.stderr).toBe(0);
    expect(conn.stderr).toContain('1 target failed because the x/alice token was dead');
    expect(conn.stderr).toContain('socialync retry --all-failed --platform x --yes');
    expect(await count('x', 'Password changed while scheduled')).toBe(0);
    const r = await k.cli(['retry', String(id), '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`post ${id} x:alice published https://x.com/`));
    expect(await count('x', 'Password changed while scheduled')).toBe(1);
    expect(await count('linkedin', 'Password changed while scheduled')).toBe(1);
    expect((await k.cli(['retry', String(id), '--yes'])).stderr).toContain('nothing to retry');
  });

  it('Instagram revokes every token: all Instagram connections need a reconnect; each reconnect retries its own targets', async () => {
    const id = await add('instagram:alice,instagram:bob', 'Platform-wide revocation');
    k.sandbox.control.platform('instagram').revoke();
    expect((await k.cli(['publish'])).code).toBe(4);
    const ig = (await (await k.deps.store()).listConnections({ platform: 'instagram' })).map((c) => [c.name, c.health]);
    expect(ig.sort()).toEqual([['alice', 'needs_reconnect'], ['bob', 'needs_reconnect']]);
    const blocked = await k.cli(['retry', String(id), '--yes']);
    expect(blocked.code).toBe(4);
    expect(blocked.stderr).toContain('socialync connect instagram --name alice && socialync connect instagram --name bob');
    const blockedJson = await k.cli(['retry', String(id), '--yes', '--json']);
    expect(blockedJson.code).toBe(4);
    expect((JSON.parse(blockedJson.stdout) as RetryResult).targets.map((t) => [t.account, t.outcome, t.fix])).toEqual([
      ['alice', 'blocked', 'socialync connect instagram --name alice'],
      ['bob', 'blocked', 'socialync connect instagram --name bob'],
    ]);
    const a = await k.cli(['connect', 'instagram', '--name', 'alice', '--port', '0', '--retry-failed', '--json']);
    expect(a.code, a.stderr).toBe(0);
    expect((JSON.parse(a.stdout) as { retry: RetryResult }).retry.targets.map((t) => [t.account, t.outcome])).toEqual([['alice', 'published']]);
    expect((await k.cli(['retry', String(id), '--yes'])).code).toBe(4);
    const b = await k.cli(['connect', 'instagram', '--name', 'bob', '--port', '0', '--no-retry'], { account: 'bob' });
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toContain('Not retrying them now. Later: socialync retry --all-failed --platform instagram');
    const r = await k.cli(['retry', String(id), '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as RetryResult).targets.map((t) => [t.account, t.outcome])).toEqual([['bob', 'published']]);
    const posts = (await k.posts('instagram')).filter((p) => p.text === 'Platform-wide revocation');
    expect(posts.map((p) => p.account).sort()).toEqual(['alice', 'bob']);
  });
});
