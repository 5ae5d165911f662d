import { printJson } from '../core/json.js';
import type { Command } from 'commander';
import type { CommandContext } from '../program.js';
import type { Deps } from '../deps.js';
import { readStdin } from '../core/io.js';
import { CliError, ExitCode, UsageError } from '../core/errors.js';
import { secretKeys } from '../secrets/types.js';
import { notifySettings, sendToChannels } from '../notify/index.js';
import { displayUrl } from '../notify/webhook.js';
import { notifySecretKeys, type ChannelName, type EmailSettings } from '../notify/types.js';

export interface NotifyEmailOptions {
  to: string;
  from: string;
  smtpHost: string;
  smtpPort?: number;
  smtpUser?: string;
  smtpSecure?: boolean;
}

export async function runNotifySetWebhook(deps: Deps, url: string): Promise<void> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError('the webhook URL is not a URL', 'example: printf %s "https://hooks.slack.com/services/..." | socialync notify set webhook --url-stdin');
  }
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname))) {
    throw new UsageError('the webhook URL must use https (http only for 127.0.0.1/localhost)');
  }
  // Webhook URLs usually carry their token in the path: keep the URL in the secret store.
  await (await deps.secrets()).set(notifySecretKeys.webhookUrl(), u.toString());
  await deps.config.set('notify.webhook', { display: displayUrl(u.toString()) });
  deps.io.info(`webhook set (${displayUrl(u.toString())}). Try it: socialync notify test`);
}

export async function runNotifySetEmail(deps: Deps, o: NotifyEmailOptions): Promise<void> {
  const port = o.smtpPort ?? 587;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--smtp-port must be 1-65535, got ${o.smtpPort}`);
  for (const [flag, v] of [['--to', o.to], ['--from', o.from]] as const) {
    if (!/^[^\s@]+@[^\s@]+$/.test(v.replace(/^.*<(.+)>$/, '$1'))) throw new UsageError(`${flag} "${v}" is not an email address`);
  }
  const settings: EmailSettings = { to: o.to, from: o.from, host: o.smtpHost, port, ...(o.smtpUser ? { user: o.smtpUser } : {}), ...(o.smtpSecure ? { secure: true } : {}) };
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
}

export function runNotifyList(deps: Deps): NotifyListEntry[] {
  const s = notifySettings(deps);
  const out: NotifyListEntry[] = [];
  if (s.webhook) out.push({ channel: 'webhook', target: s.webhook.display });
  if (s.email) out.push({ channel: 'email', target: `${s.email.to} via ${s.email.host}:${s.email.port}${s.email.user ? ` as ${s.email.user}` : ''}` });
  return out;
}

export async function runNotifyTest(deps: Deps, only?: ChannelName) {
  if (!runNotifyList(deps).length) throw new UsageError('no notification channel is configured', 'run: socialync notify set webhook URL  (or: socialync notify set email --help)');
  const now = deps.clock.now();
  const text = 'socialync: test notification. Connections that need attention will be reported like this.';
  const results = await sendToChannels(deps, { kind: 'test', text, subject: 'socialync: test notification', body: `${text}\n`, at: now }, only);
  if (!results.length) throw new UsageError(`the ${only} channel is not configured`, 'run: socialync notify list');
  return results;
}

export async function runNotifyUnset(deps: Deps, channel: ChannelName): Promise<void> {
  await deps.config.delete(`notify.${channel}`);
  const secrets = await deps.secrets();
  await secrets.delete(channel === 'webhook' ? notifySecretKeys.webhookUrl() : secretKeys.smtpPassword());
  deps.io.info(`${channel} notifications removed`);
}

const channelArg = (v: string): ChannelName => {
  if (v !== 'webhook' && v !== 'email') throw new UsageError(`unknown channel "${v}"`, 'channels: webhook, email');
  return v;
};

export function registerNotify(program: Command, ctx: CommandContext): void {
  const { deps } = ctx;
  const notify = program
    .command('notify')
    .description('notifications when connections need attention (webhook, email)')
    .addHelpText('after', `
Examples:
  $ printf %s "$SLACK_WEBHOOK_URL" | socialync notify set webhook --url-stdin
  $ socialync notify test`);
  const set = notify
    .command('set')
    .description('configure a channel')
    .addHelpText('after', `
Examples:
  $ socialync notify set webhook https://ntfy.sh/my-topic
  $ socialync notify set email --to me@example.com --from socialync@example.com --smtp-host smtp.example.com`);
  set
    .command('webhook')
    .description('POST JSON with a plain "text" field (Slack, Discord, ntfy-style receivers)')
    .argument('[url]', 'the webhook URL; it is a secret when it carries a token, so prefer --url-stdin, SOCIALYNC_WEBHOOK_URL or the prompt')
    .option('--url-stdin', 'read the URL from standard input (keeps it out of the process list and shell history)')
    .addHelpText('after', `
Examples:
  $ printf %s "$SLACK_WEBHOOK" | socialync notify set webhook --url-stdin
  $ socialync notify set webhook          # asks for the URL (hidden)
  $ socialync notify set webhook https://ntfy.sh/my-topic`)
    .action(async (url: string | undefined, o: { urlStdin?: boolean }) => {
      let value = url;
      if (!value && o.urlStdin) value = (await readStdin(deps.io)).trim();
      value ||= deps.env.SOCIALYNC_WEBHOOK_URL || undefined;
      if (!value) {
        if (!deps.io.canPrompt) throw new UsageError('a webhook URL is needed', 'pipe it in with --url-stdin or set SOCIALYNC_WEBHOOK_URL');
        value = await deps.prompts.password('Webhook URL:');
      }
      await runNotifySetWebhook(deps, value);
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
    .addHelpText('after', `
Examples:
  $ SOCIALYNC_SMTP_PASSWORD=... socialync notify set email --to me@example.com --from bot@example.com \\
      --smtp-host smtp.example.com --smtp-user bot@example.com`)
    .action(async (o: NotifyEmailOptions) => runNotifySetEmail(deps, o));
  notify
    .command('unset')
    .description('remove a channel')
    .argument('<channel>', 'webhook or email', channelArg)
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
      if (!l.length) return deps.io.info('no channels; add one with: socialync notify set webhook URL');
      for (const e of l) deps.io.out(`${e.channel}\t${e.target}`);
    });
  notify
    .command('test')
    .description('send a test notification to every channel (or one)')
    .argument('[channel]', 'webhook or email', channelArg)
    .addHelpText('after', `
Examples:
  $ socialync notify test
  $ socialync notify test email`)
    .action(async (c: ChannelName | undefined) => {
      const results = await runNotifyTest(deps, c);
      for (const r of results) if (r.ok) deps.io.out(`${r.channel}\tsent`);
      if (results.some((r) => !r.ok)) {
        throw new CliError(`${results.filter((r) => !r.ok).map((r) => r.channel).join(', ')} failed`, { exitCode: ExitCode.failed, hint: 'fix the settings with: socialync notify set ...' });
      }
    });
}
