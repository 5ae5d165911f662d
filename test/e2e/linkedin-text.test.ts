/**
 * The built CLI publishes LinkedIn posts whose text is full of little-text reserved characters
 * (docs/platforms/linkedin.md#little-text) against the sandbox, which reads commentary the way
 * LinkedIn does: the post must be stored exactly as typed, exactly once. Run `npm run build` first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runCli } from '../helpers/cli.js';
import { sandboxPosts, startPublishProfile, type PublishProfile } from '../helpers/publish-sandbox.js';

let pp: PublishProfile;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  pp = await startPublishProfile({ platforms: ['linkedin'] });
  env = cliEnv({ ...pp.env, TZ: 'UTC' });
}, 60_000);
afterAll(async () => pp?.close());

const posts = async (text: string) => (await sandboxPosts(pp.sandbox, 'linkedin')).filter((p) => p.text === text);

async function scheduleAndPublish(text: string, extra: string[] = []): Promise<{ id: number; out: string }> {
  const add = await runCli(['schedule', 'add', '--to', 'linkedin', '--at', 'now', '--text', text, ...extra, '--json'], env);
  expect(add.code, add.stderr).toBe(0);
  const pub = await runCli(['publish', '--verbose'], env);
  return { id: (JSON.parse(add.stdout) as { id: number }).id, out: pub.stdout + pub.stderr };
}

describe('LinkedIn text through the built CLI', () => {
  it('#, @, parentheses, underscores and a backslash appear exactly as typed, exactly once', async () => {
    const typed = 'Release 2.0 (finally) #launch with @ops_team: see docs\\setup_guide [v2] {beta} <3 *yay* ~ok~ a|b';
    const { out } = await scheduleAndPublish(typed);
    expect(out).toMatch(/linkedin:alice published/);
    expect(await posts(typed)).toHaveLength(1);
    // A second cron run finds nothing due: still one post.
    expect((await runCli(['publish'], env)).code).toBe(0);
    expect(await posts(typed)).toHaveLength(1);
  });

  it('--set linkedin.hashtags=text keeps # as plain text, still shown as typed', async () => {
    const typed = 'Plain #hashtag_text, not a link (on purpose)';
    await scheduleAndPublish(typed, ['--set', 'linkedin.hashtags=text']);
    expect(await posts(typed)).toHaveLength(1);
  });

  it('a lost answer is unconfirmed with the r_member_social reason, never posted twice', async () => {
    await fetch(`${pp.sandbox.origins.linkedin}/__publish/v1/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dropAfterCommit: { path: '/rest/posts' } }) });
    const typed = 'Lost answer (e2e) #reconcile';
    const { id } = await scheduleAndPublish(typed);
    await new Promise((r) => setTimeout(r, 250));
    const again = await runCli(['publish'], env);
    expect(again.stdout + again.stderr).toContain('r_member_social');
    const show = JSON.parse((await runCli(['schedule', 'show', String(id), '--json'], env)).stdout) as { targets: { state: string; reason: string }[] };
    expect(show.targets[0]).toMatchObject({ state: 'unconfirmed', reason: expect.stringContaining('r_member_social') });
    expect(await posts(typed)).toHaveLength(1);
  });
});
