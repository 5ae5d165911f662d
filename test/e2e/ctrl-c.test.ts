/** Ctrl-C at a prompt of the built CLI on a pseudo-terminal (util-linux `script`) exits 2, "cancelled", without a stack trace. */
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from '../helpers/cli.js';
import { missingPart } from '../helpers/system-part.js';

describe('a prompt interrupted', () => {
  it('Ctrl-C at a prompt exits 2 ("cancelled") without a stack trace', async (ctx) => {
    if (spawnSync('script', ['--version']).status !== 0) {
      ctx.skip(missingPart('util-linux `script` is not installed (needed for the pseudo-terminal test)'));
    }
    const home = mkdtempSync(join(tmpdir(), 'socialync-tty-'));
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'xterm', SOCIALYNC_HOME: home, SOCIALYNC_SECRET_BACKEND: 'file', SOCIALYNC_VAULT_KEY: randomBytes(32).toString('hex') };
    const child = spawn('script', ['-qfec', `"${process.execPath}" "${BIN}" app set tiktok`, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (/client id/.test(out) && !child.stdin.writableEnded) child.stdin.end('\x03');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(timer);
    expect(out).toMatch(/client id/);
    expect(out).toMatch(/error: cancelled/);
    expect(out).not.toMatch(/\n\s+at \S+ \(/);
    expect(code).toBe(2);
  });
});
