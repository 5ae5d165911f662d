/**
 * Upload progress (the built CLI against the sandbox): on a real terminal (tmux) each target
 * with media gets a bar with MiB sent, speed and time left, drawn on stderr; piped, nothing of
 * it appears (no bars, no control characters). Build first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runCli } from '../helpers/cli.js';
import { startPublishProfile, type PublishProfile } from '../helpers/publish-sandbox.js';
import { hasTmux, terminalRun } from '../helpers/terminal.js';
import { tempMedia } from '../publish/kit.js';

let pp: PublishProfile;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  pp = await startPublishProfile({ platforms: ['tiktok', 'youtube'] });
  env = cliEnv({ ...pp.env, TZ: 'UTC' });
}, 60_000);
afterAll(async () => pp?.close());

const schedule = async (text: string) => {
  const video = tempMedia(3 * 1024 * 1024, 'mp4');
  const r = await runCli(['schedule', 'add', '--to', 'tiktok,youtube', '--at', 'now', '--text', text, '--title', text, '--media', video, '--set', 'tiktok.privacy=SELF_ONLY', '--set', 'youtube.privacy=private'], env);
  expect(r.code, r.stderr).toBe(0);
};

describe('upload progress', () => {
  it.skipIf(!hasTmux)('on a terminal: a bar per target with MiB, speed and time left, within the width', async () => {
    await schedule('progress on a terminal');
    const r = await terminalRun(['publish'], env, { cols: 80 });
    expect(r.code).toBe(0);
    for (const l of r.lines) expect(l.length, l).toBeLessThanOrEqual(80);
    const text = r.lines.join('\n');
    // The two uploads run at once (the publishing pool): their bars share the board, labels aligned.
    expect(text).toMatch(/^tiktok:alice {2,3}\[█+\] +100% {2}3\.0\/3\.0 MiB {2}\d+\.\d MiB\/s {2}done$/m);
    expect(text).toMatch(/^youtube:alice {2}\[█+\] +100% {2}3\.0\/3\.0 MiB {2}\d+\.\d MiB\/s {2}done$/m);
    expect(text).toMatch(/^post \d+ tiktok:alice published/m);
  });

  it('piped: no bars and no control characters', async () => {
    await schedule('progress piped');
    const r = await runCli(['publish', '--verbose'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/youtube:alice published/);
    expect(r.stderr + r.stdout).not.toMatch(/MiB|\u001b|\r/);
  });
});
