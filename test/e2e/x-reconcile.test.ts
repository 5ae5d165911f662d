/**
 * X through the built CLI against the sandbox (docs/platforms/x.md#reconcile): the create
 * request's answer is lost after the post exists (connection closed after the commit, as a
 * timeout looks to the client); the next run reconciles against X's stored form (t.co link,
 * &amp;) and the account ends with exactly one post. Also: schedule add refuses a text over
 * X's weighted limit and names the setting; a configured limit (X Premium) lets it through.
 * Run `npm run build` first.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runCli } from '../helpers/cli.js';
import { sandboxPosts, startPublishProfile, type PublishProfile } from '../helpers/publish-sandbox.js';

let pp: PublishProfile;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  pp = await startPublishProfile({ platforms: ['x'] });
  env = cliEnv({ ...pp.env, TZ: 'UTC' });
}, 60_000);
afterAll(async () => pp?.close());

const control = (path: string, body: unknown) => fetch(`${pp.sandbox.origins.x}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('X reconcile (built CLI, sandbox)', () => {
  it('create answer lost after the post exists -> unconfirmed, then reconciled as published; exactly one post', async () => {
    const text = 'Release notes https://example.com/notes?a=1&b=2 & <thanks>';
    const add = await runCli(['schedule', 'add', '--to', 'x', '--at', 'now', '--text', text, '--json'], env);
    expect(add.code, add.stderr).toBe(0);
    const id = (JSON.parse(add.stdout) as { id: number }).id;
    await control('/__publish/v1/config', { dropAfterCommit: { path: '/2/tweets', count: 1 } });
    const first = await runCli(['publish'], env);
    expect(first.stdout + first.stderr).toMatch(/unconfirmed|published/);
    for (let i = 0; i < 20; i++) {
      const show = JSON.parse((await runCli(['schedule', 'show', String(id), '--json'], env)).stdout) as { status: string; targets: { state: string; remoteId: string | null }[] };
      if (show.targets[0]!.state === 'published') break;
      await new Promise((r) => setTimeout(r, 300));
      await runCli(['publish'], env);
    }
    const show = JSON.parse((await runCli(['schedule', 'show', String(id), '--json'], env)).stdout) as { targets: { state: string; remoteId: string | null }[] };
    const posts = (await sandboxPosts(pp.sandbox, 'x')).filter((p) => p.text === text);
    expect(posts).toHaveLength(1);
    expect(show.targets[0]).toMatchObject({ state: 'published', remoteId: posts[0]!.id });
  });

  it('schedule add refuses a text over the weighted limit, naming textLimits.x; the configured limit lets it through', async () => {
    const text = '漢'.repeat(141);
    const refused = await runCli(['schedule', 'add', '--to', 'x', '--at', 'now', '--text', text], env);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('X counts this text as 282 characters');
    expect(refused.stderr).toContain('textLimits.x');
    const cfgFile = join(pp.home, 'config.json');
    const cfg = JSON.parse(readFileSync(cfgFile, 'utf8')) as Record<string, unknown>;
    writeFileSync(cfgFile, JSON.stringify({ ...cfg, textLimits: { x: 25_000 } }), { mode: 0o600 });
    await control('/__publish/v1/x', { textLimit: 25_000 });
    const ok = await runCli(['schedule', 'add', '--to', 'x', '--at', 'now', '--text', text, '--json'], env);
    expect(ok.code, ok.stderr).toBe(0);
    const pub = await runCli(['publish'], env);
    expect(pub.code, pub.stderr + pub.stdout).toBe(0);
    expect((await sandboxPosts(pp.sandbox, 'x')).filter((p) => p.text === text)).toHaveLength(1);
  });
});
