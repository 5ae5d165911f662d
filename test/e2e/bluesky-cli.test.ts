/**
 * Bluesky through the built CLI against the sandbox (docs/platforms/bluesky.md): no app to set
 * up, schedule add refusing text over 300 graphemes and a fifth image, an image post with alt
 * text, a lost createRecord answer that `retry` reconciles into exactly one post, and `refresh
 * --force` rotating the single-use refresh token while status keeps the 2-week session end.
 * Run `npm run build` first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runCli } from '../helpers/cli.js';
import { sandboxPosts, startPublishProfile, type PublishProfile } from '../helpers/publish-sandbox.js';
import { tempMedia } from '../publish/kit.js';
import { loadTokens } from '../../src/auth/tokens.js';
import { resourceSession } from '../../src/providers/bluesky-session.js';

let pp: PublishProfile;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  pp = await startPublishProfile({ platforms: ['bluesky'] });
  env = cliEnv({ ...pp.env, TZ: 'UTC' });
}, 60_000);
afterAll(async () => pp?.close());

const control = (path: string, body: unknown) => fetch(`${pp.sandbox.origins.bluesky}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function add(args: string[]): Promise<number> {
  const r = await runCli(['schedule', 'add', '--to', 'bluesky', '--at', 'now', ...args, '--json'], env);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { id: number }).id;
}

describe('Bluesky (built CLI, sandbox)', () => {
  it('app set bluesky is refused: there is no app to register', async () => {
    const r = await runCli(['app', 'set', 'bluesky', '--client-id', 'x'], env);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('bluesky needs no app');
    expect(r.stderr).toContain('socialync connect bluesky --handle');
  });

  it('connect with a handle that resolves to no account is a usage error naming the handle and the fix', async () => {
    const r = await runCli(['connect', 'bluesky', '--handle', 'nobody.example.com', '--no-browser', '--timeout', '5'], env);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('cannot start the login for nobody.example.com');
    expect(r.stderr).toContain('socialync connect bluesky --handle <your-handle>');
  });

  it('schedule add: 300 graphemes pass, 301 are refused with the count; a fifth image is refused', async () => {
    await add(['--text', '🦋'.repeat(300)]);
    const pub = await runCli(['publish'], env);
    expect(pub.code, pub.stderr + pub.stdout).toBe(0);
    expect((await sandboxPosts(pp.sandbox, 'bluesky')).filter((p) => p.text === '🦋'.repeat(300))).toHaveLength(1);
    const over = await runCli(['schedule', 'add', '--to', 'bluesky', '--at', 'now', '--text', '🦋'.repeat(301)], env);
    expect(over.code).toBe(3);
    expect(over.stderr).toContain('this text has 301');
    const imgs = Array.from({ length: 5 }, () => ['--media', tempMedia(2048, 'png')]).flat();
    const five = await runCli(['schedule', 'add', '--to', 'bluesky', '--at', 'now', '--text', 'five', ...imgs], env);
    expect(five.code).toBe(3);
    expect(five.stderr).toContain('at most 4 images per post');
  });

  it('an image post with alt text is published once, with the alt text in the record', async () => {
    const text = `image post ${Date.now()}`;
    const id = await add(['--text', text, '--media', tempMedia(4096, 'png'), '--set', 'bluesky.alt=A butterfly on a leaf']);
    const pub = await runCli(['publish'], env);
    expect(pub.code, pub.stderr + pub.stdout).toBe(0);
    const posts = (await sandboxPosts(pp.sandbox, 'bluesky')).filter((p) => p.text === text);
    expect(posts).toHaveLength(1);
    expect((posts[0] as { kind?: string }).kind).toBe('image');
    const show = JSON.parse((await runCli(['schedule', 'show', String(id), '--json'], env)).stdout) as { targets: { state: string; url: string | null }[] };
    expect(show.targets[0]).toMatchObject({ state: 'published', url: expect.stringMatching(/^https:\/\/bsky\.app\/profile\/did:plc:/) });
    const session = await resourceSession(await loadTokens(pp.deps, pp.conns.bluesky!), await pp.deps.providerDeps('bluesky'));
    const [, , did, coll, rkey] = posts[0]!.id.split('/');
    const rec = (await (await session.fetchHandler(`/xrpc/com.atproto.repo.getRecord?repo=${did}&collection=${coll}&rkey=${rkey}`, { method: 'GET' })).json()) as { value: { embed: { images: { alt: string }[] } } };
    expect(rec.value.embed.images.map((i) => i.alt)).toEqual(['A butterfly on a leaf']);
  });

  it('createRecord answer lost after the post exists: the next run reconciles it; exactly one post', async () => {
    const text = `lost answer ${Date.now()}`;
    const id = await add(['--text', text]);
    await control('/__publish/v1/config', { dropAfterCommit: { path: '/xrpc/com.atproto.repo.createRecord', count: 1 } });
    await runCli(['publish'], env);
    for (let i = 0; i < 20; i++) {
      const show = JSON.parse((await runCli(['schedule', 'show', String(id), '--json'], env)).stdout) as { targets: { state: string }[] };
      if (show.targets[0]!.state === 'published') break;
      await new Promise((r) => setTimeout(r, 300));
      await runCli(['retry', String(id)], env);
      await runCli(['publish'], env);
    }
    const show = JSON.parse((await runCli(['schedule', 'show', String(id), '--json'], env)).stdout) as { targets: { state: string; remoteId: string | null }[] };
    const posts = (await sandboxPosts(pp.sandbox, 'bluesky')).filter((p) => p.text === text);
    expect(posts).toHaveLength(1);
    expect(show.targets[0]).toMatchObject({ state: 'published', remoteId: posts[0]!.id });
  });

  it('refresh --force rotates the refresh token (the old one is dead), keeps the DPoP key, and status keeps the 2-week session end', async () => {
    const conn = pp.conns.bluesky!;
    const before = await loadTokens(pp.deps, conn);
    const r = await runCli(['refresh', '--force', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const after = await loadTokens(pp.deps, conn);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(pp.sandbox.control.validate(before.refreshToken!).valid).toBe(false);
    expect(pp.sandbox.control.validate(after.accessToken).valid).toBe(true);
    expect(after.extra!['dpopJwk']).toBe(before.extra!['dpopJwk']);
    const status = JSON.parse((await runCli(['status', '--json'], env)).stdout) as { platform: string; health: string; daysUntilReconnect: number; reconnectBy: string }[];
    const e = status.find((s) => s.platform === 'bluesky')!;
    expect(e.health).toBe('healthy');
    expect(e.daysUntilReconnect).toBe(13);
    expect(Date.parse(e.reconnectBy)).toBe(before.refreshExpiresAt);
  });

  it('--debug shows the HTTP calls of a refresh and a publish but never a token, the DPoP key or a service token', async () => {
    await add(['--text', `debug ${Date.now()}`, '--media', tempMedia(40_000, 'mp4', true)]);
    const ref = await runCli(['refresh', '--force', '--debug'], env);
    const pub = await runCli(['publish', '--debug'], env);
    expect(pub.code, pub.stderr).toBe(0);
    const out = ref.stderr + ref.stdout + pub.stderr + pub.stdout;
    expect(out).toMatch(/POST \S+\/oauth\/token/);
    expect(out).toMatch(/app\.bsky\.video\.uploadVideo/);
    const t = await loadTokens(pp.deps, pp.conns.bluesky!);
    const secrets = [t.accessToken, t.refreshToken!, (JSON.parse(t.extra!['dpopJwk']!) as { d: string }).d];
    for (const s of secrets) expect(out.includes(s)).toBe(false);
    expect(out).not.toMatch(/svc\.[A-Za-z0-9_-]{10,}/);
  });
});
