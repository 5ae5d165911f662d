/**
 * Webhook channel: a JSON POST with a plain `text` field (Slack incoming webhooks,
 * Mattermost, ntfy-style receivers) and the same text as `content` (Discord).
 */
import type { Http } from '../core/http.js';
import type { Notification } from './types.js';

export async function sendWebhook(http: Http, url: string, n: Notification): Promise<void> {
  const payload = {
    text: n.text,
    content: n.text,
    kind: n.kind,
    at: new Date(n.at).toISOString(),
    ...(n.connection ? { platform: n.connection.platform, account: n.connection.name, connectionId: n.connection.id } : {}),
    ...(n.reconnectBy !== undefined ? { reconnectBy: new Date(n.reconnectBy).toISOString() } : {}),
    ...(n.post ? { post: { id: n.post.postId, failed: n.post.failed, published: n.post.published, unconfirmed: n.post.unconfirmed, fix: n.post.fix } } : {}),
  };
  const res = await http.fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'socialync' },
    body: JSON.stringify(payload),
    timeoutMs: 10_000,
  });
  await res.text().catch(() => '');
  if (!res.ok) throw new Error(`webhook answered HTTP ${res.status}`);
}

/** scheme://host only: webhook paths usually carry the token. */
export function displayUrl(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}/…`;
}
