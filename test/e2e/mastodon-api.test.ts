/**
 * `socialync api mastodon … --paginate` through the built binary against the sandbox: Mastodon
 * pages with the HTTP `Link` header (docs/platforms/mastodon.md#api-paging), so --paginate follows
 * its rel="next" URL; five statuses at limit=2 come back as three pages, every status once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { createDeps, type Deps } from '../../src/deps.js';
import { createIO } from '../../src/core/io.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { makeSandboxProfile } from '../../src/commands/sandbox.js';
import { loadTokens } from '../../src/auth/tokens.js';
import { seedConnection } from '../../src/sandbox/seed.js';
import { cliEnv, runCli } from '../helpers/cli.js';

let sandbox: Sandbox;
let home = '';
let env: NodeJS.ProcessEnv;
let accountId = '';
/** The statuses posted, newest first (as Mastodon lists them). */
const posted: string[] = [];

async function withDeps<T>(f: (d: Deps) => Promise<T>): Promise<T> {
  const io = createIO({ stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), env: {} });
  const d = createDeps({ io, env: { SOCIALYNC_HOME: home } });
  try {
    return await f(d);
  } finally {
    await d.close();
  }
}

beforeAll(async () => {
  sandbox = await startSandbox({ platforms: ['mastodon'] });
  const io = createIO({ stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), env: {} });
  home = (await makeSandboxProfile(createDeps({ io, env: { PATH: process.env.PATH } }), sandbox)).dir;
  const { conn, token } = await withDeps(async (d) => {
    const c = await seedConnection(d, 'mastodon', 'alice', 'main');
    return { conn: c, token: (await loadTokens(d, c)).accessToken };
  });
  accountId = conn.accountId.split('@')[0]!;
  for (let i = 1; i <= 5; i++) {
    const res = await fetch(`${sandbox.origins.mastodon}/api/v1/statuses`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ status: `status ${i}` }) });
    expect(res.status).toBe(200);
    posted.unshift(((await res.json()) as { id: string }).id);
  }
  env = cliEnv({ SOCIALYNC_HOME: home });
}, 60_000);

afterAll(async () => {
  await sandbox?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('socialync api mastodon --paginate', () => {
  it('follows Link rel="next" through 3 pages (limit=2, five statuses): --slurp prints every status once, newest first', async () => {
    const r = await runCli(['api', 'mastodon', `accounts/${accountId}/statuses`, '-X', 'GET', '-F', 'limit=2', '--paginate', '--slurp'], env);
    expect(r.code, r.stderr).toBe(0);
    const pages = JSON.parse(r.stdout) as { id: string }[][];
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(pages.flat().map((s) => s.id)).toEqual(posted);
  }, 30_000);

  it('without --paginate: the first page only, with the Link header shown by -i', async () => {
    const r = await runCli(['api', 'mastodon', `accounts/${accountId}/statuses`, '-X', 'GET', '-F', 'limit=2', '-i'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^link: <[^>]*max_id=${posted[1]}>; rel="next"`, 'm'));
    expect((JSON.parse(r.stdout.slice(r.stdout.indexOf('\n\n') + 2)) as { id: string }[]).map((s) => s.id)).toEqual(posted.slice(0, 2));
  }, 30_000);
});
