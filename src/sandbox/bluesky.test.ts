/**
 * The Bluesky sandbox enforces the AT Protocol OAuth rules (docs/platforms/bluesky.md#oauth), so a
 * client that skips one fails here, over raw HTTP with hand-made DPoP proofs: PAR only, DPoP on
 * every call with server nonces and no replayed jti, the localhost client id and its redirect
 * matching (path matched, port ignored), PKCE, and DPoP-bound access tokens at the PDS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { startSandbox, type Sandbox } from './server.js';

let sb: Sandbox;
let origin: string;
beforeAll(async () => {
  sb = await startSandbox({ platforms: ['bluesky'] });
  origin = sb.origins.bluesky;
});
afterAll(() => sb?.close());

const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
function proof(method: string, url: string, o: { nonce?: string; jti?: string; ath?: string; k?: { privateKey: KeyObject; publicKey: KeyObject } } = {}): string {
  const k = o.k ?? key;
  const jwk = k.publicKey.export({ format: 'jwk' });
  const head = b64({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y } });
  const body = b64({ jti: o.jti ?? randomUUID(), htm: method, htu: url, iat: Math.floor(Date.now() / 1000), ...(o.nonce ? { nonce: o.nonce } : {}), ...(o.ath ? { ath: o.ath } : {}) });
  const sig = sign('sha256', Buffer.from(`${head}.${body}`), { key: k.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
  return `${head}.${body}.${sig}`;
}

const verifier = 'v'.repeat(50);
const challenge = createHash('sha256').update(verifier).digest('base64url');
const clientId = (redirect = 'http://127.0.0.1/callback') => `http://localhost?redirect_uri=${encodeURIComponent(redirect)}&scope=${encodeURIComponent('atproto transition:generic')}`;
const parFields = (o: Record<string, string> = {}) => new URLSearchParams({ client_id: clientId(), redirect_uri: 'http://127.0.0.1:54321/callback', response_type: 'code', code_challenge: challenge, code_challenge_method: 'S256', scope: 'atproto transition:generic', state: 'st', ...o });

async function nonce(): Promise<string> {
  const r = await fetch(`${origin}/oauth/par`, { method: 'POST', headers: { dpop: proof('POST', `${origin}/oauth/par`) }, body: parFields() });
  return r.headers.get('dpop-nonce')!;
}
async function par(fields: URLSearchParams, o: { jti?: string; nonce?: string | null } = {}) {
  const n = o.nonce === null ? undefined : (o.nonce ?? (await nonce()));
  return fetch(`${origin}/oauth/par`, { method: 'POST', headers: { dpop: proof('POST', `${origin}/oauth/par`, { ...(n ? { nonce: n } : {}), ...(o.jti ? { jti: o.jti } : {}) }) }, body: fields });
}
const error = async (r: Response) => ((await r.json()) as { error: string }).error;

describe('Bluesky sandbox: authorization server', () => {
  it('refuses an authorization request that was not pushed (PAR is required)', async () => {
    const u = new URL(`${origin}/oauth/authorize`);
    u.searchParams.set('client_id', clientId());
    u.searchParams.set('request_uri', 'urn:ietf:params:oauth:request_uri:req.made-up');
    expect((await fetch(u)).status).toBe(400);
  });

  it('PAR needs a DPoP proof, then the server nonce; with both it answers 201 and a request_uri', async () => {
    const none = await fetch(`${origin}/oauth/par`, { method: 'POST', body: parFields() });
    expect(await error(none)).toBe('invalid_dpop_proof');
    const noNonce = await par(parFields(), { nonce: null });
    expect(noNonce.status).toBe(400);
    expect(await error(noNonce)).toBe('use_dpop_nonce');
    expect(noNonce.headers.get('dpop-nonce')).toBeTruthy();
    const ok = await par(parFields());
    expect(ok.status).toBe(201);
    expect(((await ok.json()) as { request_uri: string }).request_uri).toMatch(/^urn:ietf:params:oauth:request_uri:/);
  });

  it('a replayed DPoP proof (same jti) is refused', async () => {
    const n = await nonce();
    expect((await par(parFields(), { jti: 'same-jti', nonce: n })).status).toBe(201);
    expect(await error(await par(parFields(), { jti: 'same-jti', nonce: n }))).toBe('invalid_dpop_proof');
  });

  it.each([
    ['a client id with a port', { client_id: 'http://localhost:8080?scope=atproto' }, 'invalid_client'],
    ['a client id on 127.0.0.1', { client_id: 'http://127.0.0.1?scope=atproto' }, 'invalid_client'],
    ['a redirect on localhost (only loopback IPs)', { redirect_uri: 'http://localhost:54321/callback' }, 'invalid_request'],
    ['a redirect with another path', { redirect_uri: 'http://127.0.0.1:54321/other' }, 'invalid_request'],
    ['no PKCE challenge', { code_challenge: '' }, 'invalid_request'],
    ['plain PKCE', { code_challenge_method: 'plain' }, 'invalid_request'],
    ['no atproto scope', { scope: 'transition:generic' }, 'invalid_scope'],
    ['no state', { state: '' }, 'invalid_request'],
  ])('refuses %s', async (_n, over, code) => {
    expect(await error(await par(parFields(over)))).toBe(code);
  });

  it('the redirect port is not matched: any loopback port with the declared path is accepted', async () => {
    expect((await par(parFields({ redirect_uri: 'http://127.0.0.1:1/callback' }))).status).toBe(201);
  });
});

describe('Bluesky sandbox: PDS', () => {
  it('refuses a bearer token, a missing nonce and a wrong ath with the DPoP errors', async () => {
    const url = `${origin}/xrpc/com.atproto.server.getSession`;
    const bearer = await fetch(url, { headers: { authorization: 'Bearer bat.x' } });
    expect(bearer.status).toBe(401);
    const noNonce = await fetch(url, { headers: { authorization: 'DPoP bat.x', dpop: proof('GET', url, { ath: createHash('sha256').update('bat.x').digest('base64url') }) } });
    expect(noNonce.status).toBe(401);
    expect(noNonce.headers.get('www-authenticate')).toContain('use_dpop_nonce');
    const n = noNonce.headers.get('dpop-nonce')!;
    const wrongAth = await fetch(url, { headers: { authorization: 'DPoP bat.x', dpop: proof('GET', url, { nonce: n, ath: 'not-the-hash' }) } });
    expect(await error(wrongAth)).toBe('invalid_dpop_proof');
  });
});
