/**
 * `socialync token` and `socialync api` through the built binary against the sandbox (X, with
 * rotating single-use refresh tokens; LinkedIn and Facebook for their required headers, Graph
 * version and Page token): a token the sandbox accepts, a refresh when the token is near expiry,
 * exit 4 for a revoked connection; GET/POST with -f/-F/@file/--input, --paginate over X's
 * next_token, a 401 answered by one refresh and retry, a refused foreign host; and both while a
 * cron `refresh --force` runs at the same moment (no refresh token burnt, status healthy after).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { spawn, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createDeps, type Deps } from '../../src/deps.js';
import { createIO } from '../../src/core/io.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { makeSandboxProfile } from '../../src/commands/sandbox.js';
import { loadTokens } from '../../src/auth/tokens.js';
import { seedConnection } from '../../src/sandbox/seed.js';
import type { PlatformId } from '../../src/providers/types.js';
import { BIN, cliEnv, runCli, startCli } from '../helpers/cli.js';
import { missingPart } from '../helpers/system-part.js';

let sandbox: Sandbox;
let home = '';
let files = '';
let env: NodeJS.ProcessEnv;

function quietDeps(): Deps {
  const io = createIO({ stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), env: {} });
  return createDeps({ io, env: { SOCIALYNC_HOME: home } });
}

async function withDeps<T>(f: (d: Deps) => Promise<T>): Promise<T> {
  const d = quietDeps();
  try {
    return await f(d);
  } finally {
    await d.close();
  }
}

const connection = (platform: PlatformId, name: string) => withDeps(async (d) => (await (await d.store()).findConnection(platform, name))!);
const stored = (platform: PlatformId, name: string) => withDeps(async (d) => loadTokens(d, (await (await d.store()).findConnection(platform, name))!));

/** The local view of the access token: 1 minute left (X's refresh threshold is 30 minutes). */
async function nearExpiry(name: string): Promise<void> {
  await withDeps(async (d) => {
    const store = await d.store();
    const c = (await store.findConnection('x', name))!;
    await store.updateConnection(c.id, { accessExpiresAt: Date.now() + 60_000 }, Date.now());
  });
}

const xStats = () => sandbox.control.platform('x').stats();

beforeAll(async () => {
  sandbox = await startSandbox({ platforms: ['x', 'linkedin', 'facebook'] });
  const io = createIO({ stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), env: {} });
  const profile = await makeSandboxProfile(createDeps({ io, env: { PATH: process.env.PATH } }), sandbox);
  home = profile.dir;
  files = mkdtempSync(join(tmpdir(), 'socialync-api-'));
  await withDeps(async (d) => {
    for (const name of ['main', 'near', 'revoked', 'retry', 'conc']) await seedConnection(d, 'x', `user-${name}`, name);
    await seedConnection(d, 'linkedin', 'user-li', 'li');
    await seedConnection(d, 'facebook', 'user-fb', 'fb');
  });
  env = cliEnv({ SOCIALYNC_HOME: home });
}, 60_000);

afterAll(async () => {
  await sandbox?.close();
  if (home) rmSync(home, { recursive: true, force: true });
  if (files) rmSync(files, { recursive: true, force: true });
});

describe('socialync token', () => {
  it('prints the access token, which the sandbox accepts; --json has exactly the public fields and never the refresh token', async () => {
    const r = await runCli(['token', 'x', '--account', 'main'], env);
    expect(r.code, r.stderr).toBe(0);
    const token = r.stdout.trim();
    expect(sandbox.control.validate(token)).toMatchObject({ valid: true, kind: 'access' });
    // Not a terminal: no secret warning, nothing else on stdout.
    expect(r.stdout).toBe(`${token}\n`);
    expect(r.stderr).not.toMatch(/secret/);

    const j = await runCli(['token', 'x', '--account', 'main', '--json'], env);
    expect(j.code, j.stderr).toBe(0);
    const out = JSON.parse(j.stdout) as Record<string, unknown>;
    expect(Object.keys(out).sort()).toEqual(['accessToken', 'account', 'expiresAt', 'platform', 'scopes']);
    expect(out).toMatchObject({ platform: 'x', account: 'main', accessToken: token });
    expect(Date.parse(out.expiresAt as string)).toBeGreaterThan(Date.now());
    expect(out.scopes).toContain('tweet.write');
    const held = await stored('x', 'main');
    expect(j.stdout + r.stdout + j.stderr + r.stderr).not.toContain(held.refreshToken!);
  });

  it('several connections and no --account: a usage error naming them', async () => {
    const r = await runCli(['token', 'x'], env);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/several connections: .*main.*--account/s);
  });

  it('refreshes first when the token is within the threshold: a new token, the rotated refresh token stored and valid', async () => {
    await nearExpiry('near');
    const before = await stored('x', 'near');
    const s0 = xStats();
    const r = await runCli(['token', 'x', '--account', 'near'], env);
    expect(r.code, r.stderr).toBe(0);
    const token = r.stdout.trim();
    const after = await stored('x', 'near');
    expect(token).not.toBe(before.accessToken);
    expect(token).toBe(after.accessToken);
    expect(sandbox.control.validate(token).valid).toBe(true);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(sandbox.control.validate(after.refreshToken!).valid).toBe(true);
    expect(xStats().refreshes - s0.refreshes).toBe(1);
    expect((await connection('x', 'near')).accessExpiresAt!).toBeGreaterThan(Date.now() + 60 * 60_000);
  });

  it('a due refresh that fails for a while (503) still prints the unexpired token, with a warning on stderr', async () => {
    await nearExpiry('near');
    const held = await stored('x', 'near');
    sandbox.control.platform('x').fault({ path: '/2/oauth2/token', status: 503, count: 2 });
    const r = await runCli(['token', 'x', '--account', 'near'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(held.accessToken);
    expect(r.stderr).toMatch(/warning: could not refresh x\/near .*503.*still valid/);
    expect((await connection('x', 'near')).health).toBe('healthy');
  });

  it('a revoked connection: exit 4 with the command that fixes it, then 4 again without calling the platform', async () => {
    sandbox.control.platform('x').revoke('user-revoked');
    await nearExpiry('revoked');
    const r = await runCli(['token', 'x', '--account', 'revoked'], env);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/x\/revoked needs a reconnect/);
    expect(r.stderr).toContain('run: socialync connect x --name revoked');
    expect((await connection('x', 'revoked')).health).toBe('needs_reconnect');
    const s0 = xStats();
    const again = await runCli(['token', 'x', '--account', 'revoked', '--json'], env);
    expect(again.code).toBe(4);
    expect(again.stdout).toBe('');
    expect(xStats().requests - s0.requests).toBe(0);
  });
});

describe('on a terminal, and with --debug', () => {
  /**
   * Runs the binary on a pseudo-terminal (util-linux `script`); `tail` is shell text after the
   * command. Asynchronous: the sandbox answers from this process.
   */
  const onTerminal = (args: string, tail = '') =>
    new Promise<{ status: number | null; stdout: string }>((resolve) => {
      const child = spawn('script', ['-qec', `"${process.execPath}" "${BIN}" ${args}${tail}`, '/dev/null'], { env: { ...env, TERM: 'xterm' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.on('close', (status) => resolve({ status, stdout }));
    });

  it('token warns on stderr that the value is a secret only when stdout is a terminal; api prints pretty JSON there', async (ctx) => {
    if (spawnSync('script', ['--version']).status !== 0) {
      return ctx.skip(missingPart('util-linux `script` is not installed (needed for the pseudo-terminal test)'));
    }
    const token = (await stored('x', 'main')).accessToken;
    const tty = await onTerminal('token x --account main');
    expect(tty.status).toBe(0);
    expect(tty.stdout).toContain(token);
    expect(tty.stdout).toMatch(/This is a secret: anyone who has it can act as x\/main until \d{4}-/);
    // $(socialync token x): stdout is a pipe, stderr still the terminal: no warning.
    const piped = await onTerminal('token x --account main', ' | cat > /dev/null');
    expect(piped.status).toBe(0);
    expect(piped.stdout).not.toMatch(/secret/);
    const api = await onTerminal('api x users/me --account main');
    expect(api.status).toBe(0);
    expect(api.stdout).toMatch(/\{\r?\n {2}"data": \{\r?\n {4}"id"/);
  });

  it('--debug logs the requests but never the token (it appears once, on stdout, as the result)', async () => {
    await nearExpiry('main');
    const r = await runCli(['token', 'x', '--account', 'main', '--debug'], env);
    expect(r.code, r.stderr).toBe(0);
    const token = r.stdout.trim();
    expect(r.stderr).toMatch(/\[debug\] POST .*\/2\/oauth2\/token -> 200/);
    expect(r.stderr).not.toContain(token);
    const held = await stored('x', 'main');
    expect(r.stderr + r.stdout).not.toContain(held.refreshToken!);
    const a = await runCli(['api', 'x', 'users/me', '--account', 'main', '--debug'], env);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stderr).toMatch(/\[debug\] GET .*\/2\/users\/me -> 200/);
    expect(a.stderr).not.toContain(held.accessToken);
  });
});

describe('socialync api', () => {
  let userId = '';

  it('GET a relative path: /2 is added, the body goes to stdout as received (not a terminal)', async () => {
    const r = await runCli(['api', 'x', 'users/me', '--account', 'main'], env);
    expect(r.code, r.stderr).toBe(0);
    const body = JSON.parse(r.stdout) as { data: { id: string; username: string } };
    expect(body.data.username).toBe('user-main');
    userId = body.data.id;
    expect(r.stdout).not.toMatch(/\n {2}"/); // raw, not re-indented
  });

  it('POST with -f, -F @file and --input creates posts; --paginate walks meta.next_token (7 posts, pages of 5)', async () => {
    const textFile = join(files, 'text.txt');
    writeFileSync(textFile, 'from a file');
    const bodyFile = join(files, 'post.json');
    writeFileSync(bodyFile, JSON.stringify({ text: 'from --input' }));
    const created: string[] = [];
    const post = async (args: string[]) => {
      const r = await runCli(['api', 'x', '/2/tweets', '--account', 'main', ...args], env);
      expect(r.code, r.stderr).toBe(0);
      created.push((JSON.parse(r.stdout) as { data: { id: string } }).data.id);
    };
    await post(['-f', 'text=plain field']);
    await post(['-F', `text=@${textFile}`]);
    await post(['--input', bodyFile]);
    for (let i = 0; i < 4; i++) await post(['-f', `text=post number ${i}`]);

    const one = await runCli(['api', 'x', `users/${userId}/tweets`, '--account', 'main', '-X', 'GET', '-F', 'max_results=5'], env);
    expect(one.code, one.stderr).toBe(0);
    expect((JSON.parse(one.stdout) as { data: unknown[]; meta: { next_token?: string } }).meta.next_token).toBeTruthy();

    const all = await runCli(['api', 'x', `users/${userId}/tweets`, '--account', 'main', '-X', 'GET', '-F', 'max_results=5', '-f', 'tweet.fields=text', '--paginate', '--slurp'], env);
    expect(all.code, all.stderr).toBe(0);
    const pages = JSON.parse(all.stdout) as { data: { id: string; text: string }[]; meta: { next_token?: string } }[];
    expect(pages.map((p) => p.data.length)).toEqual([5, 2]);
    const ids = pages.flatMap((p) => p.data.map((d) => d.id));
    expect(new Set(ids)).toEqual(new Set(created));
    expect(pages.flatMap((p) => p.data.map((d) => d.text))).toEqual(expect.arrayContaining(['plain field', 'from a file', 'from --input']));

    // Without --slurp: one JSON document per page, one per line.
    const lines = await runCli(['api', 'x', `users/${userId}/tweets`, '--account', 'main', '-X', 'GET', '-F', 'max_results=5', '--paginate'], env);
    expect(lines.code, lines.stderr).toBe(0);
    expect(lines.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { data: unknown[] }).data.length)).toEqual([5, 2]);
  });

  it('an HTTP error: the body on stdout, the status on stderr, exit 1; a 5xx exits 6', async () => {
    const r = await runCli(['api', 'x', `users/${userId}/tweets`, '--account', 'main', '-X', 'GET', '-F', 'max_results=500'], env);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ title: 'Invalid Request' });
    expect(r.stderr).toMatch(/error: x: HTTP 400.*max_results/);
    sandbox.control.platform('x').fault({ path: '/2/users/me', status: 503, count: 1 });
    const t = await runCli(['api', 'x', 'users/me', '--account', 'main'], env);
    expect(t.code).toBe(6);
    expect(t.stderr).toMatch(/HTTP 503/);
  });

  it('a 401 is answered by one refresh and one retry; a second 401 exits 4 with the fix', async () => {
    sandbox.control.platform('x').expire('access', 'user-retry');
    const s0 = xStats();
    const r = await runCli(['api', 'x', 'users/me', '--account', 'retry'], env);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { data: { username: string } }).data.username).toBe('user-retry');
    expect(xStats().refreshes - s0.refreshes).toBe(1);
    expect(sandbox.control.validate((await stored('x', 'retry')).accessToken).valid).toBe(true);

    sandbox.control.platform('x').fault({ path: '/2/users/me', status: 401, body: { title: 'Unauthorized', detail: 'Unauthorized', status: 401 }, count: 2 });
    const s1 = xStats();
    const twice = await runCli(['api', 'x', 'users/me', '--account', 'retry'], env);
    expect(twice.code).toBe(4);
    expect(twice.stderr).toMatch(/refused the token even after a refresh/);
    expect(twice.stderr).toContain('run: socialync connect x --name retry');
    expect(xStats().refreshes - s1.refreshes).toBe(1);
  });

  it('refuses to send the token to any other host, before any request', async () => {
    let hits = 0;
    const foreign: Server = createServer((_req, res) => (hits++, res.end('{}')));
    await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
    const port = (foreign.address() as { port: number }).port;
    try {
      for (const url of [`http://127.0.0.1:${port}/2/users/me`, `https://api.x.com.evil.example/2/users/me`, `${sandbox.endpoints().x!.api!.replace('://', '://me@')}/2/users/me`]) {
        const r = await runCli(['api', 'x', url, '--account', 'main'], env);
        expect(r.code, url).toBe(3);
        expect(r.stderr).toMatch(/refusing to send the x token/);
      }
      expect(hits).toBe(0);
      // The platform's own host as an absolute URL is fine.
      const own = await runCli(['api', 'x', `${sandbox.endpoints().x!.api}/2/users/me`, '--account', 'main'], env);
      expect(own.code, own.stderr).toBe(0);
    } finally {
      foreign.close();
    }
  });

  it('LinkedIn: LinkedIn-Version and X-Restli-Protocol-Version are added (the sandbox refuses calls without them); nested -f fields', async () => {
    const c = await connection('linkedin', 'li');
    const author = c.meta.authorUrn ?? `urn:li:person:${c.accountId}`;
    const { accessToken } = await stored('linkedin', 'li');
    const bare = await fetch(`${sandbox.endpoints().linkedin!.api}/rest/posts`, { method: 'POST', headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ author, commentary: 'x', visibility: 'PUBLIC', lifecycleState: 'PUBLISHED' }) });
    expect(bare.status).toBe(426); // no LinkedIn-Version
    const fields = ['-f', `author=${author}`, '-f', 'commentary=hello from socialync api', '-f', 'visibility=PUBLIC', '-f', 'lifecycleState=PUBLISHED', '-f', 'distribution[feedDistribution]=MAIN_FEED'];
    const r = await runCli(['api', 'linkedin', 'posts', '-i', ...fields], env);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^HTTP 201/);
    expect(r.stdout).toMatch(/^x-restli-id: urn:li:share:\S+$/m);
  });

  it('Facebook: the Graph version is added and the Page token acts for the connection', async () => {
    const c = await connection('facebook', 'fb');
    const r = await runCli(['api', 'facebook', 'me', '-X', 'GET', '-f', 'fields=id,name'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ id: c.meta.pageId });
    const t = await runCli(['token', 'facebook', '--json'], env);
    expect(JSON.parse(t.stdout)).toMatchObject({ accessToken: (await stored('facebook', 'fb')).extra!.pageAccessToken, expiresAt: null });
  });
});

describe('token and api while cron refreshes the same connection', () => {
  it('refresh --force, token and api at once: each refresh under the lock, no refresh token burnt, status healthy', async () => {
    await nearExpiry('conc');
    const s0 = xStats();
    const runs = [
      startCli(['refresh', 'x', '--account', 'conc', '--force'], env),
      startCli(['token', 'x', '--account', 'conc'], env),
      startCli(['api', 'x', 'users/me', '--account', 'conc'], env),
      startCli(['refresh', 'x', '--account', 'conc', '--force'], env),
    ];
    const done = await Promise.all(runs.map((r) => r.done));
    for (const d of done) expect(d.code, d.stderr).toBe(0);
    expect((JSON.parse(done[2]!.stdout) as { data: { username: string } }).data.username).toBe('user-conc');
    const s = xStats();
    expect(s.rejectedRefreshes - s0.rejectedRefreshes).toBe(0);
    expect(s.reusedRefreshTokens - s0.reusedRefreshTokens).toBe(0);
    const held = await stored('x', 'conc');
    expect(sandbox.control.validate(held.accessToken).valid).toBe(true);
    expect(sandbox.control.validate(held.refreshToken!).valid).toBe(true);
    const status = await runCli(['status', 'x', '--json'], env);
    const conc = (JSON.parse(status.stdout) as { account: string; health: string }[]).find((e) => e.account === 'conc');
    expect(conc?.health).toBe('healthy');
  }, 60_000);
});
