/**
 * The built CLI (node bin/socialync.cjs, as cron runs it) against the sandbox:
 * schedule add/list/show/edit/cancel, a cron-style `publish`, DST errors, and
 * the daemon finishing its step and exiting 0 on SIGTERM. Run `npm run build` first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runCli, startCli } from '../helpers/cli.js';
import { sandboxPosts, startPublishProfile, type PublishProfile } from '../helpers/publish-sandbox.js';
import { tempMedia } from '../publish/kit.js';

let pp: PublishProfile;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  pp = await startPublishProfile();
  env = cliEnv({ ...pp.env, TZ: 'UTC' });
}, 60_000);
afterAll(async () => pp?.close());

describe('socialync schedule + publish (built CLI)', () => {
  it('schedules to all six with a video, lists it, publishes it from a cron-style run, shows the result', async () => {
    const video = tempMedia(2 * 1024 * 1024, 'mp4');
    const add = await runCli(
      ['schedule', 'add', '--to', 'instagram,facebook,tiktok,youtube,x,linkedin', '--at', 'now', '--text', 'CLI launch', '--title', 'CLI launch', '--media', video,
        '--set', 'tiktok.privacy=SELF_ONLY', '--set', 'youtube.privacy=private', '--json'],
      env,
    );
    expect(add.code, add.stderr).toBe(0);
    const id = (JSON.parse(add.stdout) as { id: number }).id;
    const list = await runCli(['schedule', 'list'], env);
    expect(list.stdout).toMatch(new RegExp(`^${id}\\t\\d{4}-\\d{2}-\\d{2}T[\\d:.]+Z\\tscheduled\\tinstagram:scheduled,facebook:scheduled,tiktok:scheduled,youtube:scheduled,x:scheduled,linkedin:scheduled\\tCLI launch$`, 'm'));
    const pub = await runCli(['publish', '--verbose'], env);
    expect(pub.code, pub.stderr + pub.stdout).toBe(0);
    expect(pub.stdout, pub.stderr).toContain('published');
    expect(pub.stdout.split('\n').filter((l) => / published /.test(l))).toHaveLength(6);
    for (const p of ['instagram', 'facebook', 'tiktok', 'youtube', 'x', 'linkedin'] as const) expect(await sandboxPosts(pp.sandbox, p)).toHaveLength(1);
    const show = await runCli(['schedule', 'show', String(id), '--json'], env);
    const s = JSON.parse(show.stdout) as { status: string; targets: { platform: string; url: string | null }[] };
    expect(s.status).toBe('published');
    expect(s.targets.find((t) => t.platform === 'x')?.url).toMatch(/^https:\/\/x\.com\/i\/web\/status\//);
    expect((await runCli(['schedule', 'list', '--status', 'published', '--json'], env)).stdout).toContain(`"id": ${id}`);
  });

  // Dates in 2030 so the test does not turn into "in the past" as time goes by.
  it('DST: a nonexistent local time is a usage error naming the nearest valid times; an ambiguous one needs --earlier/--later', async () => {
    const gap = await runCli(['schedule', 'add', '--to', 'x', '--at', '2030-03-31 02:30', '--tz', 'Europe/Berlin', '--text', 'dst'], env);
    expect(gap.code).toBe(3);
    expect(gap.stderr).toContain('2030-03-31 02:30 does not exist in Europe/Berlin');
    expect(gap.stderr).toContain('2030-03-31 01:59 and 2030-03-31 03:00');
    const amb = await runCli(['schedule', 'add', '--to', 'x', '--at', '2030-11-03 01:30', '--tz', 'America/New_York', '--text', 'dst'], env);
    expect(amb.code).toBe(3);
    expect(amb.stderr).toMatch(/happens twice[\s\S]*--earlier/);
    const later = await runCli(['schedule', 'add', '--to', 'x', '--at', '2030-11-03 01:30', '--tz', 'America/New_York', '--later', '--text', 'dst later', '--json'], env);
    expect(later.code, later.stderr).toBe(0);
    expect(JSON.parse(later.stdout)).toMatchObject({ scheduledAt: '2030-11-03T06:30:00.000Z', tz: 'America/New_York' });
    const id = String((JSON.parse(later.stdout) as { id: number }).id);
    const edit = await runCli(['schedule', 'edit', id, '--at', '2030-10-06 02:15', '--tz', 'Australia/Lord_Howe'], env);
    expect(edit.code).toBe(3);
    expect(edit.stderr).toContain('2030-10-06 01:59 and 2030-10-06 02:30');
    expect((await runCli(['schedule', 'cancel', id], env)).code).toBe(0);
    expect((await runCli(['schedule', 'list', '--status', 'cancelled'], env)).stdout).toContain(`${id}\t2030-11-03T06:30:00.000Z\tcancelled`);
  });

  it('missing flags without a terminal name the flag instead of prompting', async () => {
    const r = await runCli(['schedule', 'add', '--to', 'x'], env);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('missing --at, --text or --media');
  });

  it('daemon: publishes what becomes due, then SIGTERM lets it finish and exit 0', async () => {
    const d = startCli(['daemon', '--no-refresh'], env);
    await d.waitFor(/refreshing tokens hourly|publishing due posts/);
    const add = await runCli(['schedule', 'add', '--to', 'linkedin,x', '--at', 'now', '--text', 'from the daemon'], env);
    expect(add.code, add.stderr).toBe(0);
    await d.waitFor(/linkedin:alice published[\s\S]*x:alice published|x:alice published[\s\S]*linkedin:alice published/, 20_000);
    d.child.kill('SIGTERM');
    const r = await d.done;
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('daemon: stopped');
  });
});
