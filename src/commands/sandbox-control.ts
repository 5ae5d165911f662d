/**
 * `socialync sandbox expire|revoke|password-change <platform>`: what goes wrong with real
 * accounts, made to happen on the running sandbox (`sandbox serve`) through its control routes
 * (src/sandbox/control.ts), so a person can watch socialync notice it and say what to run.
 */
import type { Command } from 'commander';
import type { CommandContext } from '../program.js';
import type { Deps } from '../deps.js';
import { CliError, UsageError } from '../core/errors.js';
import { hostUrl } from '../core/url.js';
import { loadProvider, parsePlatform } from '../providers/registry.js';
import type { PlatformId } from '../providers/types.js';

export type SandboxEvent = 'expire' | 'expire-refresh' | 'revoke' | 'password-change';

/** The account `sandbox serve --auto-approve` and `sandbox demo` log in as. */
const DEMO_ACCOUNT = 'alice';

const ROUTE: Record<SandboxEvent, { op: string; body: (account?: string) => Record<string, unknown>; done: string; next: string }> = {
  expire: { op: 'expire', body: (account) => ({ what: 'access', account }), done: 'access token expired', next: 'socialync refresh   (renews it: nothing for you to do)' },
  'expire-refresh': { op: 'expire', body: (account) => ({ what: 'refresh', account }), done: 'refresh token expired', next: 'socialync refresh; socialync status   (needs a reconnect: the fix is printed)' },
  revoke: { op: 'revoke', body: (account) => ({ account }), done: 'access revoked (as if the user removed the app)', next: 'socialync refresh; socialync status   (needs a reconnect: the fix is printed)' },
  'password-change': { op: 'password-change', body: (account) => ({ account }), done: 'password changed (Meta: error 190/460; elsewhere: revoked)', next: 'socialync refresh; socialync status' },
};

/** The origin of the running sandbox server that plays `platform` in this profile. */
async function sandboxOrigin(deps: Deps, platform: PlatformId): Promise<string> {
  if (!deps.config.get('sandbox')) {
    throw new UsageError('this profile is not a sandbox profile', 'start one with: socialync sandbox serve, then use the SOCIALYNC_HOME it prints');
  }
  const firstHost = Object.keys((await loadProvider(platform)).descriptor.hosts)[0]!;
  const url = deps.config.get<string>(`endpoints.${platform}.${firstHost}`);
  if (!url) throw new UsageError(`the sandbox profile has no ${platform} endpoint`, 'start a new one with: socialync sandbox serve');
  return url;
}

async function call(deps: Deps, base: string, path: string, init: { method: 'GET' | 'POST'; body?: unknown }): Promise<Record<string, unknown>> {
  let res;
  try {
    res = await deps.http.fetch(hostUrl(base, path), {
      method: init.method,
      timeoutMs: 5_000,
      ...(init.body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(init.body) } : {}),
    });
  } catch (e) {
    throw new CliError(`the sandbox at ${base} does not answer (${(e as Error).message})`, { hint: 'is `socialync sandbox serve` still running? Start it again: socialync sandbox serve' });
  }
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) throw new CliError(`the sandbox refused ${path}: HTTP ${res.status} ${JSON.stringify(body)}`);
  return body;
}

export async function runSandboxEvent(deps: Deps, o: { platform: PlatformId; event: SandboxEvent; account?: string }): Promise<{ count: number; done: string; next: string }> {
  const base = await sandboxOrigin(deps, o.platform);
  const info = await call(deps, base, '/__sandbox/info', { method: 'GET' });
  if (info.platform !== o.platform) throw new CliError(`the server at ${base} is the ${String(info.platform)} sandbox, not ${o.platform}`, { hint: 'start a new profile: socialync sandbox serve' });
  const r = ROUTE[o.event];
  const out = await call(deps, base, `/__sandbox/${r.op}`, { method: 'POST', body: r.body(o.account) });
  return { count: Number(out.revoked ?? out.expired ?? 0), done: r.done, next: r.next };
}

export function registerSandboxControl(sb: Command, { deps }: CommandContext): void {
  const action = (event: SandboxEvent | ((o: Record<string, unknown>) => SandboxEvent)) => async (platform: string, o: { account?: string; refreshToken?: boolean }) => {
    const p = parsePlatform(platform);
    const ev = typeof event === 'function' ? event(o) : event;
    const r = await runSandboxEvent(deps, { platform: p, event: ev, ...(o.account ? { account: o.account } : {}) });
    if (!r.count) throw new CliError(`${p}: nothing to change: no live tokens${o.account ? ` of ${o.account}` : ''} on the sandbox`, { hint: `connect first: socialync connect ${p}` });
    deps.io.info(`✓ ${p}${o.account ? ` (${o.account})` : ''}: ${r.done} for ${r.count} connection${r.count === 1 ? '' : 's'} on the sandbox.`);
    deps.io.info(`See what socialync makes of it: ${r.next}`);
  };
  sb.command('expire')
    .description('make the sandbox expire a connection\'s access token now (or, with --refresh-token, its refresh token)')
    .argument('<platform>')
    .option('--account <name>', 'only this sandbox account (default: every account)')
    .option('--refresh-token', 'expire the refresh token too: the connection then needs a reconnect')
    .addHelpText('after', `
Examples:
  $ socialync sandbox expire tiktok
  $ socialync sandbox expire x --refresh-token`)
    .action(action((o) => (o.refreshToken ? 'expire-refresh' : 'expire')));
  sb.command('revoke')
    .description('make the sandbox revoke a connection, as when the user removes the app')
    .argument('<platform>')
    .option('--account <name>', 'only this sandbox account (default: every account)')
    .addHelpText('after', `
Examples:
  $ socialync sandbox revoke linkedin`)
    .action(action('revoke'));
  sb.command('password-change')
    .description('make the sandbox act as if the account\'s password changed (Meta: error 460)')
    .argument('<platform>')
    .option('--account <name>', 'the sandbox account', DEMO_ACCOUNT)
    .addHelpText('after', `
Examples:
  $ socialync sandbox password-change facebook`)
    .action(action('password-change'));
}
