/**
 * `socialync retry` as the built CLI (node bin/socialync.cjs) against the sandbox: the stable
 * `--dry-run --json` result, two retries started at once and one after the other never
 * producing a duplicate, and a TikTok upload resumed from its saved publish_id instead of
 * uploaded again. Run `npm run build` first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runCli, startCli } from '../helpers/cli.js';
import { sandboxPosts, startPublishProfile, type PublishProfile } from '../helpers/publish-sandbox.js';
import { tempMedia } from '../publish/kit.js';
import type { RetryEntry, RetryResult } from '../../src/commands/retry.js';

let pp: PublishProfile;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  pp = await startPublishProfile({ platforms: ['x', 'linkedin', 'tiktok'] });
  env = cliEnv({ ...pp.env, TZ: 'UTC' });
}, 60_000);
afterAll(async () => pp?.close());

const fault = (p: 'x' | 'tiktok', f: Record<string, unknown>) =>
  fetch(`${pp.sandbox.origins[p]}/__sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(f) });

async function add(args: string[]): Promise<number> {
  const r = await runCli(['schedule', 'add', '--at', 'now', ...args, '--json'], env);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { id: number }).id;
}

/** Every field of RetryEntry, in order: the documented, stable shape. */
const ENTRY_KEYS = ['postId', 'targetId', 'platform', 'account', 'state', 'errorClass', 'lastError', 'lastAttemptAt', 'mode', 'fix', 'outcome', 'remoteId', 'url', 'message', 'nextAttemptAt'];

describe('socialync retry (built CLI)', () => {
  it('dry run, then two retries at once and two more after: each failed X target is posted exactly once', async () => {
    const texts = ['retry race 1', 'retry race 2', 'retry race 3'];
    const ids: number[] = [];
    for (const t of texts) ids.push(await add(['--to', 'x,linkedin', '--text', t]));
    // X refuses the three posts (403: not retried automatically); LinkedIn publishes them.
    await fault('x', { path: '/2/tweets', method: 'POST', status: 403, body: { title: 'Forbidden', detail: 'You are not permitted to perform this action.', type: 'about:blank', status: 403 }, count: 3 });
    const pub = await runCli(['publish'], env);
    expect(pub.code, pub.stderr + pub.stdout).toBe(5);

    const dry = await runCli(['retry', '--all-failed', '--dry-run', '--json'], env);
    expect(dry.code, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout) as RetryResult;
    expect(Object.keys(plan)).toEqual(['dryRun', 'exitCode', 'targets']);
    expect(plan.targets).toHaveLength(3);
    for (const [i, e] of plan.targets.entries()) {
      expect(Object.keys(e)).toEqual(ENTRY_KEYS);
      expect(e).toMatchObject({ postId: ids[i], platform: 'x', account: 'alice', state: 'failed', mode: 'new', fix: null, outcome: null, remoteId: null });
      expect(e.errorClass).toMatch(/^(permission|invalid_request)$/);
      expect(e.lastAttemptAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    }
    expect(await sandboxPosts(pp.sandbox, 'x')).toHaveLength(0);
    // Without a terminal, a real retry needs --yes.
    const noYes = await runCli(['retry', '--all-failed'], env);
    expect(noYes.code).toBe(3);
    expect(noYes.stderr).toContain('--yes');

    const a = startCli(['retry', '--all-failed', '--yes', '--json'], env);
    const b = startCli(['retry', '--all-failed', '--yes', '--json'], env);
    const [ra, rb] = await Promise.all([a.done, b.done]);
    expect(ra.code, ra.stderr).toBe(0);
    expect(rb.code, rb.stderr).toBe(0);
    const all = [...(JSON.parse(ra.stdout) as RetryResult).targets, ...(JSON.parse(rb.stdout) as RetryResult).targets] as RetryEntry[];
    expect(all.filter((e) => e.outcome === 'published')).toHaveLength(3);
    expect(all.every((e) => e.outcome === 'published' || e.outcome === 'skipped')).toBe(true);
    for (const run of [1, 2]) {
      const again = await runCli(['retry', '--all-failed', '--yes'], env);
      expect(again.code, `run ${run}: ${again.stderr}`).toBe(0);
      expect(again.stderr).toContain('nothing to retry');
    }
    const x = await sandboxPosts(pp.sandbox, 'x');
    for (const t of texts) expect(x.filter((p) => p.text === t), t).toHaveLength(1);
    for (const t of texts) expect((await sandboxPosts(pp.sandbox, 'linkedin')).filter((p) => p.text === t), t).toHaveLength(1);
  });

  it('a TikTok target that failed after its upload resumes from the saved publish_id (mode resume): no second upload', async () => {
    const video = tempMedia(1024 * 1024 + 3, 'mp4');
    const id = await add(['--to', 'tiktok', '--text', 'resume me', '--media', video, '--set', 'tiktok.privacy=SELF_ONLY']);
    // The upload completes, then the status check is refused: the target fails with its checkpoint kept.
    await fault('tiktok', { path: '/v2/post/publish/status/fetch/', method: 'POST', status: 401, body: { data: {}, error: { code: 'access_token_invalid', message: 'The access token is invalid or not found in the request.', log_id: 'sandbox' } } });
    const bytes0 = pp.sandbox.control.platform('tiktok').stats()['uploadedBytes'] ?? 0;
    const pub = await runCli(['publish'], env);
    expect(pub.code, pub.stdout + pub.stderr).toBe(4);
    const uploaded = (pp.sandbox.control.platform('tiktok').stats()['uploadedBytes'] ?? 0) - bytes0;
    expect(uploaded).toBe(1024 * 1024 + 3);

    const dry = JSON.parse((await runCli(['retry', String(id), '--dry-run', '--json'], env)).stdout) as RetryResult;
    expect(dry.targets.map((t) => [t.platform, t.mode, t.errorClass])).toEqual([['tiktok', 'resume', 'reconnect_needed']]);
    const table = await runCli(['retry', String(id), '--dry-run'], env);
    expect(table.stdout).toMatch(/POST\s*│\s*PLATFORM\s*│\s*ACCOUNT\s*│\s*LAST ERROR\s*│\s*MODE/);
    expect(table.stdout).toMatch(new RegExp(`${id}\\s*│\\s*tiktok\\s*│\\s*alice\\s*│.*│\\s*resume`));
    const r = await runCli(['retry', String(id), '--yes'], env);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`post ${id} tiktok:alice published`));
    expect((pp.sandbox.control.platform('tiktok').stats()['uploadedBytes'] ?? 0) - bytes0).toBe(uploaded);
    expect((await sandboxPosts(pp.sandbox, 'tiktok')).filter((p) => p.text === 'resume me')).toHaveLength(1);
  });
});
