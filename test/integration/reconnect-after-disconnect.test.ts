/**
 * Disconnect, then connect the same account again (a new connection): the posts that were
 * waiting for it, or failed for want of it, go to the new connection; retry names the fix
 * until then; another account never takes them; nothing is posted twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRetryKit, type RetryKit } from '../helpers/retry-kit.js';
import type { RetryResult } from '../../src/commands/retry.js';
import type { ScheduleShowResult } from '../../src/commands/schedule-show.js';

let k: RetryKit;
beforeAll(async () => {
  k = await startRetryKit({ x: ['alice'] });
}, 60_000);
afterAll(async () => k?.close());

const count = async (text: string) => (await k.posts('x')).filter((x) => x.text === text).length;

async function add(text: string, at = 'now'): Promise<number> {
  const r = await k.cli(['schedule', 'add', '--to', 'x', '--at', at, '--tz', 'UTC', '--text', text, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { id: number }).id;
}
const show = async (id: number) => JSON.parse((await k.cli(['schedule', 'show', String(id), '--json'])).stdout) as ScheduleShowResult;

describe('connect after disconnect', () => {
  it('gives the new connection the account\'s waiting and failed targets; retry then publishes each once', async () => {
    const done = await add('Published before the disconnect');
    expect((await k.cli(['publish'])).code).toBe(0);
    const failing = await add('Due while disconnected');
    const later = await add('Due next year', '2027-06-01 09:00');

    const off = await k.cli(['disconnect', 'x', 'alice', '--yes']);
    expect(off.code, off.stderr).toBe(0);
    expect(off.stderr).toContain('! 2 scheduled posts for x/alice will fail until this account is connected again: socialync connect x --name alice');

    const pub = await k.cli(['publish']);
    expect(pub.stdout).toContain(`post ${failing} x:alice failed: the x account was disconnected — run socialync connect x --name alice`);
    const plan = JSON.parse((await k.cli(['retry', '--all-failed', '--dry-run', '--json'])).stdout) as RetryResult;
    expect(plan.targets.map((t) => [t.postId, t.account, t.fix])).toEqual([[failing, 'alice', 'socialync connect x --name alice']]);
    expect((await show(failing)).targets.map((t) => [t.account, t.state])).toEqual([['alice', 'failed']]);

    // Another account connected meanwhile takes nothing.
    const bob = await k.cli(['connect', 'x', '--name', 'bob', '--port', '0'], { account: 'bob' });
    expect(bob.code, bob.stderr).toBe(0);
    expect(bob.stderr).not.toContain('from before it was disconnected');
    expect((JSON.parse((await k.cli(['retry', '--all-failed', '--dry-run', '--json'])).stdout) as RetryResult).targets[0]!.fix).toBe('socialync connect x --name alice');

    // The same account again: both targets move; the failed one is retried and published once.
    const back = await k.cli(['connect', 'x', '--name', 'alice', '--port', '0', '--retry-failed', '--json'], { account: 'alice' });
    expect(back.code, back.stderr).toBe(0);
    expect(back.stderr).toContain('2 post targets of this account from before it was disconnected now use "alice".');
    const r = JSON.parse(back.stdout) as { reconnected: boolean; retry: RetryResult };
    expect(r.reconnected).toBe(false);
    expect(r.retry.targets.map((t) => [t.postId, t.outcome])).toEqual([[failing, 'published']]);
    expect(await count('Due while disconnected')).toBe(1);
    expect(await count('Published before the disconnect')).toBe(1);

    // The waiting post is the new connection's; the published one keeps its history.
    const conns = await (await k.deps.store()).listConnections({ platform: 'x' });
    const alice = conns.find((c) => c.name === 'alice')!;
    const { postStoreFor } = await import('../../src/store/posts.js');
    const posts = postStoreFor(await k.deps.store());
    expect((await posts.targets(later)).map((t) => [t.connectionId, t.state])).toEqual([[alice.id, 'scheduled']]);
    expect((await posts.targets(done))[0]!.connectionId).not.toBe(alice.id);
    expect((await show(done)).targets.map((t) => [t.account, t.state])).toEqual([['alice', 'published']]);
    expect((JSON.parse((await k.cli(['retry', '--all-failed', '--yes', '--json'])).stdout) as RetryResult).targets).toEqual([]);

    // A target still naming the old connection (it was being published during that connect):
    // retry does not call it blocked, and the publisher sends it once through "alice".
    const oldId = (await posts.targets(done))[0]!.connectionId;
    const now = Date.now();
    const straggler = await posts.createPost(
      { text: 'Missed the move', options: {}, overrides: {}, scheduledAt: now - 1000, tz: 'UTC', localTime: '', media: [], targets: [{ platform: 'x', connectionId: oldId }] },
      now,
    );
    await posts.updateTarget((await posts.targets(straggler))[0]!.id, null, { state: 'failed', errorClass: 'reconnect_needed', reason: 'the x account was disconnected' }, now);
    const plan2 = JSON.parse((await k.cli(['retry', String(straggler), '--dry-run', '--json'])).stdout) as RetryResult;
    expect(plan2.targets.map((t) => [t.account, t.fix])).toEqual([['alice', null]]);
    const sent = await k.cli(['retry', String(straggler), '--yes']);
    expect(sent.code, sent.stderr).toBe(0);
    expect(await count('Missed the move')).toBe(1);
    expect((await posts.targets(straggler)).map((t) => [t.connectionId, t.state])).toEqual([[alice.id, 'published']]);
  });
});
