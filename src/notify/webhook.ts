/**
 * Webhook channel: a JSON POST with a plain `text` field (Slack incoming webhooks,
 * Mattermost, ntfy-style receivers) and the same text as `content` (Discord), plus the
 * structured fields of docs/notifications.md#webhook. Signed when a signing secret is set
 * (src/notify/sign.ts).
 */
import type { Http } from '../core/http.js';
import type { Notification } from './types.js';
import { ChannelError } from './delivery.js';
import { signedHeaders } from './sign.js';

/** The JSON body; `id` stays the same when a notice is delivered again, so receivers can drop a repeat. */
export function webhookPayload(n: Notification, id: string): Record<string, unknown> {
  return {
    id,
    text: n.text,
    content: n.text,
    kind: n.kind,
    ...(n.test ? { test: true } : {}),
    at: new Date(n.at).toISOString(),
    ...(n.connection ? { platform: n.connection.platform, account: n.connection.name, connectionId: n.connection.id } : {}),
    ...(n.reconnectBy !== undefined ? { reconnectBy: new Date(n.reconnectBy).toISOString() } : {}),
    ...(n.post ? { post: postJson(n.post) } : {}),
    ...(n.posts ? { posts: n.posts.map(postJson) } : {}),
    ...(n.recovered ? { recovered: n.recovered } : {}),
  };
}

const postJson = (p: NonNullable<Notification['post']>) => ({ id: p.postId, text: p.text, failed: p.failed, published: p.published, unconfirmed: p.unconfirmed, fix: p.fix });

export interface WebhookRequest {
  url: string;
  /** Signing secret from the secret store, when `notify set webhook --sign` made one. */
  secret?: string | undefined;
  now: number;
  timeoutMs: number;
}

export async function sendWebhook(http: Http, r: WebhookRequest, n: Notification, id: string): Promise<void> {
  const body = JSON.stringify(webhookPayload(n, id));
  const res = await http.fetch(r.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'socialync', ...(r.secret ? signedHeaders(r.secret, r.now, body) : {}) },
    body,
    timeoutMs: r.timeoutMs,
  });
  await res.text().catch(() => '');
  if (!res.ok) throw new ChannelError(`webhook answered HTTP ${res.status}`, res.status >= 500 || res.status === 429 || res.status === 408);
}

/** scheme://host only: webhook paths usually carry the token. */
export function displayUrl(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}/…`;
}
