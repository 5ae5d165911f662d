/**
 * PKCE (RFC 7636). The caller owns the verifier (oauth4webapi style); providers
 * derive the challenge in their platform's format.
 *
 * - RFC 7636 §4.1: verifier = 43–128 unreserved characters; 32 random bytes in
 *   base64url give 43 characters of [A-Za-z0-9-_].
 * - RFC 7636 §4.2: S256 challenge = BASE64URL(SHA256(ASCII(verifier))), no padding.
 * - TikTok deviates: its challenge is the lowercase HEX SHA-256 of the verifier
 *   (https://developers.tiktok.com/doc/login-kit-desktop; see docs/platforms/tiktok.md#pkce).
 */
import { createHash, randomBytes } from 'node:crypto';

/** A fresh verifier; pass `bytes` from deps.random in tests for determinism. */
export function generateVerifier(bytes: Buffer = randomBytes(32)): string {
  const v = bytes.toString('base64url');
  if (v.length < 43 || v.length > 128) throw new Error('PKCE verifier must be 43–128 characters (use 32–96 random bytes)');
  return v;
}

/** RFC 7636 S256 challenge (base64url, no padding). */
export function challengeS256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** TikTok's S256 variant: hex-encoded SHA-256. */
export function challengeS256Hex(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('hex');
}
