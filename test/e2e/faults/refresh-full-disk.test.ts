/**
 * Issue 11 item 2: the vault folder on a full disk during `refresh --force` of rotating
 * connections (X: reusing a spent refresh token revokes the whole family). The built CLI
 * against the sandbox; the vault folder (and for the last case the recovery folder too) is a
 * small tmpfs filled to the last byte (needs root for mount(8); skipped with a reason
 * otherwise, failing under CI).
 *
 * Asserts: the platform's new tokens are never lost, the spent token is never sent again
 * (the sandbox counts reuse), exit code and message name the disk and the fix, and every
 * other connection, secret and post is intact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { missingPart } from '../../helpers/system-part.js';
import { filesIn, reuseStats, snapshot, startFaultProfile, type FaultProfile } from './refresh-fault-kit.js';

let p: FaultProfile;
const mounted: string[] = [];
let skipReason = '';

function sh(cmd: string, args: string[]): { ok: boolean; err: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return { ok: r.status === 0, err: `${r.stderr ?? ''}${r.error?.message ?? ''}` };
}

/** Puts `dir` (keeping its files) on a tmpfs of `kb` KiB, then fills it; returns the filler's path. */
function fullTmpfs(dir: string, kb: number): string {
  const keep = mkdtempSync(join(tmpdir(), 'socialync-keep-'));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  cpSync(dir, keep, { recursive: true });
  const m = sh('mount', ['-t', 'tmpfs', '-o', `size=${kb}k,mode=0700`, 'tmpfs', dir]);
  if (!m.ok) throw new Error(`mount: ${m.err}`);
  mounted.push(dir);
  cpSync(keep, dir, { recursive: true });
  rmSync(keep, { recursive: true, force: true });
  const filler = join(dir, '.filler');
  const fd = openSync(filler, 'w');
  const chunk = Buffer.alloc(4096);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    closeSync(fd);
  }
  // tmpfs keeps whole pages: fill the last partial one byte by byte.
  const fd2 = openSync(filler, 'a');
  try {
    for (;;) writeSync(fd2, Buffer.alloc(1));
  } catch {
    /* full */
  } finally {
    closeSync(fd2);
  }
  return filler;
}

beforeAll(async () => {
  p = await startFaultProfile([
    { platform: 'x', account: 'alice' },
    { platform: 'x', account: 'bob' },
    { platform: 'tiktok', account: 'carol' },
  ]);
  if (process.getuid?.() !== 0) skipReason = 'needs root to mount a tmpfs';
  else {
    const probe = mkdtempSync(join(tmpdir(), 'socialync-probe-'));
    const m = sh('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe]);
    if (m.ok) sh('umount', [probe]);
    else skipReason = `mount -t tmpfs failed: ${m.err.trim()}`;
    rmSync(probe, { recursive: true, force: true });
  }
  if (skipReason) missingPart(`refresh-full-disk: ${skipReason}`);
}, 120_000);

afterAll(async () => {
  for (const d of mounted.reverse()) sh('umount', ['-l', d]);
  await p?.close();
});

describe('refresh --force with the vault folder on a full disk', () => {
  it('keeps the rotated tokens in an encrypted copy aside, never re-sends the spent token, and moves them back once there is space', async (ctx) => {
    if (skipReason) return ctx.skip();
    const vault = join(p.home, 'vault');
    const before = await snapshot(p);
    const filler = fullTmpfs(vault, 256);
    const s0 = reuseStats(p);

    const r = await runCli(['refresh', 'x', '--account', 'alice', '--force'], p.env);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/x\/alice: refresh failed: refreshed, but the vault folder could not take the new tokens \(ENOSPC: no space left on device\); they are kept, encrypted, in .*recovery/);
    expect(r.stderr).toContain(`free space in ${vault} (df -h ${vault}), then run: socialync refresh`);
    expect(reuseStats(p)).toEqual({ refreshes: s0.refreshes + 1, reused: 0 });
    expect(filesIn(join(p.home, 'recovery'))).toHaveLength(1);

    // Still full: the copy set aside is what every later run reads; its token (not the spent one) goes out.
    const again = await runCli(['refresh', 'x', '--account', 'alice', '--force'], p.env);
    expect(again.code, again.stderr).toBe(1);
    expect(reuseStats(p)).toEqual({ refreshes: s0.refreshes + 2, reused: 0 });
    const status = await runCli(['status', 'x', '--json'], p.env);
    expect(JSON.parse(status.stdout).map((e: { account: string; health: string }) => `${e.account}:${e.health}`)).toEqual(['alice:healthy', 'bob:healthy']);

    // Space again: the next run moves the copy back into the vault and refreshes normally.
    unlinkSync(filler);
    const ok = await runCli(['refresh', 'x', '--account', 'alice', '--force'], p.env);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toBe('');
    expect(filesIn(join(p.home, 'recovery'))).toEqual([]);
    expect(reuseStats(p).reused).toBe(0);
    const after = await snapshot(p);
    expect(after).toEqual(before);
    expect(after.conns.every((c) => c.tokens === 'valid' && c.health === 'healthy')).toBe(true);
  }, 120_000);

  it('with no folder able to take them, the connection needs a reconnect (refresh_interrupted), and the spent token is never sent again', async (ctx) => {
    if (skipReason) return ctx.skip();
    const fillers = [fullTmpfs(join(p.home, 'recovery'), 64), fullTmpfs(join(p.home, 'vault'), 256)];
    const s0 = reuseStats(p);
    const r = await runCli(['refresh', 'x', '--account', 'bob', '--force'], p.env);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/x\/bob: needs a reconnect: refresh interrupted: the platform may have rotated the token: it issued new tokens that could not be stored anywhere \(ENOSPC: no space left on device; no folder could take a copy \(.*recovery: ENOSPC\)\); the old refresh token is spent\. Run: socialync connect x --name bob/);
    expect(reuseStats(p)).toEqual({ refreshes: s0.refreshes + 1, reused: 0 });
    // Space again, and --force: still never sent (the journal says the stored token is spent).
    for (const f of fillers) unlinkSync(f);
    const again = await runCli(['refresh', 'x', '--account', 'bob', '--force', '--json'], p.env);
    expect(again.code).toBe(4);
    expect(JSON.parse(again.stdout).results[0]).toMatchObject({ status: 'reconnect_needed', reason: 'refresh_interrupted', fix: 'socialync connect x --name bob' });
    expect(reuseStats(p)).toEqual({ refreshes: s0.refreshes + 1, reused: 0 });
    // Everything else intact.
    const after = await snapshot(p);
    expect(after.conns.filter((c) => c.name !== 'bob')).toEqual([
      { platform: 'tiktok', name: 'carol', health: 'healthy', reason: null, tokens: 'valid' },
      { platform: 'x', name: 'alice', health: 'healthy', reason: null, tokens: 'valid' },
      { platform: 'youtube', name: 'bystander', health: 'healthy', reason: null, tokens: 'valid' },
    ]);
    expect(after.conns.find((c) => c.name === 'bob')).toMatchObject({ health: 'needs_reconnect', reason: 'refresh_interrupted' });
    expect(after.posts).toEqual(['kept through every fault: youtube:scheduled']);
  }, 120_000);
});
