/**
 * The sandbox as a place to learn (issue 13 item 12), through the built binary: `sandbox serve`
 * prints how to make connections expire or be revoked, and `sandbox expire|revoke` do it on the
 * running sandbox; serve works with SOCIALYNC_VAULT_KEY exported, removes its temporary profile
 * on Ctrl-C unless --keep; `sandbox demo` on a terminal never stops at a prompt.
 */
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedConnection } from '../../src/sandbox/seed.js';
import { PLATFORMS } from '../../src/providers/types.js';
import { makeTestDeps } from '../helpers/deps.js';
import { BIN, cliEnv, runCli, startCli } from '../helpers/cli.js';
import { missingPart } from '../helpers/system-part.js';

const realKey = 'd'.repeat(64);

async function serve(args: string[] = []) {
  const run = startCli(['sandbox', 'serve', '--auto-approve', ...args], cliEnv({ SOCIALYNC_VAULT_KEY: realKey, SOCIALYNC_SECRET_BACKEND: 'file' }));
  const line = (await run.waitFor(/^export SOCIALYNC_HOME='([^']+)'(.*)$/m))!;
  await run.waitFor(/Press Ctrl-C to stop/);
  return { run, dir: line[1]!, rest: line[2]! };
}

describe('sandbox serve', () => {
  it('prints the guide; expire and revoke through the CLI change what refresh and status see; Ctrl-C removes the profile', async () => {
    const { run, dir, rest } = await serve();
    try {
      // The exported key belongs to the real profile: the printed line unsets it for the sandbox shell.
      expect(rest).toBe('; unset SOCIALYNC_VAULT_KEY SOCIALYNC_SECRET_BACKEND');
      const guide = (await run.waitFor(/Make happen[\s\S]*Press Ctrl-C/))[0];
      expect(guide).toMatch(/socialync sandbox expire tiktok/);
      expect(guide).toMatch(/socialync sandbox revoke linkedin/);
      expect(guide).toMatch(/socialync sandbox password-change facebook/);
      const t = makeTestDeps({ home: dir, env: { SOCIALYNC_VAULT_KEY: '' } });
      await seedConnection(t.deps, 'tiktok', 'alice');
      await t.deps.close();
      const env = cliEnv({ SOCIALYNC_HOME: dir });

      const expire = await runCli(['sandbox', 'expire', 'tiktok'], env);
      expect(expire.code, expire.stderr).toBe(0);
      expect(expire.stderr).toMatch(/✓ tiktok: access token expired for 1 connection on the sandbox\.\nSee what socialync makes of it: socialync refresh/);
      const renewed = await runCli(['refresh', '--json'], env);
      expect(renewed.code, renewed.stderr).toBe(0);
      expect(JSON.parse(renewed.stdout).results[0]).toMatchObject({ account: 'alice', status: 'refreshed' });

      expect((await runCli(['sandbox', 'revoke', 'tiktok', '--account', 'alice'], env)).code).toBe(0);
      const dead = await runCli(['refresh', '--force', '--json'], env);
      expect(dead.code).toBe(4);
      expect(JSON.parse(dead.stdout).results[0]).toMatchObject({ status: 'reconnect_needed', fix: 'socialync connect tiktok --name alice' });
      const status = await runCli(['status', '--json'], env);
      expect(status.code).toBe(4);
      expect(JSON.parse(status.stdout)[0]).toMatchObject({ health: 'needs_reconnect', fix: 'socialync connect tiktok --name alice' });

      const again = await runCli(['sandbox', 'revoke', 'tiktok'], env);
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/nothing to change: no live tokens/);
    } finally {
      run.child.kill('SIGINT');
    }
    const end = await run.done;
    expect(end.code, end.stderr).toBe(0);
    expect(end.stderr).toMatch(/Sandbox stopped; profile .* removed/);
    expect(existsSync(dir)).toBe(false);
    // The sandbox is gone: the commands say so and what to run.
    const t2 = makeTestDeps();
    await t2.deps.config.set('sandbox', { demo: true });
    await t2.deps.config.set('endpoints', { tiktok: { www: 'http://127.0.0.1:9', api: 'http://127.0.0.1:9' } });
    const gone = await runCli(['sandbox', 'expire', 'tiktok'], cliEnv({ SOCIALYNC_HOME: t2.home }));
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/does not answer[\s\S]*socialync sandbox serve/);
  });

  it('--keep keeps the temporary profile; a profile that is not a sandbox one is refused', async () => {
    const { run, dir } = await serve(['--keep']);
    run.child.kill('SIGTERM');
    expect((await run.done).code).toBe(0);
    expect(existsSync(join(dir, 'config.json'))).toBe(true);
    const plain = await runCli(['sandbox', 'revoke', 'tiktok'], cliEnv({ SOCIALYNC_HOME: mkdtempSync(join(tmpdir(), 'socialync-plain-')) }));
    expect(plain.code).toBe(3);
    expect(plain.stderr).toMatch(/not a sandbox profile[\s\S]*socialync sandbox serve/);
  });
});

describe('sandbox demo on a terminal', () => {
  it('never stops at a prompt (the Facebook Page is chosen for it)', async (ctx) => {
    if (spawnSync('script', ['--version']).status !== 0) {
      return ctx.skip(missingPart('util-linux `script` is not installed (needed for the pseudo-terminal test)'));
    }
    const dir = join(mkdtempSync(join(tmpdir(), 'socialync-demo-tty-')), 'profile');
    const env = cliEnv({ TERM: 'xterm' });
    delete env.CI; // a terminal where prompting is allowed
    const child = spawn('script', ['-qfec', `"${process.execPath}" "${BIN}" sandbox demo --dir "${dir}"`, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(timer);
    expect(out).not.toMatch(/Which one\?/);
    expect(out).toContain(`socialync publish: ${PLATFORMS.length} of ${PLATFORMS.length} published`);
    expect(code, out.slice(-2000)).toBe(0);
  }, 150_000);
});
