/**
 * DPoP (RFC 9449) as the AT Protocol profile requires it (docs/platforms/bluesky.md#dpop):
 * every request to the authorization server and the PDS carries a fresh ES256 proof JWT
 * (`typ: dpop+jwt`, the public JWK in its header) with a unique `jti`, the request's method
 * and URL (`htm`, `htu` without query), a server-issued `nonce`, and, for resource requests,
 * `ath` = base64url(SHA-256(access token)). Nonces rotate (at most 5 minutes), a missing or
 * stale nonce is answered with `use_dpop_nonce` and a fresh `DPoP-Nonce` header.
 */
import { createHash, createPublicKey, randomBytes, verify, type JsonWebKey } from 'node:crypto';
import { systemClock } from '../core/clock.js';
import type { SandboxRequest } from './common.js';

type ProofCheck = { ok: true; jkt: string } | { ok: false; error: 'use_dpop_nonce' | 'invalid_dpop_proof'; message: string };

const NONCE_TTL_MS = 3 * 60_000;
/** Proof `iat` must be within this of real time (the client signs with its own wall clock). */
const IAT_SKEW_S = 300;

const b64json = (part: string): Record<string, unknown> | undefined => {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
};

/** RFC 7638 JWK thumbprint of an EC key: the tokens are bound to it (`cnf.jkt`). */
function thumbprint(jwk: Record<string, unknown>): string {
  const canonical = JSON.stringify({ crv: jwk['crv'], kty: jwk['kty'], x: jwk['x'], y: jwk['y'] });
  return createHash('sha256').update(canonical).digest('base64url');
}

const accessTokenHash = (token: string) => createHash('sha256').update(token).digest('base64url');

export class DpopVerifier {
  private current = { value: randomBytes(16).toString('base64url'), since: systemClock.now() };
  private previous: string | undefined;
  private seenJti = new Set<string>();

  /** The nonce to send in `DPoP-Nonce`; rotated every few minutes, the previous one still accepted. */
  nonce(): string {
    if (systemClock.now() - this.current.since > NONCE_TTL_MS) {
      this.previous = this.current.value;
      this.current = { value: randomBytes(16).toString('base64url'), since: systemClock.now() };
      this.seenJti.clear();
    }
    return this.current.value;
  }

  /** Test control: forget the nonces, as after a server restart, so the next proof needs a new one. */
  rotate(): void {
    this.current = { value: randomBytes(16).toString('base64url'), since: systemClock.now() };
    this.previous = undefined;
  }

  check(req: SandboxRequest, origin: string, accessToken?: string): ProofCheck {
    const bad = (message: string): ProofCheck => ({ ok: false, error: 'invalid_dpop_proof', message });
    const proof = req.headers['dpop'];
    if (typeof proof !== 'string') return bad('DPoP proof required');
    const [h, p, s] = proof.split('.');
    const header = h ? b64json(h) : undefined;
    const claims = p ? b64json(p) : undefined;
    if (!header || !claims || !s) return bad('malformed DPoP proof');
    if (header['typ'] !== 'dpop+jwt' || header['alg'] !== 'ES256') return bad('DPoP proof must be an ES256 dpop+jwt');
    const jwk = header['jwk'] as Record<string, unknown> | undefined;
    if (!jwk || jwk['kty'] !== 'EC' || jwk['crv'] !== 'P-256' || 'd' in jwk) return bad('DPoP proof must carry a public P-256 JWK');
    if (!signatureValid(`${h}.${p}`, s, jwk)) return bad('DPoP proof signature invalid');
    if (claims['htm'] !== req.method) return bad('DPoP htm mismatch');
    if (claims['htu'] !== `${origin}${req.path}`) return bad('DPoP htu mismatch');
    const iat = Number(claims['iat']);
    if (!Number.isFinite(iat) || Math.abs(iat - systemClock.now() / 1000) > IAT_SKEW_S) return bad('DPoP proof iat out of range');
    if (accessToken !== undefined && claims['ath'] !== accessTokenHash(accessToken)) return bad('DPoP ath mismatch');
    const nonce = claims['nonce'];
    if (nonce !== this.nonce() && (nonce === undefined || nonce !== this.previous)) {
      return { ok: false, error: 'use_dpop_nonce', message: 'Authorization server requires nonce in DPoP proof' };
    }
    const jti = String(claims['jti'] ?? '');
    if (!jti || this.seenJti.has(jti)) return bad('DPoP proof replayed');
    this.seenJti.add(jti);
    return { ok: true, jkt: thumbprint(jwk) };
  }
}

function signatureValid(data: string, sig: string, jwk: Record<string, unknown>): boolean {
  try {
    const key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
    return verify('sha256', Buffer.from(data), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(sig, 'base64url'));
  } catch {
    return false;
  }
}
