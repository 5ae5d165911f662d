/**
 * `publish` as cron runs it (the built CLI, stdout and stderr pipes): a tick that publishes
 * prints nothing, so cron sends no mail; a failure prints its line and the fix. Build first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runCli } from '../helpers/cli.js';
import { sandboxPosts, startPublishProfile, type PublishProfile } from '../helpers/publish-sandbox.js';

let pp: PublishProfile;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  pp = await startPublishProfile({ platforms: ['x', 'linkedin'] });
  env = cliEnv({ ...pp.env, TZ: 'UTC' });
}, 60_000);
afterAll(async () => pp?.close());

const schedule = async (to: string, text: string) => {
  const r = await runCli(['schedule', 'add', '--to', to, '--at', 'now', '--text', text, '--json'], env);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { id: number }).id;
};

describe('publish off a terminal (cron)', () => {
  it('publishing is silent: empty stdout and stderr, exit 0, with or without --quiet', async () => {
    await schedule('x,linkedin', 'quiet tick');
    const r = await runCli(['publish'], env);
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
    expect((await sandboxPosts(pp.sandbox, 'x')).map((p) => p.text)).toContain('quiet tick');
    await schedule('linkedin', 'quiet tick 2');
    expect(await runCli(['publish', '--quiet'], env)).toEqual({ code: 0, stdout: '', stderr: '' });
    expect((await sandboxPosts(pp.sandbox, 'linkedin')).map((p) => p.text)).toContain('quiet tick 2');
    // Nothing due: silent too.
    expect(await runCli(['publish'], env)).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('--verbose lists what was published', async () => {
    const id = await schedule('x', 'verbose tick');
    const r = await runCli(['publish', '--verbose'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^post ${id} x:alice published https://x\\.com/`, 'm'));
  });

  it('a failure prints its line with the fix, even with --quiet (exit 4)', async () => {
    const id = await schedule('x', 'doomed tick');
    pp.sandbox.control.platform('x').revoke('alice');
    const r = await runCli(['publish', '--quiet'], env);
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(new RegExp(`^post ${id} x:alice failed: token expired — run socialync connect x --name alice$`, 'm'));
  });
});
