import { printJson } from '../core/json.js';
import type { Command } from 'commander';
import type { CommandContext } from '../program.js';
import type { Deps } from '../deps.js';
import { CliError, ExitCode, ProviderError, UsageError } from '../core/errors.js';
import { parsePlatform, resolveHosts } from '../providers/registry.js';
import { runLogin } from '../auth/login.js';
import { saveTokens, tokenMetadata } from '../auth/tokens.js';
import { secretKeys } from '../secrets/types.js';
import type { Connection } from '../store/types.js';
import { postStoreFor } from '../store/posts.js';
import { connectionIdentity } from '../store/identity.js';
import { PLATFORMS, type PlatformId } from '../providers/types.js';

export interface ConnectOptions {
  platform: PlatformId;
  name?: string;
  port?: number;
  browser: boolean;
  timeoutSec: number;
  json?: boolean;
  /** Facebook: the Page to publish to (id or name). */
  page?: string;
  /** Bluesky: the handle (or DID) to log in as. */
  handle?: string;
  /** Mastodon: the server of the account (`mastodon.social`); default: the configured instance. */
  instance?: string;
}

export interface ConnectResult {
  platform: PlatformId;
  /** The connection's name (`--name`). */
  account: string;
  accountId: string;
  username: string | null;
  reconnected: boolean;
  /** Post targets this account had before it was disconnected, now on this connection. */
  adoptedTargets: number;
  missingScopes: string[];
  /** After a reconnect that retried failed posts (--retry-failed or yes at the prompt); else null. */
  retry: import('./retry.js').RetryResult | null;
}

export function registerConnect(program: Command, { deps, setExitCode }: CommandContext): void {
  program
    .command('connect')
    .description('log in to a platform in the browser and keep the connection')
    .argument('<platform>', PLATFORMS.join(', '))
    .option('--name <name>', 'local name for this account (default: its username); reconnects it if it exists')
    .option('--port <port>', 'port for the loopback listener (must match the redirect URI registered for fixed-port platforms)', parsePort)
    .option('--no-browser', 'print the URL instead of opening a browser, and accept the final URL pasted on stdin (SSH, headless)')
    .option('--timeout <seconds>', 'how long to wait for the browser', parsePositive, 300)
    .option('--page <id-or-name>', 'Facebook: the Page to publish to; Instagram with Facebook Login: the @account or its Page (asked on a terminal when there are several); LinkedIn: the organization id to post as')
    .option('--handle <handle>', 'Bluesky: the account to log in as (alice.bsky.social or a DID); without it, bsky.social asks')
    .option('--instance <server>', 'Mastodon: the server of your account, e.g. mastodon.social (socialync registers itself there; no developer portal)')
    .option('--retry-failed', 'after reconnecting, retry the posts that failed because this account\'s token was dead, without asking')
    .option('--no-retry', 'after reconnecting, do not offer to retry failed posts')
    .option('--json', 'print JSON (fields: docs/json.md)')
    .addHelpText(
      'after',
      `
Examples:
  $ socialync connect tiktok
  $ socialync connect youtube --name brand-channel
  $ socialync connect x --no-browser          # on a server: open the URL elsewhere, paste the final URL back
  $ socialync connect mastodon --instance mastodon.social
  $ socialync connect bluesky --handle alice.bsky.social   # no app to register`,
    )
    .action(async (platform: string, o: { name?: string; port?: number; browser: boolean; timeout: number; json?: boolean; jq?: string; page?: string; handle?: string; instance?: string; retry: boolean; retryFailed?: boolean }) => {
      const r = await runConnect(deps, {
        platform: parsePlatform(platform),
        ...(o.name ? { name: o.name } : {}),
        ...(o.port !== undefined ? { port: o.port } : {}),
        browser: o.browser,
        timeoutSec: o.timeout,
        ...(o.json ? { json: true } : {}),
        ...(o.page ? { page: o.page } : {}),
        ...(o.handle ? { handle: o.handle } : {}),
        ...(o.instance ? { instance: o.instance } : {}),
      });
      if (r.reconnected || r.adoptedTargets) {
        // Reconnect flow (retry issue): offer to re-send what the dead token (or the account's
        // disconnection) broke; posts are never changed.
        const [{ offerRetryAfterReconnect }, conn] = await Promise.all([import('./retry.js'), (await deps.store()).findConnection(r.platform, r.account)]);
        const retry = conn && (await offerRetryAfterReconnect(deps, conn, o.retryFailed ? 'yes' : o.retry ? 'ask' : 'no', o.json));
        if (retry) ((r.retry = retry), retry.exitCode && setExitCode(retry.exitCode));
      }
      if (o.json) await printJson(deps.io, r, o.jq);
      if (r.missingScopes.length) setExitCode(ExitCode.partial);
    });
}

/** How an account is named to the user: @username, else its display name, else its id. */
function who(a: { username?: string | null; displayName?: string | null; accountId?: string; id?: string }): string {
  return a.username ? `@${a.username}` : a.displayName || a.accountId || a.id || 'unknown';
}

/** Username where the platform gives one, else the display name as a slug, else the account id. */
function defaultName(a: { id: string; username?: string; displayName: string; meta?: Record<string, string> }): string {
  if (a.username) return a.username;
  // A Facebook connection is a Page: name it after the Page.
  const slug = (a.meta?.pageName ?? a.displayName).toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return slug || a.id;
}

export function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--port must be a number from 0 to 65535, got "${v}"`);
  return n;
}

function parsePositive(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`expected a positive number, got "${v}"`);
  return n;
}


/**
 * Mastodon's server: --instance, else the one a named connection is on (reconnect), else the
 * configured default instance (said aloud, as it may not be the user's).
 */
async function instanceFor(deps: Deps, o: ConnectOptions, existing: Connection | undefined): Promise<string | undefined> {
  const provider = await deps.provider(o.platform);
  const host = provider.descriptor.perConnectionHost;
  if (!host) {
    if (o.instance) throw new UsageError(`--instance is for Mastodon; ${o.platform} has one server`);
    return undefined;
  }
  const { parseInstance } = await import('../auth/instance-app.js');
  if (o.instance) return parseInstance(o.instance);
  if (existing?.meta.instance) return existing.meta.instance;
  const fallback = resolveHosts(provider.descriptor, deps.config)[host]!;
  deps.io.info(`${provider.descriptor.displayName}: connecting to ${fallback} (another server: socialync connect ${o.platform} --instance <server>)`);
  return fallback;
}

/**
 * The network (or the platform's server) did not answer during the login, or the platform asked to
 * slow down: exit 6, and the same command once it is back (after the wait the platform named).
 */
export function networkFailure(e: unknown, o: ConnectOptions): CliError | undefined {
  if (!(e instanceof ProviderError) || (e.errorClass !== 'transient' && e.errorClass !== 'rate_limited')) return undefined;
  if (e.errorClass === 'rate_limited') {
    const wait = e.retryAfterMs ? `wait ${Math.max(1, Math.ceil(e.retryAfterMs / 60_000))} min` : 'wait a few minutes';
    return new CliError(e.message, { exitCode: ExitCode.transient, hint: `${o.platform} asks to slow down: ${wait}, then run: ${connectCommand(o)}`, cause: e });
  }
  const check = o.handle ? `the network connection and the handle ${o.handle}` : 'the network connection';
  return new CliError(e.message, { exitCode: ExitCode.transient, hint: `check ${check}, then run: ${connectCommand(o)}`, cause: e });
}

const shellWord = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** The connect command as the user gave it (the options that choose what to connect and how). */
export function connectCommand(o: ConnectOptions): string {
  const flags: [string, string | number | undefined][] = [['--name', o.name], ['--handle', o.handle], ['--instance', o.instance], ['--page', o.page], ['--port', o.port]];
  const given = flags.filter(([, v]) => v !== undefined).map(([f, v]) => `${f} ${shellWord(String(v))}`);
  return ['socialync connect', o.platform, ...given, ...(o.browser ? [] : ['--no-browser'])].join(' ');
}

export async function runConnect(deps: Deps, o: ConnectOptions): Promise<ConnectResult> {
  const store = await deps.store();
  await deps.secrets(); // verify the secret backend before sending the user to a browser
  const existing = o.name ? await store.findConnection(o.platform, o.name) : undefined;
  const instance = await instanceFor(deps, o, existing);
  // Headless paste-back reads stdin until the login ends; closing it lets the process exit.
  const { createInterface } = await import('node:readline');
  // Also with a browser: when it cannot be opened (or runs on another machine), the user pastes the final URL.
  const rl = createInterface({ input: deps.io.stdin, crlfDelay: Infinity, terminal: false });
  let login: Awaited<ReturnType<typeof runLogin>>;
  try {
    login = await runLogin(deps, {
      platform: o.platform,
      ...(o.port !== undefined ? { port: o.port } : {}),
      browser: o.browser,
      timeoutMs: o.timeoutSec * 1000,
      pasteInput: rl,
      ...(o.page ? { target: o.page } : {}),
      ...(o.handle ? { loginHint: o.handle } : {}),
      ...(instance ? { instance } : {}),
    });
  } catch (e) {
    throw networkFailure(e, o) ?? e;
  } finally {
    rl.close();
  }
  const { account, tokens, provider } = login;
  const d = provider.descriptor;
  try {
    const unsupported = provider.unsupportedAccount?.(account);
    if (unsupported) throw new CliError(`${d.id}: ${unsupported}`, { hint: `then run: socialync connect ${d.id}` });

    // Reconnect: the named connection, or the same platform account under any name.
    const identity = connectionIdentity({ accountId: account.id, meta: account.meta ?? {} });
    let target: Connection | undefined = existing;
    // (Where one login serves several targets, e.g. Facebook Pages, the target is part of the identity.)
    if (!target && !o.name) {
      target = (await store.listConnections({ platform: o.platform })).find((c) => connectionIdentity(c) === identity);
    }
    if (target && target.accountId !== account.id) {
      throw new CliError(
        `${d.id}/${target.name} belongs to ${who(target)}, but you logged in as ${who(account)}; nothing was changed`,
        { hint: `log in as ${who(target)} to reconnect it, or connect the other account under a new name: socialync connect ${d.id} --name <new-name>` },
      );
    }
    const missing = login.missingScopes;
    const health = missing.length ? ('needs_reconnect' as const) : ('healthy' as const);
    const reasonDetail = missing.length ? missing.map((m) => `${m.scope} not granted: ${m.why}`).join('; ') : null;
    const now = deps.clock.now();
    const common = {
      username: account.username ?? null,
      displayName: account.displayName,
      accountType: account.accountType ?? null,
      dataAccessExpiresAt: account.dataAccessExpiresAt ?? null,
      meta: account.meta ?? {},
      health,
      reason: missing.length ? ('scope_missing' as const) : null,
      reasonDetail,
      lastRefreshAt: null,
    };
    let name: string;
    let reconnected = false;
    let connectionId: string;
    if (target) {
      connectionId = target.id;
      name = target.name;
      reconnected = true;
      await saveTokens(deps, target, tokens, common);
    } else {
      name = o.name ?? defaultName(account);
      const clash = await store.findConnection(o.platform, name);
      if (clash) {
        throw new UsageError(`${d.id}: the name "${name}" is already used by another account; nothing was saved`, `pass a different name: socialync connect ${d.id} --name <name>`);
      }
      const id = (connectionId = deps.random.uuid());
      const secrets = await deps.secrets();
      await secrets.set(secretKeys.connection(id), JSON.stringify(tokens));
      try {
        await store.insertConnection({ id, platform: o.platform, name, accountId: account.id, ...tokenMetadata(tokens), ...common } as never, now);
      } catch (e) {
        await secrets.delete(secretKeys.connection(id)).catch(() => undefined);
        throw e;
      }
    }
    // This account (or Page) was connected before and disconnected: its posts that were waiting,
    // or failed for want of it, belong to this connection now (retry below offers the failed).
    // On every connect, so a target that was being published during an earlier one moves too.
    const adopted = await postStoreFor(store).adoptTargets(o.platform, identity, connectionId, now);
    await store.addEvent({ at: now, kind: reconnected ? 'reconnected' : 'connected', message: `${d.id}/${name}`, connectionId: target?.id ?? null });
    if (target && health === 'healthy') await (await import('../notify/recovery.js')).notifyConnectionRecovered(deps, target, 'reconnected');
    login.finish(true, `Connected to ${d.displayName}`, `socialync is now connected to ${d.displayName} as ${who(account)}.`);
    deps.io.info(`✓ ${reconnected ? 'Reconnected' : 'Connected'} ${d.displayName} account ${who(account)} as "${name}".`);
    if (adopted) deps.io.info(`  ${adopted} post target${adopted === 1 ? '' : 's'} of this account from before it was disconnected now use "${name}".`);
    for (const m of missing) {
      deps.io.err(`! ${d.id}: you did not grant "${m.scope}": ${m.why}. To fix it, run: socialync connect ${d.id} --name ${name} and keep that permission ticked.`);
    }
    return { platform: o.platform, account: name, accountId: account.id, username: account.username ?? null, reconnected, adoptedTargets: adopted, missingScopes: missing.map((m) => m.scope), retry: null };
  } catch (e) {
    login.finish(false, 'Not connected', e instanceof CliError ? e.message : 'socialync could not save this connection.');
    throw e;
  }
}
