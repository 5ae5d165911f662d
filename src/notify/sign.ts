/**
 * Webhook signatures (docs/notifications.md#signed-webhooks). The scheme is Stripe's
 * (https://docs.stripe.com/webhooks#verify-manually, read 2026-12-06): HMAC-SHA256 in hex over
 * `<unix seconds>.<raw body>`, keyed with the secret string's UTF-8 bytes, the timestamp sent
 * beside it so a receiver can refuse a replay (Stripe's libraries allow 300 s; so does the check
 * in docs/notifications.md, which test/helpers/webhook-receiver.ts runs). Standard Webhooks
 * (https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md)
 * also signs a message id and base64-encodes; we put the delivery id in the signed body instead,
 * which keeps the check to one HMAC over what the receiver has in hand.
 */
import { createHmac } from 'node:crypto';

export const SIGNATURE_HEADER = 'socialync-signature';
export const TIMESTAMP_HEADER = 'socialync-timestamp';

export function signature(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** The headers of a signed request sent at `nowMs`. */
export function signedHeaders(secret: string, nowMs: number, body: string): Record<string, string> {
  const t = Math.floor(nowMs / 1000);
  return { [TIMESTAMP_HEADER]: String(t), [SIGNATURE_HEADER]: `v1=${signature(secret, t, body)}` };
}

/** A new signing secret: 32 random bytes, printable (`whsec_` as Stripe and Standard Webhooks name theirs). */
export function newSigningSecret(bytes: Buffer): string {
  return `whsec_${bytes.toString('base64url')}`;
}
