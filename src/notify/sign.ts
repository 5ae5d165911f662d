/**
 * Webhook signatures (docs/notifications.md#signed-webhooks). The scheme is Stripe's
 * (https://docs.stripe.com/webhooks#verify-manually, read 2026-12-06): HMAC-SHA256 in hex over
 * `<unix seconds>.<raw body>`, keyed with the secret string's UTF-8 bytes, the timestamp sent
 * beside it so a receiver can refuse a replay (Stripe's libraries allow 300 s). Standard Webhooks
 * (https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md)
 * also signs a message id and base64-encodes; we put the delivery id in the signed body instead,
 * which keeps the check to one HMAC over what the receiver has in hand.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'socialync-signature';
export const TIMESTAMP_HEADER = 'socialync-timestamp';
/** The age (either way) a receiver should accept; docs/notifications.md uses it. */
export const TOLERANCE_SECONDS = 300;

export function signature(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** The headers of a signed request sent at `nowMs`. */
export function signedHeaders(secret: string, nowMs: number, body: string): Record<string, string> {
  const t = Math.floor(nowMs / 1000);
  return { [TIMESTAMP_HEADER]: String(t), [SIGNATURE_HEADER]: `v1=${signature(secret, t, body)}` };
}

export type Verdict = 'ok' | 'forged' | 'stale';

/** What a receiver does (the docs' example in TypeScript; tests use it as a receiver would). */
export function verify(secret: string, headers: Record<string, string | string[] | undefined>, body: string, nowMs: number, toleranceS = TOLERANCE_SECONDS): Verdict {
  const t = Number(headers[TIMESTAMP_HEADER]);
  const sent = Buffer.from(String(headers[SIGNATURE_HEADER] ?? '').replace(/^v1=/, ''), 'hex');
  const want = Buffer.from(signature(secret, t, body), 'hex');
  if (!Number.isInteger(t) || sent.length !== want.length || !timingSafeEqual(sent, want)) return 'forged';
  return Math.abs(nowMs / 1000 - t) > toleranceS ? 'stale' : 'ok';
}

/** A new signing secret: 32 random bytes, printable (`whsec_` as Stripe and Standard Webhooks name theirs). */
export function newSigningSecret(bytes: Buffer): string {
  return `whsec_${bytes.toString('base64url')}`;
}
