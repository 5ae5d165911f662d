/**
 * The Mastodon sandbox enforces the documented rules on its own (docs/platforms/mastodon.md), so a
 * client that reads them differently fails: redirect matching (the port of 127.0.0.1 ignored, not
 * localhost's), app registration errors, PKCE metadata only on the current server, PKCE checked at
 * the token endpoint, tokens bound to their server, the server's own counting and Idempotency-Key.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { startSandbox, type Sandbox } from './server.js';
import { redirectMatches } from './mastodon.js';
import { serverLength } from './mastodon-publish.js';
import { limitParam } from './mastodon-paging.js';
import { consentVia } from '../../test/helpers/sandbox-consent.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ platforms: ['mastodon'] });
});
afterAll(() => sb?.close());
beforeEach(() => sb.control.platform('mastodon').reset());

const form = (o: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(o) });
const register = async (prefix: string, redirect = 'http://127.0.0.1/callback', scopes = 'read:accounts write:statuses write:media') =>
  fetch(`${sb.origins.mastodon}${prefix}/api/v1/apps`, form({ client_name: 't', redirect_uris: redirect, scopes }));
const verifier = 'v'.repeat(50);
const challenge = createHash('sha256').update(verifier).digest('base64url');

async function login(prefix: string, o: { pkce?: boolean; redirect?: string } = {}): Promise<{ app: { client_id: string; client_secret: string }; code: string; redirect: string }> {
  const app = (await (await register(prefix)).json()) as { client_id: string; client_secret: string };
  const redirect = o.redirect ?? 'http://127.0.0.1:40123/callback';
  const u = new URL(`${sb.origins.mastodon}${prefix}/oauth/authorize`);
  for (const [k, v] of Object.entries({ response_type: 'code', client_id: app.client_id, redirect_uri: redirect, scope: 'read:accounts write:statuses', state: 's' })) u.searchParams.set(k, v);
  if (o.pkce) (u.searchParams.set('code_challenge', challenge), u.searchParams.set('code_challenge_method', 'S256'));
  const cb = await consentVia(u);
  return { app, code: cb.searchParams.get('code')!, redirect };
}

/** A user token for alice on the current server with `scope`, and her account id. */
async function userToken(scope: string): Promise<{ token: string; me: string }> {
  const app = (await (await register('', 'http://127.0.0.1/callback', `${scope} write:media`)).json()) as { client_id: string; client_secret: string };
  const redirect = 'http://127.0.0.1:40123/callback';
  const u = new URL(`${sb.origins.mastodon}/oauth/authorize`);
  for (const [k, v] of Object.entries({ response_type: 'code', client_id: app.client_id, redirect_uri: redirect, scope, state: 's' })) u.searchParams.set(k, v);
  const code = (await consentVia(u)).searchParams.get('code')!;
  const t = (await (await fetch(`${sb.origins.mastodon}/oauth/token`, form({ grant_type: 'authorization_code', client_id: app.client_id, client_secret: app.client_secret, redirect_uri: redirect, code }))).json()) as { access_token: string };
  const me = (await (await fetch(`${sb.origins.mastodon}/api/v1/accounts/verify_credentials`, { headers: { authorization: `Bearer ${t.access_token}` } })).json()) as { id: string };
  return { token: t.access_token, me: me.id };
}

describe('Mastodon sandbox', () => {
  it('redirect match: a 127.0.0.1 registration takes any port; localhost and another path do not match', () => {
    expect(redirectMatches('http://127.0.0.1/callback', 'http://127.0.0.1:5555/callback')).toBe(true);
    expect(redirectMatches('http://127.0.0.1:1/callback', 'http://127.0.0.1:5555/callback')).toBe(true);
    expect(redirectMatches('http://localhost/callback', 'http://localhost:5555/callback')).toBe(false);
    expect(redirectMatches('http://127.0.0.1/callback', 'http://127.0.0.1:5555/other')).toBe(false);
  });

  it('POST /api/v1/apps: 422 for a forbidden scheme or an unknown scope; a client secret that never expires', async () => {
    expect((await register('', 'javascript:alert(1)')).status).toBe(422);
    expect((await register('', 'http://127.0.0.1/callback', 'read:everything')).status).toBe(422);
    const ok = (await (await register('')).json()) as Record<string, unknown>;
    expect(ok).toMatchObject({ client_secret_expires_at: 0, redirect_uris: ['http://127.0.0.1/callback'] });
  });

  it('authorization server metadata (S256) only on the current server; the older one answers 404', async () => {
    const cur = await fetch(`${sb.origins.mastodon}/.well-known/oauth-authorization-server`);
    expect(((await cur.json()) as { code_challenge_methods_supported: string[] }).code_challenge_methods_supported).toEqual(['S256']);
    expect((await fetch(`${sb.origins.mastodon}/classic/.well-known/oauth-authorization-server`)).status).toBe(404);
  });

  it('a code issued with PKCE needs the verifier; the token never expires and works only on its server', async () => {
    const { app, code, redirect } = await login('', { pkce: true });
    const token = (body: Record<string, string>) => fetch(`${sb.origins.mastodon}/oauth/token`, form({ grant_type: 'authorization_code', client_id: app.client_id, client_secret: app.client_secret, redirect_uri: redirect, ...body }));
    expect((await token({ code, code_verifier: 'w'.repeat(50) })).status).toBe(400);
    const again = await login('', { pkce: true });
    const t = (await (await fetch(`${sb.origins.mastodon}/oauth/token`, form({ grant_type: 'authorization_code', client_id: again.app.client_id, client_secret: again.app.client_secret, redirect_uri: again.redirect, code: again.code, code_verifier: verifier }))).json()) as Record<string, unknown>;
    expect(t).toMatchObject({ token_type: 'Bearer', scope: 'read:accounts write:statuses' });
    expect(t.expires_in).toBeUndefined();
    expect(t.refresh_token).toBeUndefined();
    const me = (prefix: string) => fetch(`${sb.origins.mastodon}${prefix}/api/v1/accounts/verify_credentials`, { headers: { authorization: `Bearer ${String(t.access_token)}` } });
    expect((await me('')).status).toBe(200);
    expect((await me('/classic')).status).toBe(401);
  });

  it('the login is refused for a redirect the app did not register (localhost)', async () => {
    const app = (await (await register('')).json()) as { client_id: string };
    const u = new URL(`${sb.origins.mastodon}/oauth/authorize?response_type=code&scope=read:accounts&client_id=${app.client_id}&redirect_uri=${encodeURIComponent('http://localhost:4000/callback')}`);
    const page = await fetch(u);
    expect(page.status).toBe(400);
    expect(await page.text()).toMatch(/redirect uri included is not valid/);
  });

  it('counts like the server: URL = 23, remote mention = its username, content warning included', () => {
    expect(serverLength(`a https://example.com/${'x'.repeat(100)}`, '', 23)).toBe(25);
    expect(serverLength('@bob@far.example.social hi', '', 23)).toBe(7);
    expect(serverLength('abc', 'cw', 23)).toBe(5);
  });

  it('GET /api/v1/accounts/:id/statuses pages as Mastodon does: Link rel="next" (max_id, same limit) only on a full page, rel="prev" unless empty', async () => {
    const { token, me } = await userToken('read:accounts write:statuses');
    const ids: string[] = [];
    for (const n of [1, 2, 3, 4]) ids.unshift(((await (await fetch(`${sb.origins.mastodon}/api/v1/statuses`, { ...form({ status: `s${n}` }), headers: { ...form({}).headers, authorization: `Bearer ${token}` } })).json()) as { id: string }).id);
    const base = `${sb.origins.mastodon}/api/v1/accounts/${me}/statuses`;
    // Public statuses: anyone may list them, without a token.
    const list = async (q: string) => {
      const r = await fetch(`${base}${q}`);
      return { ids: ((await r.json()) as { id: string }[]).map((s) => s.id), link: r.headers.get('link') };
    };
    expect(await list('')).toEqual({ ids, link: `<${base}?min_id=${ids[0]}>; rel="prev"` });
    expect(await list('?limit=2')).toEqual({ ids: ids.slice(0, 2), link: `<${base}?limit=2&max_id=${ids[1]}>; rel="next", <${base}?limit=2&min_id=${ids[0]}>; rel="prev"` });
    // The last page is exactly full: it still links on, and the empty page after it links nowhere.
    expect((await list(`?limit=2&max_id=${ids[1]}`)).link).toContain(`max_id=${ids[3]}>; rel="next"`);
    expect(await list(`?limit=2&max_id=${ids[3]}`)).toEqual({ ids: [], link: null });
    expect((await list(`?limit=4&max_id=${ids[0]}`)).link).not.toContain('rel="next"');
    expect((await list(`?limit=2&min_id=${ids[3]}`)).ids).toEqual([ids[1], ids[2]]);
    expect((await list(`?since_id=${ids[2]}`)).ids).toEqual([ids[0], ids[1]]);
  });

  it('GET /api/v1/accounts/:id/statuses with a token: it must carry read or read:statuses (socialync\'s own scopes do not: 403)', async () => {
    const without = await userToken('read:accounts write:statuses');
    const r = await fetch(`${sb.origins.mastodon}/api/v1/accounts/${without.me}/statuses`, { headers: { authorization: `Bearer ${without.token}` } });
    expect([r.status, await r.json()]).toEqual([403, { error: 'This action is outside the authorized scopes' }]);
    const withRead = await userToken('read:accounts read:statuses');
    expect((await fetch(`${sb.origins.mastodon}/api/v1/accounts/${withRead.me}/statuses`, { headers: { authorization: `Bearer ${withRead.token}` } })).status).toBe(200);
    expect((await fetch(`${sb.origins.mastodon}/api/v1/accounts/${withRead.me}/statuses`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
  });

  it('GET /api/v1/accounts/:id/followers pages by the follows\' own ids, seen only in the Link header; read:accounts is enough', async () => {
    const { token, me } = await userToken('read:accounts');
    const seeded = await fetch(`${sb.origins.mastodon}/__mastodon/followers`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ account: 'alice', followers: ['f1', 'f2', 'f3'] }) });
    expect(seeded.status).toBe(200);
    const base = `${sb.origins.mastodon}/api/v1/accounts/${me}/followers`;
    const first = await fetch(`${base}?limit=2`, { headers: { authorization: `Bearer ${token}` } });
    const accounts = (await first.json()) as { username: string; id: string }[];
    expect(accounts.map((a) => a.username)).toEqual(['f3', 'f2']);
    const next = /<([^>]+)>; rel="next"/.exec(first.headers.get('link') ?? '')?.[1];
    // The cursor is the follow's id, not the last account's id: a client must follow the header.
    expect(new URL(next!).searchParams.get('max_id')).toMatch(/^\d+$/);
    expect(new URL(next!).searchParams.get('max_id')).not.toBe(accounts[1]!.id);
    const second = await fetch(next!, { headers: { authorization: `Bearer ${token}` } });
    expect(((await second.json()) as { username: string }[]).map((a) => a.username)).toEqual(['f1']);
    expect(second.headers.get('link')).not.toContain('rel="next"');
    expect((await fetch(`${base}?limit=81`)).status).toBe(200);
  });

  it('limit: the default (20 statuses, 40 accounts) when absent, at most twice the default', () => {
    expect([limitParam(null, 20), limitParam('39', 20), limitParam('40', 20), limitParam('41', 20), limitParam('-5', 20)]).toEqual([20, 39, 40, 40, 5]);
    expect([limitParam(null, 40), limitParam('80', 40), limitParam('81', 40)]).toEqual([40, 80, 80]);
  });
});
