/**
 * A target's hold (hold.ts): a lost claim or slot aborts the upload's platform calls, both
 * kinds (fetch and a streamed file upload), through the real HTTP client against a server
 * that never answers; calls of other targets are not touched.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHttp } from '../core/http.js';
import type { ProviderDeps } from '../providers/types.js';
import { abortableDeps, ClaimLostError, Hold } from './hold.js';

let server: Server | undefined;
let dir: string | undefined;
afterEach(() => {
  server?.closeAllConnections();
  server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  server = dir = undefined;
});

/** A platform that reads requests and never answers. */
async function silentPlatform(): Promise<string> {
  server = createServer((req) => req.resume());
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('a target hold', () => {
  it('lost while a fetch and a file upload wait on the platform: both stop with the reason; a call outside the hold goes on', async () => {
    const origin = await silentPlatform();
    dir = mkdtempSync(join(tmpdir(), 'hold-'));
    writeFileSync(join(dir, 'v.bin'), Buffer.alloc(64 * 1024, 1));
    const base = { http: createHttp({ timeoutMs: 30_000 }) } as ProviderDeps;
    const hold = new Hold();
    let lost = false;
    hold.watch(50, () => (lost ? new ClaimLostError('lost the claim on target 7') : undefined));
    const pd = abortableDeps(base, hold.signal);
    const t0 = performance.now();
    const fetching = pd.http.fetch(`${origin}/status`);
    const uploading = pd.http.upload(`${origin}/upload`, { method: 'PUT', headers: {}, path: join(dir, 'v.bin'), start: 0, end: 64 * 1024 - 1 });
    let outsideSettled = false;
    void base.http.fetch(`${origin}/other`).finally(() => (outsideSettled = true)).catch(() => undefined);
    setTimeout(() => (lost = true), 200);
    await expect(fetching).rejects.toThrow();
    await expect(uploading).rejects.toThrow();
    expect(performance.now() - t0).toBeLessThan(3_000);
    expect(hold.lost).toBeInstanceOf(ClaimLostError);
    expect(outsideSettled).toBe(false);
    hold.release();
  });

  it('held: its checks run every interval until released, and nothing is aborted', async () => {
    const hold = new Hold();
    let checks = 0;
    hold.watch(20, () => void checks++);
    await new Promise((r) => setTimeout(r, 150));
    hold.release();
    const seen = checks;
    expect(seen).toBeGreaterThanOrEqual(3);
    await new Promise((r) => setTimeout(r, 80));
    expect(checks).toBe(seen);
    expect(hold.lost).toBeUndefined();
    expect(hold.signal.aborted).toBe(false);
  });
});
