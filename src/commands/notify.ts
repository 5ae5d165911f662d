import { printJson } from '../core/json.js';
import type { Command } from 'commander';
import type { CommandContext } from '../program.js';
import type { Deps } from '../deps.js';
import { readStdin } from '../core/io.js';
import { CliError, ExitCode, UsageError } from '../core/errors.js';
import { secretKeys } from '../secrets/types.js';
import { notifySettings, sendToChannels } from '../notify/index.js';
import { displayUrl } from '../notify/webhook.js';
import { newSigningSecret } from '../notify/sign.js';
import { CHANNELS, NOTICE_KINDS, notifySecretKeys, type ChannelName, type EmailSettings, type NoticeKind, type NotifySettings } from '../notify/types.js';
import { sampleNotice } from '../notify/samples.js';

export interface NotifyEmailOptions {
  to: string;
  from: string;
  smtpHost: string;
  smtpPort?: number;
  smtpUser?: string;
  smtpSecure?: boolean;
  kinds?: NoticeKind[];
}

export interface NotifyWebhookOptions {
  /** Sign every request; a new secret is made, kept in the secret store and returned once. */
  sign?: boolean;
  kinds?: NoticeKind[];
}

/** Returns the new signing secret when `sign` made one (printed once by the command). */
export async function runNotifySetWebhook(deps: Deps, url: string | undefined, o: NotifyWebhookOptions = {}): Promise<{ signingSecret?: string }> {
  const before = notifySettings(deps).webhook;
  const secrets = await deps.secrets();
  if (url === undefined && !before) throw new UsageError('a webhook URL is needed', 'pipe it in with --url-stdin or set SOCIALYNC_WEBHOOK_URL');
  if (url !== undefined) {
    const u = checkedWebhookUrl(url);
    // Webhook URLs usually carry their token in the path: keep the URL in the secret store.
    await secrets.set(notifySecretKeys.webhookUrl(), u.toString());
  }
  const display = url !== undefined ? displayUrl(new URL(url).toString()) : before!.display;
  let signingSecret: string | undefined;
  if (o.sign) await secrets.set(notifySecretKeys.webhookSigning(), (signingSecret = newSigningSecret(deps.random.bytes(32))));
  const signed = Boolean(o.sign || before?.signed);
  const kinds = o.kinds ?? before?.kinds;
  await deps.config.set('notify.webhook', { display, ...(signed ? { signed } : {}), ...(kinds ? { kinds } : {}) });
  deps.io.info(`webhook set (${display}${signed ? ', signed' : ''}${kinds ? `, only ${kinds.join(', ')}` : ''}). Try it: socialync notify test webhook`);
  return signingSecret ? { signingSecret } : {};
}

function checkedWebhookUrl(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError('the webhook URL is not a URL', 'example: printf %s "https://hooks.slack.com/services/..." | socialync notify set webhook --url-stdin');
  }
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname))) {
    throw new UsageError('the webhook URL must use https (http only for 127.0.0.1/localhost)');
  }
  return u;
}

export async function runNotifySetDesktop(deps: Deps, o: { kinds?: NoticeKind[] } = {}): Promise<void> {
  await deps.config.set('notify.desktop', o.kinds ? { kinds: o.kinds } : {});
  deps.io.info(`desktop notices on${o.kinds ? ` (only ${o.kinds.join(', ')})` : ''}. Try it: socialync notify test desktop`);
}

export async function runNotifySetEmail(deps: Deps, o: NotifyEmailOptions): Promise<void> {
  const port = o.smtpPort ?? 587;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--smtp-port must be 1-65535, got ${o.smtpPort}`);
  for (const [flag, v] of [['--to', o.to], ['--from', o.from]] as const) {
    if (!/^[^\s@]+@[^\s@]+$/.test(v.replace(/^.*<(.+)>$/, '$1'))) throw new UsageError(`${flag} "${v}" is not an email address`);
  }
  const settings: EmailSettings = { to: o.to, from: o.from, host: o.smtpHost, port, ...(o.smtpUser ? { user: o.smtpUser } : {}), ...(o.smtpSecure ? { secure: true } : {}), ...(o.kinds ? { kinds: o.kinds } : {}) };
  if (o.smtpUser) {
    let pass = deps.env.SOCIALYNC_SMTP_PASSWORD;
    if (!pass) {
      if (!deps.io.canPrompt) throw new UsageError('the SMTP password is needed', 'set SOCIALYNC_SMTP_PASSWORD, or run this in a terminal to be asked');
      pass = await deps.prompts.password(`SMTP password for ${o.smtpUser}@${o.smtpHost}`);
    }
    await (await deps.secrets()).set(secretKeys.smtpPassword(), pass);
  }
  await deps.config.set('notify.email', settings);
  deps.io.info(`email notifications to ${o.to} via ${o.smtpHost}:${port}. Try it: socialync notify test`);
}

export interface NotifyListEntry {
  channel: ChannelName;
  target: string;
  /** The kinds this channel takes; null: every kind. */
  kinds: NoticeKind[] | null;
  /** Webhook requests carry a signature (docs/notifications.md#signed-webhooks); false for other channels. */
  signed: boolean;
}

function describeChannel(s: NotifySettings, c: ChannelName): string {
  if (c === 'webhook') return s.webhook!.display;
  if (c === 'email') return `${s.email!.to} via ${s.email!.host}:${s.email!.port}${s.email!.user ? ` as ${s.email!.user}` : ''}`;
  return 'this desktop session';
}

export function runNotifyList(deps: Deps): NotifyListEntry[] {
  const s = notifySettings(deps);
  return CHANNELS.filter((c) => s[c]).map((c) => ({ channel: c, target: describeChannel(s, c), kinds: s[c]!.kinds ?? null, signed: c === 'webhook' && Boolean(s.webhook!.signed) }));
}

export async function runNotifyTest(deps: Deps, only?: ChannelName, kind?: NoticeKind) {
  if (!runNotifyList(deps).length) throw new UsageError('no notification channel is configured', 'run: socialync notify set webhook --url-stdin  (or: socialync notify set email --help)');
  const results = await sendToChannels(deps, sampleNotice(deps.clock.now(), kind), { only, testKind: kind });
  if (!results.length) {
    if (only && !notifySettings(deps)[only]) throw new UsageError(`the ${only} channel is not configured`, 'run: socialync notify list');
    throw new UsageError(`no configured channel takes ${kind} notices`, 'see the kinds with: socialync notify list');
  }
  return results;
}

export async function runNotifyUnset(deps: Deps, channel: ChannelName): Promise<void> {
  await deps.config.delete(`notify.${channel}`);
  const secrets = await deps.secrets();
  if (channel === 'webhook') {
    await secrets.delete(notifySecretKeys.webhookUrl());
    await secrets.delete(notifySecretKeys.webhookSigning());
  }
  if (channel === 'email') await secrets.delete(secretKeys.smtpPassword());
  deps.io.info(`${channel} notifications removed`);
}

/** The webhook signing secret, for a receiver being set up (`notify signing-secret`). */
export async function runNotifySigningSecret(deps: Deps): Promise<string> {
  const secret = notifySettings(deps).webhook?.signed ? await (await deps.secrets()).get(notifySecretKeys.webhookSigning()) : undefined;
  if (!secret) throw new UsageError('the webhook is not signed', 'run: socialync notify set webhook --sign');
  return secret;
}

export const kindsArg = (v: string): NoticeKind[] => {
  const l = v.split(',').map((k) => k.trim()).filter(Boolean);
  const bad = l.filter((k) => !(NOTICE_KINDS as readonly string[]).includes(k));
  if (bad.length || !l.length) throw new UsageError(`unknown notice kind "${bad.join(',') || v}"`, `kinds: ${NOTICE_KINDS.join(', ')}`);
  return l as NoticeKind[];
};
const kindArg = (v: string): NoticeKind => kindsArg(v)[0]!;

const channelArg = (v: string): ChannelName => {
  if (!(CHANNELS as readonly string[]).includes(v)) throw new UsageError(`unknown channel "${v}"`, `channels: ${CHANNELS.join(', ')}`);
  return v as ChannelName;
};
const KINDS_HELP = `only notices of these kinds (comma-separated: ${NOTICE_KINDS.join(', ')}); default: all`;

export function registerNotify(program: Command, ctx: CommandContext): void {
  const { deps } = ctx;
  const notify = program
    .command('notify')
    .description('notifications when connections or posts need attention, and when they recover (webhook, email, desktop)')
    .addHelpText('after', `
Kinds of notice: ${NOTICE_KINDS.join(', ')} (docs/notifications.md)

Examples:
  $ printf %s "$SLACK_WEBHOOK_URL" | socialync notify set webhook --url-stdin
  $ socialync notify test --kind post_failed`);
  const set = notify
    .command('set')
    .description('configure a channel')
    .addHelpText('after', `
Examples:
  $ socialync notify set webhook https://ntfy.sh/my-topic --kinds reconnect_needed,post_failed
  $ socialync notify set email --to me@example.com --from socialync@example.com --smtp-host smtp.example.com
  $ socialync notify set desktop`);
  set
    .command('webhook')
    .description('POST JSON with a plain "text" field (Slack, Discord, ntfy-style receivers), optionally signed')
    .argument('[url]', 'the webhook URL; it is a secret when it carries a token, so prefer --url-stdin, SOCIALYNC_WEBHOOK_URL or the prompt')
    .option('--url-stdin', 'read the URL from standard input (keeps it out of the process list and shell history)')
    .option('--sign', 'sign every request (HMAC-SHA256, docs/notifications.md#signed-webhooks): makes a new secret and prints it (later: notify signing-secret); with no URL, keeps the URL set before')
    .option('--kinds <list>', KINDS_HELP, kindsArg)
    .addHelpText('after', `
Examples:
  $ printf %s "$SLACK_WEBHOOK" | socialync notify set webhook --url-stdin
  $ printf %s "$HOOK_URL" | socialync notify set webhook --url-stdin --sign   # prints the signing secret once
  $ socialync notify set webhook --sign      # a new signing secret for the webhook already set
  $ socialync notify set webhook          # asks for the URL (hidden)`)
    .action(async (url: string | undefined, o: { urlStdin?: boolean; sign?: boolean; kinds?: NoticeKind[] }) => {
      let value = url;
      if (!value && o.urlStdin) value = (await readStdin(deps.io)).trim();
      value ||= deps.env.SOCIALYNC_WEBHOOK_URL || undefined;
      if (!value && !((o.sign || o.kinds) && notifySettings(deps).webhook)) {
        if (!deps.io.canPrompt) throw new UsageError('a webhook URL is needed', 'pipe it in with --url-stdin or set SOCIALYNC_WEBHOOK_URL');
        value = await deps.prompts.password('Webhook URL:');
      }
      const r = await runNotifySetWebhook(deps, value, { ...(o.sign ? { sign: true } : {}), ...(o.kinds ? { kinds: o.kinds } : {}) });
      if (r.signingSecret) {
        deps.io.out(r.signingSecret);
        deps.io.info('That is the signing secret (shown again by: socialync notify signing-secret). Give it to the receiver; docs/notifications.md shows the check.');
      }
    });
  set
    .command('email')
    .description('send email over SMTP (password from SOCIALYNC_SMTP_PASSWORD or a prompt; kept in the secret store)')
    .requiredOption('--to <address>', 'recipient')
    .requiredOption('--from <address>', 'sender')
    .requiredOption('--smtp-host <host>', 'SMTP server')
    .option('--smtp-port <port>', 'SMTP port (default 587; 465 = TLS)', (v) => Number(v))
    .option('--smtp-user <user>', 'SMTP login (the password is asked, or read from SOCIALYNC_SMTP_PASSWORD)')
    .option('--smtp-secure', 'TLS from the start (default only for port 465; otherwise STARTTLS when offered)')
    .option('--kinds <list>', KINDS_HELP, kindsArg)
    .addHelpText('after', `
Examples:
  $ SOCIALYNC_SMTP_PASSWORD=... socialync notify set email --to me@example.com --from bot@example.com \\
      --smtp-host smtp.example.com --smtp-user bot@example.com --kinds post_failed,reconnect_needed`)
    .action(async (o: NotifyEmailOptions) => runNotifySetEmail(deps, o));
  set
    .command('desktop')
    .description('desktop notices in this session (Linux: freedesktop notifications over D-Bus; macOS: osascript)')
    .option('--kinds <list>', KINDS_HELP, kindsArg)
    .addHelpText('after', `
Examples:
  $ socialync notify set desktop --kinds reconnect_needed,post_failed`)
    .action(async (o: { kinds?: NoticeKind[] }) => runNotifySetDesktop(deps, o));
  notify
    .command('unset')
    .description('remove a channel')
    .argument('<channel>', CHANNELS.join(', '), channelArg)
    .addHelpText('after', `
Examples:
  $ socialync notify unset webhook`)
    .action(async (c: ChannelName) => runNotifyUnset(deps, c));
  notify
    .command('list')
    .description('show configured channels')
    .option('--json', 'print JSON (fields: docs/json.md)')
    .addHelpText('after', `
Examples:
  $ socialync notify list --json`)
    .action(async (o: { json?: boolean; jq?: string }) => {
      const l = runNotifyList(deps);
      if (o.json) return await printJson(deps.io, l, o.jq);
      if (!l.length) return deps.io.info('no channels; add one with: socialync notify set webhook --url-stdin');
      for (const e of l) {
        const extra = [e.signed ? 'signed' : '', e.kinds ? `only ${e.kinds.join(', ')}` : ''].filter(Boolean).join('; ');
        deps.io.out(`${e.channel}\t${e.target}${extra ? ` (${extra})` : ''}`);
      }
    });
  notify
    .command('signing-secret')
    .description('print the webhook signing secret (for setting up the receiver)')
    .addHelpText('after', `
Examples:
  $ socialync notify signing-secret | pbcopy`)
    .action(async () => deps.io.out(await runNotifySigningSecret(deps)));
  notify
    .command('test')
    .description('send a test notification to every channel (or one); with --kind, a sample of that kind to the channels that take it')
    .argument('[channel]', CHANNELS.join(', '), channelArg)
    .option('--kind <kind>', `a sample notice of this kind (${NOTICE_KINDS.join(', ')}), marked as a test`, kindArg)
    .addHelpText('after', `
Examples:
  $ socialync notify test
  $ socialync notify test email --kind post_failed`)
    .action(async (c: ChannelName | undefined, o: { kind?: NoticeKind }) => {
      const results = await runNotifyTest(deps, c, o.kind);
      for (const r of results) if (r.ok) deps.io.out(`${r.channel}\tsent`);
      const bad = results.filter((r) => !r.ok);
      if (bad.length) {
        throw new CliError(bad.map((r) => `${r.channel}: ${r.error}`).join('; '), { exitCode: ExitCode.failed, hint: `fix the settings with: socialync notify set ${bad[0]!.channel} ...` });
      }
    });
}
