/**
 * `disconnect` asks before it revokes (the built CLI): on a real terminal (tmux) it says what
 * it revokes and how many scheduled posts will fail, and does nothing unless confirmed; off a
 * terminal it needs --yes (exit 3 naming it), and --yes skips the question. Build first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runCli } from '../helpers/cli.js';
import { startPublishProfile, type PublishProfile } from '../helpers/publish-sandbox.js';
import { hasTmux, inTerminal } from '../helpers/terminal.js';

let pp: PublishProfile;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  pp = await startPublishProfile({ platforms: ['tiktok', 'x', 'linkedin'] });
  env = cliEnv({ ...pp.env, TZ: 'UTC' });
  const add = await runCli(['schedule', 'add', '--to', 'x', '--at', '2030-01-01 09:00', '--text', 'later'], env);
  expect(add.code, add.stderr).toBe(0);
}, 60_000);
afterAll(async () => pp?.close());

const names = async () => (JSON.parse((await runCli(['status', '--json'], env)).stdout) as { platform: string }[]).map((e) => e.platform).sort();

describe('disconnect off a terminal', () => {
  it('without --yes: a usage error naming --yes (exit 3), and nothing changes', async () => {
    const r = await runCli(['disconnect', 'tiktok'], env);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/not an interactive terminal[\s\S]*run: socialync disconnect tiktok alice --yes/);
    expect(await names()).toEqual(['linkedin', 'tiktok', 'x']);
  });

  it('--yes disconnects without asking', async () => {
    const r = await runCli(['disconnect', 'tiktok', '--yes'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('✓ Disconnected tiktok/alice (revoked at the platform).');
    expect(await names()).toEqual(['linkedin', 'x']);
  });
});

describe.skipIf(!hasTmux)('disconnect on a terminal', () => {
  it('says what it revokes and what will fail; "no" (the default) keeps it (exit 2, cancelled)', async () => {
    const t = inTerminal(['disconnect', 'x'], env, { cols: 100 });
    try {
      await t.waitFor(/Disconnect x\/alice\?/);
      const screen = t.screen().join('\n');
      expect(screen).toContain("This revokes socialync's access at x and deletes the tokens stored here.");
      expect(screen).toContain('! 1 scheduled post for x/alice will fail until this account is connected again: socialync connect x --name alice');
      t.keys('Enter');
      expect(await t.done).toBe(2);
      expect(t.screen().join('\n')).toMatch(/cancelled: nothing was disconnected/);
    } finally {
      t.close();
    }
    expect(await names()).toEqual(['linkedin', 'x']);
  });

  it('Ctrl-C at the question cancels too (exit 2)', async () => {
    const t = inTerminal(['disconnect', 'x'], env, { cols: 100 });
    try {
      await t.waitFor(/Disconnect x\/alice\?/);
      t.keys('C-c');
      expect(await t.done).toBe(2);
      expect(t.screen().join('\n')).toMatch(/error: cancelled/);
    } finally {
      t.close();
    }
    expect(await names()).toEqual(['linkedin', 'x']);
  });

  it('"y" disconnects', async () => {
    const t = inTerminal(['disconnect', 'linkedin'], env, { cols: 100 });
    try {
      await t.waitFor(/Disconnect linkedin\/alice\?/);
      t.keys('y', 'Enter');
      expect(await t.done).toBe(0);
      expect(t.screen().join('\n')).toContain('✓ Disconnected linkedin/alice');
    } finally {
      t.close();
    }
    expect(await names()).toEqual(['x']);
  });
});
