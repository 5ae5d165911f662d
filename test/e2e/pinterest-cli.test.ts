/**
 * Pinterest through the built CLI (node bin/socialync.cjs) against the sandbox: `--board` by name is
 * resolved to the board's id from the account's boards, a video file becomes a video pin once; an
 * unknown board is refused at schedule time listing the real ones; `--board` without a Pinterest target
 * is a usage error; `socialync api pinterest boards` lists them; `status` shows the 60-day refresh-token
 * deadline; a refused pin is retried once by `retry`. Rules: docs/platforms/pinterest.md. Run `npm run build` first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runCli } from '../helpers/cli.js';
import { sandboxPosts, startPublishProfile, type PublishProfile } from '../helpers/publish-sandbox.js';
import { tempMedia } from '../publish/kit.js';
import { firstBoardOf } from '../../src/sandbox/pinterest-publish.js';

let pp: PublishProfile;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  pp = await startPublishProfile({ platforms: ['pinterest', 'x'] });
  env = cliEnv({ ...pp.env, TZ: 'UTC' });
}, 60_000);
afterAll(async () => pp?.close());

describe('socialync with Pinterest (built CLI)', () => {
  it('schedule add --board <name> pins a video file once, on that board', async () => {
    const add = await runCli(['schedule', 'add', '--to', 'pinterest', '--at', 'now', '--text', 'cli video pin', '--title', 'Soup', '--board', 'ideas', '--media', tempMedia(2 * 1024 * 1024, 'mp4'), '--json'], env);
    expect(add.code, add.stderr).toBe(0);
    const pub = await runCli(['publish'], env);
    expect(pub.code, pub.stderr + pub.stdout).toBe(0);
    const pins = (await sandboxPosts(pp.sandbox, 'pinterest')).filter((p) => p.text === 'cli video pin');
    expect(pins).toMatchObject([{ kind: 'video', title: 'Soup', page: firstBoardOf(pp.conns.pinterest!.accountId) }]);
  });

  it('a pin Pinterest refuses (403) fails without an automatic retry; retry pins it exactly once', async () => {
    await fetch(`${pp.sandbox.origins.pinterest}/__sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ path: '/v5/pins', method: 'POST', status: 403, body: { code: 29, message: 'You are not permitted to access that resource.' }, count: 1 }) });
    const add = await runCli(['schedule', 'add', '--to', 'pinterest', '--at', 'now', '--text', 'cli retry pin', '--board', 'Recipes', '--media', 'https://cdn.example.com/a.jpg'], env);
    expect(add.code, add.stderr).toBe(0);
    expect((await runCli(['publish'], env)).code).toBe(1);
    expect((await runCli(['retry', '--all-failed', '--yes'], env)).code).toBe(0);
    expect((await runCli(['retry', '--all-failed', '--yes'], env)).code).toBe(0);
    expect((await sandboxPosts(pp.sandbox, 'pinterest')).filter((p) => p.text === 'cli retry pin')).toHaveLength(1);
  });

  it('an unknown board is refused at schedule time (exit 3), naming the boards there are', async () => {
    const r = await runCli(['schedule', 'add', '--to', 'pinterest', '--at', 'now', '--text', 'x', '--board', 'Holidays', '--media', 'https://cdn.example.com/a.jpg'], env);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/no board "Holidays"/);
    expect(r.stderr).toMatch(/Ideas \(\d+\), Recipes \(\d+\)/);
  });

  it('--board without a Pinterest target is a usage error', async () => {
    const r = await runCli(['schedule', 'add', '--to', 'x', '--at', 'now', '--text', 'x', '--board', 'Ideas'], env);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/--board is for Pinterest pins/);
  });

  it('api pinterest boards lists the boards; status shows the refresh-token deadline (about 60 days)', async () => {
    const api = await runCli(['api', 'pinterest', 'boards'], env);
    expect(api.code, api.stderr).toBe(0);
    expect((JSON.parse(api.stdout) as { items: { name: string }[] }).items.map((b) => b.name)).toEqual(['Ideas', 'Recipes']);
    const st = JSON.parse((await runCli(['status', '--json'], env)).stdout) as { platform: string; daysUntilReconnect: number }[];
    const pin = st.find((e) => e.platform === 'pinterest')!;
    expect(pin.daysUntilReconnect).toBeGreaterThanOrEqual(59);
    expect(pin.daysUntilReconnect).toBeLessThanOrEqual(60);
  });
});
