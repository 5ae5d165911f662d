/**
 * `socialync connect bluesky --handle …` off the network, through the built binary: the handle
 * cannot be looked up, so the error says so in one line (the network, not the handle), exits 6
 * (temporary failure, README "Exit codes") and names the fix: check the network and the handle,
 * then the same command again. Both ways a handle is looked up (docs/platforms/bluesky.md#oauth):
 * through a `handles` host (XRPC resolveHandle; the sandbox's way) that does not answer, and
 * through DNS/HTTPS, where the library reports any failure as "does not resolve" and socialync
 * asks Bluesky's entryway whether the network is there at all. With the entryway answering, an
 * unknown handle stays a usage error (exit 3). Run `npm run build` first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliEnv, runCli } from '../helpers/cli.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';

let home = '';
let closed = '';
let sandbox: Sandbox;

/** An origin on this machine where nothing listens (a port taken, then freed). */
async function closedOrigin(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

const vaultKey = randomBytes(32).toString('hex');
const env = (hosts: Record<string, string>) => cliEnv({ SOCIALYNC_HOME: home, SOCIALYNC_SECRET_BACKEND: 'file', SOCIALYNC_VAULT_KEY: vaultKey, ...hosts });

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'socialync-offline-'));
  closed = await closedOrigin();
  sandbox = await startSandbox({ platforms: ['bluesky'] });
});
afterAll(async () => {
  await sandbox?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

/** Exit 6; one error line naming the handle and the network, then one line with the fix and the same command. */
function expectOffline(r: { code: number | null; stdout: string; stderr: string }, handle: string, again: string): void {
  expect(r.code, r.stderr).toBe(6);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(2);
  expect(lines[0]).toMatch(new RegExp(`^error: bluesky: cannot look up the handle ${handle.replace(/\./g, '\\.')}: no answer over the network \\(.*ECONNREFUSED.*\\)$`));
  expect(lines[1]).toBe(`  check the network connection and the handle ${handle}, then run: ${again}`);
}

describe('connect bluesky --handle, offline', () => {
  it('the handles host does not answer: exit 6, the network named, the same command to run again', async () => {
    const r = await runCli(['connect', 'bluesky', '--handle', 'alice.test', '--name', 'my sky', '--no-browser', '--timeout', '5'], env({ SOCIALYNC_BLUESKY_HANDLES_URL: closed }));
    expectOffline(r, 'alice.test', "socialync connect bluesky --name 'my sky' --handle alice.test --no-browser");
  }, 30_000);

  it('DNS/HTTPS lookup with Bluesky unreachable: the network, not the handle (exit 6)', async () => {
    // alice.invalid never resolves (RFC 2606), online or not; the entryway and PLC do not answer.
    const r = await runCli(['connect', 'bluesky', '--handle', 'alice.invalid', '--no-browser', '--timeout', '5'], env({ SOCIALYNC_BLUESKY_ENTRYWAY_URL: closed, SOCIALYNC_BLUESKY_PLC_URL: closed }));
    expectOffline(r, 'alice.invalid', 'socialync connect bluesky --handle alice.invalid --no-browser');
  }, 30_000);

  it('DNS/HTTPS lookup with Bluesky answering: an unknown handle is the user input (exit 3, check the handle)', async () => {
    const origin = sandbox.origins.bluesky;
    const r = await runCli(['connect', 'bluesky', '--handle', 'alice.invalid', '--no-browser', '--timeout', '5'], env({ SOCIALYNC_BLUESKY_ENTRYWAY_URL: origin, SOCIALYNC_BLUESKY_PLC_URL: origin }));
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain('cannot start the login for alice.invalid');
    expect(r.stderr).toContain('check the handle (e.g. alice.bsky.social, or your own domain), then run: socialync connect bluesky --handle <your-handle>');
  }, 30_000);
});
