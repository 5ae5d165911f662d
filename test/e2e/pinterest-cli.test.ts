/**
 * Pinterest through the built CLI (node bin/socialync.cjs) against the sandbox: `--board` by name is
 * resolved to the board's id from the account's boards, a video file becomes a video pin once; an
 * unknown board is refused at schedule time listing the real ones; `--board` without a Pinterest target
 * is a usage error; `socialync api pinterest boards` lists them; `status` shows the 60-day refresh-token
 * deadline. Rules: docs/platforms/pinterest.md. Run `npm run build` first.
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
