/**
 * Sending notifications to every configured channel that takes the notice's kind. A failing
 * channel is reported on stderr and in the event log (doctor shows it), never fails the caller
 * (a refresh must not fail because the mail server is down), and what it did not take waits
 * in the state db for the next run (src/notify/pending.ts).
 * Deduplication uses the state store's once-markers, claimed before sending,
 * so concurrent cron runs never send the same notice twice.
 */
import type { Deps } from '../deps.js';
import { redactText } from '../core/redact.js';
import { reconnectReasonText, type ReconnectReason } from '../core/errors.js';
import { secretKeys } from '../secrets/types.js';
import type { Connection } from '../store/types.js';
import { relativeTime, type ReconnectDeadline } from '../auth/deadlines.js';
import { CHANNELS, channelTakes, notifySecretKeys, type ChannelName, type Notification, type NoticeKind, type NotifySettings } from './types.js';
import { sendWebhook } from './webhook.js';
import { sendEmail } from './email.js';
import { deliver } from './delivery.js';
import { queueNotice } from './pending.js';

export function notifySettings(deps: Pick<Deps, 'config'>): NotifySettings {
  return deps.config.get<NotifySettings>('notify') ?? {};
}

export interface ChannelResult {
  channel: ChannelName;
  ok: boolean;
  error?: string;
  /** Kept in the state db and sent again on the next run. */
  queued?: boolean;
}

export interface SendOptions {
  only?: ChannelName | undefined;
  /** `notify test --kind`: only channels that take this kind. */
  testKind?: NoticeKind | undefined;
  /** The same id on every delivery of one notice (webhook `id`); new when absent. */
  id?: string;
  /** Redelivery of a queued notice: a failure is not queued again (pending.ts keeps it). */
  redelivery?: boolean;
}

/** The channels configured now that take `n` (all kinds unless the channel was limited). */
export function channelsFor(deps: Pick<Deps, 'config'>, n: Pick<Notification, 'kind'>, o: Pick<SendOptions, 'only' | 'testKind'> = {}): ChannelName[] {
  const s = notifySettings(deps);
  return CHANNELS.filter((c) => s[c] && (!o.only || o.only === c) && channelTakes(s[c], n.kind, o.testKind));
}

/** One delivery attempt series to one channel; throws what the channel answered. */
async function sendTo(deps: Deps, channel: ChannelName, n: Notification, id: string, timeoutMs: number): Promise<void> {
  const s = notifySettings(deps);
  if (channel === 'webhook') {
    const secrets = await deps.secrets();
    const url = await secrets.get(notifySecretKeys.webhookUrl());
    if (!url) throw new Error('the webhook URL is missing from the secret store; run: socialync notify set webhook --url-stdin');
    const secret = s.webhook?.signed ? await secrets.get(notifySecretKeys.webhookSigning()) : undefined;
    if (s.webhook?.signed && !secret) throw new Error('the webhook signing secret is missing from the secret store; run: socialync notify set webhook --sign --url-stdin');
    return sendWebhook(deps.http, { url, secret, now: deps.clock.now(), timeoutMs }, n, id);
  }
  if (channel === 'email') {
    const email = s.email!;
    const pass = email.user ? await (await deps.secrets()).get(secretKeys.smtpPassword()) : undefined;
    return sendEmail(email, pass, n, timeoutMs);
  }
  const { sendDesktop } = await import('./desktop.js');
  return sendDesktop(deps, n, timeoutMs);
}

export async function sendToChannels(deps: Deps, n: Notification, o: SendOptions = {}): Promise<ChannelResult[]> {
  const id = o.id ?? deps.random.uuid();
  const out: ChannelResult[] = [];
  for (const channel of channelsFor(deps, n, o)) {
    const r = await deliver(deps, (timeoutMs) => sendTo(deps, channel, n, id, timeoutMs));
    const store = await deps.store();
    if (r.ok) {
      out.push({ channel, ok: true });
      await store.addEvent({ at: deps.clock.now(), connectionId: null, kind: 'notify.delivered', message: channel }).catch(() => undefined);
      continue;
    }
    const queued = r.retryable && n.kind !== 'test' && !o.redelivery;
    out.push({ channel, ok: false, error: r.error!, ...(queued ? { queued } : {}) });
    if (queued) await queueNotice(deps, channel, n, id).catch(() => undefined);
    if (!o.redelivery) deps.io.err(`warning: ${channel} notification failed: ${r.error}${queued ? ' (kept; sent again on the next run)' : ''}. Check with: socialync notify test ${channel}`);
    await store.addEvent({ at: deps.clock.now(), connectionId: n.connection?.id ?? null, kind: 'notify.failed', message: `${channel}: ${r.error}` }).catch(() => undefined);
  }
  return out;
}

function label(c: Pick<Connection, 'platform' | 'name'>): string {
  return `${c.platform}/${c.name}`;
}

/**
 * Once per broken token generation: reconnecting (a new generation) re-arms it. The
 * `notify.reconnect_needed` event is what a later recovery notice answers (recovery.ts).
 */
export async function notifyReconnectNeeded(deps: Deps, conn: Connection, reason: ReconnectReason, detail: string): Promise<void> {
  try {
    const store = await deps.store();
    if (!(await store.markOnce(`notify.reconnect:${conn.id}:${conn.tokenGeneration}`, deps.clock.now()))) return;
    const text = `socialync: ${label(conn)} needs a reconnect (${reconnectReasonText[reason]}). Run: socialync connect ${conn.platform} --name ${conn.name}`;
    await store.addEvent({ at: deps.clock.now(), connectionId: conn.id, kind: 'notify.reconnect_needed', message: text });
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
    kind: 'expiring',
    text,
    subject: `socialync: reconnect ${label(conn)} ${relativeTime(d.at, now)}`,
    body: `${text}\n`,
    at: now,
    connection: { id: conn.id, platform: conn.platform, name: conn.name },
    reconnectBy: d.at,
  });
  return { connectionId: conn.id, platform: conn.platform, account: conn.name, reconnectBy: d.at, estimated: d.estimated, why: d.why, text };
}
