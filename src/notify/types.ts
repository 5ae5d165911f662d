/**
 * Notification channels (issue 3 item 6, issue 16). Settings live in config `notify`;
 * secrets (the webhook URL, which often embeds a token, its signing secret, and the SMTP
 * password) live in the secret store. docs/notifications.md describes what each channel gets.
 */

/** What a notice is about; every channel can be limited to some of them (`--kinds`). */
export const NOTICE_KINDS = ['reconnect_needed', 'expiring', 'post_failed', 'recovered'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

export interface PostFailureSummary {
  postId: number;
  /** The post's first words. */
  text: string;
  failed: { platform: string; account: string; errorClass: string | null; reason: string | null }[];
  published: { platform: string; account: string; url: string | null }[];
  unconfirmed: { platform: string; account: string }[];
  fix: string[];
}

export interface Notification {
  kind: NoticeKind | 'test';
  /** A sample sent by `notify test --kind`: shaped like the real kind, marked so receivers can tell. */
  test?: boolean;
  /** One line, plain text; what Slack/Discord/ntfy and the desktop show. */
  text: string;
  /** Longer plain-text body for email. */
  body: string;
  subject: string;
  at: number;
  connection?: { id: string; platform: string; name: string };
  /** Deadline for `expiring`, ms since epoch. */
  reconnectBy?: number;
  /** kind post_failed with one failed post (src/notify/post-failure.ts). */
  post?: PostFailureSummary;
  /** kind post_failed: every post that failed in the run (one digest, never a flood). */
  posts?: PostFailureSummary[];
  /** kind recovered: what works again. */
  recovered?: { what: 'connection' } | { what: 'post'; postId: number; published: { platform: string; account: string; url: string | null }[] };
}

interface ChannelFilter {
  /** Only these kinds (all when absent); `notify test` ignores it unless --kind is given. */
  kinds?: NoticeKind[];
}

export interface WebhookSettings extends ChannelFilter {
  /** Shown by `notify list`: scheme + host only; the full URL is a secret. */
  display: string;
  /** Requests carry the socialync-timestamp and socialync-signature headers (secret: notifySecretKeys.webhookSigning). */
  signed?: boolean;
}

export interface EmailSettings extends ChannelFilter {
  to: string;
  from: string;
  host: string;
  port: number;
  user?: string;
  /** TLS from the first byte (port 465); otherwise STARTTLS when offered. */
  secure?: boolean;
}

export type DesktopSettings = ChannelFilter;

export interface NotifySettings {
  webhook?: WebhookSettings;
  email?: EmailSettings;
  desktop?: DesktopSettings;
}

export const CHANNELS = ['webhook', 'email', 'desktop'] as const;
export type ChannelName = (typeof CHANNELS)[number];

export const notifySecretKeys = {
  webhookUrl: () => 'notify.webhook.url',
  webhookSigning: () => 'notify.webhook.signing',
};

/** Whether a channel with these settings takes a notice of this kind. */
export function channelTakes(s: ChannelFilter, kind: Notification['kind'], testKind?: NoticeKind): boolean {
  if (kind === 'test') return !testKind || !s.kinds || s.kinds.includes(testKind);
  return !s.kinds || s.kinds.includes(kind);
}
