/**
 * `socialync api mastodon … --paginate` through the built binary against the sandbox: Mastodon
 * pages with the HTTP `Link` header (docs/platforms/mastodon.md#api-paging), so --paginate follows
 * its rel="next" URL. Followers page by the follows' own ids, which no answer body shows: five
 * followers at limit=2 come back as three pages, every follower once. An account's statuses need
 * `read:statuses`, which a socialync connection does not ask for: the server's 403 is shown with
 * the scopes the connection has.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { createDeps, type Deps } from '../../src/deps.js';
import { createIO } from '../../src/core/io.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { makeSandboxProfile } from '../../src/commands/sandbox.js';
import { seedConnection } from '../../src/sandbox/seed.js';
import { cliEnv, runCli } from '../helpers/cli.js';

let sandbox: Sandbox;
let home = '';
let env: NodeJS.ProcessEnv;
let accountId = '';
const FOLLOWERS = ['f1', 'f2', 'f3', 'f4', 'f5'];

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
  accountId = (await withDeps((d) => seedConnection(d, 'mastodon', 'alice', 'main'))).accountId.split('@')[0]!;
  const seeded = await fetch(`${sandbox.origins.mastodon}/__mastodon/followers`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ account: 'alice', followers: FOLLOWERS }) });
  expect(seeded.status).toBe(200);
  env = cliEnv({ SOCIALYNC_HOME: home });
}, 60_000);

afterAll(async () => {
  await sandbox?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('socialync api mastodon --paginate', () => {
  it('follows Link rel="next" through 3 pages (limit=2, five followers): --slurp prints every follower once, newest follow first', async () => {
    const r = await runCli(['api', 'mastodon', `accounts/${accountId}/followers`, '-X', 'GET', '-F', 'limit=2', '--paginate', '--slurp'], env);
    expect(r.code, r.stderr).toBe(0);
    const pages = JSON.parse(r.stdout) as { username: string }[][];
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(pages.flat().map((a) => a.username)).toEqual([...FOLLOWERS].reverse());
  }, 30_000);

  it('without --paginate: the first page only, with the Link header shown by -i', async () => {
    const r = await runCli(['api', 'mastodon', `accounts/${accountId}/followers`, '-X', 'GET', '-F', 'limit=2', '-i'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^link: <[^>]*followers\?limit=2&max_id=\d+>; rel="next"/m);
    expect((JSON.parse(r.stdout.slice(r.stdout.indexOf('\n\n') + 2)) as { username: string }[]).map((a) => a.username)).toEqual(['f5', 'f4']);
  }, 30_000);

  it("an account's statuses need read:statuses: the server's 403 with the connection's scopes (exit 1)", async () => {
    const r = await runCli(['api', 'mastodon', `accounts/${accountId}/statuses`, '-X', 'GET', '--paginate'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('mastodon: HTTP 403 Forbidden: This action is outside the authorized scopes');
    // Reconnecting would grant the same scopes: the hint must not send the user there.
    expect(r.stderr).toContain('the call may need a permission socialync does not ask for (this connection has every one it asks for: read:accounts write:statuses write:media; see docs/platforms/mastodon.md)');
    expect(r.stderr).not.toContain('socialync connect');
  }, 30_000);
});
