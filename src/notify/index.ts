/**
 * Sending notifications to every configured channel. A failing channel is
 * reported on stderr and in the event log, and never fails the caller
 * (a refresh must not fail because the mail server is down).
 * Deduplication uses the state store's once-markers, claimed before sending,
 * so concurrent cron runs never send the same notice twice.
 */
import type { Deps } from '../deps.js';
import { redactText } from '../core/redact.js';
import { reconnectReasonText, type ReconnectReason } from '../core/errors.js';
import { secretKeys } from '../secrets/types.js';
import type { Connection } from '../store/types.js';
import { relativeTime, type ReconnectDeadline } from '../auth/deadlines.js';
import { notifySecretKeys, type ChannelName, type Notification, type NotifySettings } from './types.js';
import { sendWebhook } from './webhook.js';
import { sendEmail } from './email.js';

export function notifySettings(deps: Pick<Deps, 'config'>): NotifySettings {
  return deps.config.get<NotifySettings>('notify') ?? {};
}

export interface ChannelResult {
  channel: ChannelName;
  ok: boolean;
  error?: string;
}

export async function sendToChannels(deps: Deps, n: Notification, only?: ChannelName): Promise<ChannelResult[]> {
  const s = notifySettings(deps);
  const out: ChannelResult[] = [];
  const run = async (channel: ChannelName, send: () => Promise<void>) => {
    try {
      await send();
      out.push({ channel, ok: true });
    } catch (e) {
      const error = redactText(String((e as Error)?.message ?? e));
      out.push({ channel, ok: false, error });
      deps.io.err(`warning: ${channel} notification failed: ${error} (check with: socialync notify test)`);
      await (await deps.store())
        .addEvent({ at: deps.clock.now(), connectionId: n.connection?.id ?? null, kind: 'notify.failed', message: `${channel}: ${error}` })
        .catch(() => undefined);
    }
  };
  if (s.webhook && (!only || only === 'webhook')) {
    await run('webhook', async () => {
      const url = await (await deps.secrets()).get(notifySecretKeys.webhookUrl());
      if (!url) throw new Error('the webhook URL is missing from the secret store; run: socialync notify set webhook URL');
      await sendWebhook(deps.http, url, n);
    });
  }
  if (s.email && (!only || only === 'email')) {
    const email = s.email;
    await run('email', async () => {
      const pass = email.user ? await (await deps.secrets()).get(secretKeys.smtpPassword()) : undefined;
      await sendEmail(email, pass, n);
    });
  }
  return out;
}

function label(c: Pick<Connection, 'platform' | 'name'>): string {
  return `${c.platform}/${c.name}`;
}

/** Once per broken token generation: reconnecting (a new generation) re-arms it. */
export async function notifyReconnectNeeded(deps: Deps, conn: Connection, reason: ReconnectReason, detail: string): Promise<void> {
  try {
    const store = await deps.store();
    if (!(await store.markOnce(`notify.reconnect:${conn.id}:${conn.tokenGeneration}`, deps.clock.now()))) return;
    const text = `socialync: ${label(conn)} needs a reconnect (${reconnectReasonText[reason]}). Run: socialync connect ${conn.platform} --name ${conn.name}`;
    await sendToChannels(deps, {
      kind: 'reconnect_needed',
      text,
      subject: `socialync: ${label(conn)} needs a reconnect`,
      body: `${text}\n\nDetail: ${redactText(detail)}\n`,
      at: deps.clock.now(),
      connection: { id: conn.id, platform: conn.platform, name: conn.name },
    });
  } catch (e) {
    deps.io.err(`warning: could not send the reconnect notification: ${redactText(String((e as Error)?.message ?? e))}`);
  }
}

export function utcDay(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

export interface Warning {
  connectionId: string;
  platform: string;
  account: string;
  reconnectBy: number;
  estimated: boolean;
  why: string;
  text: string;
}

/**
 * The two-week warning: at most once per connection per UTC day, whatever the
 * number of runs or processes. Returns the warning when this call claimed it.
 */
export async function warnOnce(deps: Deps, conn: Connection, d: ReconnectDeadline): Promise<Warning | undefined> {
  if (d.at === null) return undefined;
  const now = deps.clock.now();
  const store = await deps.store();
  if (!(await store.markOnce(`warn:${conn.id}:${utcDay(now)}`, now))) return undefined;
  const when = `${d.estimated ? '~' : ''}${new Date(d.at).toISOString().slice(0, 16).replace('T', ' ')} UTC (${relativeTime(d.at, now)})`;
  const text = `socialync: ${label(conn)} will need a reconnect by ${when}: ${d.why}. Run: socialync connect ${conn.platform} --name ${conn.name}`;
  await store.addEvent({ at: now, connectionId: conn.id, kind: 'warn.reconnect_soon', message: text });
  await sendToChannels(deps, {
    kind: 'warning',
    text,
    subject: `socialync: reconnect ${label(conn)} ${relativeTime(d.at, now)}`,
    body: `${text}\n`,
    at: now,
    connection: { id: conn.id, platform: conn.platform, name: conn.name },
    reconnectBy: d.at,
  });
  return { connectionId: conn.id, platform: conn.platform, account: conn.name, reconnectBy: d.at, estimated: d.estimated, why: d.why, text };
}
