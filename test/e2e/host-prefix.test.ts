/**
 * Host overrides keep a path prefix (issue 13 item 11): with
 * SOCIALYNC_TIKTOK_API_URL=http://proxy/tiktok every call the CLI makes goes to
 * /tiktok/..., never to the proxy's root. The proxy forwards only prefixed paths
 * (and the consent form, which a browser posts to the page's own path) and 404s the rest,
 * as a real path-routed proxy would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { runAppSet } from '../../src/commands/app.js';
import { seedConnection } from '../../src/sandbox/seed.js';
import { CONSENT_PATH } from '../../src/sandbox/consent.js';
import { makeTestDeps } from '../helpers/deps.js';
import { cliEnv, runCli } from '../helpers/cli.js';

let sandbox: Sandbox;
let proxy: Server;
let base = '';
const seen: string[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ platforms: ['tiktok'] });
  const target = new URL(sandbox.origins.tiktok);
  proxy = createServer((req, res) => {
    const path = req.url ?? '/';
    seen.push(path);
    const forwarded = path.startsWith('/tiktok/') ? path.slice('/tiktok'.length) : path.startsWith(CONSENT_PATH) ? path : undefined;
    if (!forwarded) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('no route on this proxy');
      return;
    }
    const up = request({ host: target.hostname, port: target.port, path: forwarded, method: req.method, headers: { ...req.headers, host: target.host } }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/tiktok`;
});
afterAll(async () => {
  await new Promise((r) => proxy?.close(r));
  await sandbox?.close();
});

describe('host override with a path prefix', () => {
  it('connect and refresh reach the platform through /tiktok/ on the proxy', async () => {
    const env = { SOCIALYNC_TIKTOK_WWW_URL: base, SOCIALYNC_TIKTOK_API_URL: `${base}/` };
    const t = makeTestDeps({ env });
    const app = sandbox.apps.tiktok;
    await runAppSet(t.deps, { platform: 'tiktok', clientId: app.clientId, clientSecret: app.clientSecret, port: 0 });
    await seedConnection(t.deps, 'tiktok', 'alice');
    await t.deps.close();
    const child = cliEnv({ SOCIALYNC_HOME: t.home, SOCIALYNC_SECRET_BACKEND: 'file', SOCIALYNC_VAULT_KEY: t.env.SOCIALYNC_VAULT_KEY, ...env });
    const r = await runCli(['refresh', '--force', '--json'], child);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).results[0].status).toBe('refreshed');
    const cliPaths = seen.filter((p) => !p.startsWith(CONSENT_PATH));
    expect(cliPaths).toContain('/tiktok/v2/oauth/token/');
    expect(cliPaths.some((p) => p.startsWith('/tiktok/v2/user/info/'))).toBe(true);
    expect(cliPaths.filter((p) => !p.startsWith('/tiktok/')), 'calls that lost the prefix').toEqual([]);
  });
});
