/**
 * Notification channels (issue 3 item 6). Settings live in config `notify`;
 * secrets (the webhook URL, which often embeds a token, and the SMTP password)
 * live in the secret store.
 */
export interface Notification {
  kind: 'warning' | 'reconnect_needed' | 'test' | 'post_failed';
  /** One line, plain text; what Slack/Discord/ntfy show. */
  text: string;
  /** Longer plain-text body for email. */
  body: string;
  subject: string;
  at: number;
  connection?: { id: string; platform: string; name: string };
  /** Deadline for warnings, ms since epoch. */
  reconnectBy?: number;
  /** kind post_failed: which targets failed / published and the fix commands (src/notify/post-failure.ts). */
  post?: {
    postId: number;
    failed: { platform: string; account: string; errorClass: string | null; reason: string | null }[];
    published: { platform: string; account: string; url: string | null }[];
    unconfirmed: { platform: string; account: string }[];
    fix: string[];
  };
}

export interface WebhookSettings {
  /** Shown by `notify list`: scheme + host only; the full URL is a secret. */
  display: string;
}

export interface EmailSettings {
  to: string;
  from: string;
  host: string;
  port: number;
  user?: string;
  /** TLS from the first byte (port 465); otherwise STARTTLS when offered. */
  secure?: boolean;
}

export interface NotifySettings {
  webhook?: WebhookSettings;
  email?: EmailSettings;
}

export type ChannelName = 'webhook' | 'email';

export const notifySecretKeys = {
  webhookUrl: () => 'notify.webhook.url',
};
