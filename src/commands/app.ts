import { printJson } from '../core/json.js';
import type { Command } from 'commander';
import type { CommandContext } from '../program.js';
import type { Deps } from '../deps.js';
import { UsageError } from '../core/errors.js';
import { readStdin } from '../core/io.js';
import { INSTAGRAM_LOGINS, instagramLogin, loadProvider, parsePlatform, type InstagramLogin } from '../providers/registry.js';
import { PLATFORMS, type PlatformId, type Provider } from '../providers/types.js';
import { secretKeys } from '../secrets/types.js';
import type { AppSettings } from '../core/config.js';
import { parsePort } from './connect.js';
import { redirectPort, redirectUriFor } from '../auth/login.js';

export interface AppSetOptions {
  platform: PlatformId;
  clientId?: string;
  /** Read from stdin (--client-secret-stdin), the environment, or a prompt; never from argv. */
  clientSecret?: string;
  clientType?: 'public' | 'confidential';
  port?: number;
  redirectHost?: string;
  redirectHttps?: boolean;
  /** Instagram only: Instagram Login (default) or Facebook Login. */
  login?: InstagramLogin;
  flags?: Record<string, boolean>;
}

export interface AppEntry {
  platform: PlatformId;
  clientId: string | null;
  clientSecret: 'stored' | 'missing' | 'not needed';
  clientType: string | null;
  /** Instagram: 'instagram' (Instagram Login) or 'facebook' (Facebook Login); null elsewhere. */
  login: InstagramLogin | null;
  /** The exact redirect URI to register when the port is fixed; null when connect picks a free port. */
  redirectUri: string | null;
  /** In words, what to register when redirectUri is null. */
  redirectNote: string | null;
}

export function registerApp(program: Command, { deps }: CommandContext): void {
  const app = program
    .command('app')
    .description("manage your own developer apps' credentials, one per platform")
    .addHelpText('after', `
Examples:
  $ socialync app set tiktok --client-id abc123
  $ socialync app list --json`);
  app
    .command('set')
    .description("store a platform app's client id and secret, and print the redirect URI to register")
    .argument('<platform>', PLATFORMS.join(', '))
    .option('--client-id <id>', 'client id (TikTok: client key); or env SOCIALYNC_<PLATFORM>_CLIENT_ID')
    .option('--client-secret-stdin', 'read the client secret from standard input (or env SOCIALYNC_<PLATFORM>_CLIENT_SECRET, or a prompt)')
    .option('--client-type <type>', 'X only: public (Native App, no secret) or confidential (Web App, Basic auth)')
    .option('--port <port>', 'fixed redirect port to register (X, LinkedIn, Instagram, Facebook)', parsePort)
    .option('--redirect-host <host>', 'loopback host in the redirect URI: 127.0.0.1 or localhost')
    .option('--https', 'serve the loopback redirect over https with a self-signed certificate (e.g. Facebook apps in live mode)')
    .option('--login <api>', 'Instagram only: instagram (Instagram Login, the default) or facebook (an account linked to a Facebook Page, Facebook Login)')
    .option('--business-manager', 'Instagram with --login facebook: your Page role comes through Business Manager (asks for business_management too)')
    .option('--programmatic-refresh', 'LinkedIn: the app is approved for programmatic refresh tokens')
    .option('--organizations', 'LinkedIn: the app has the Community Management API (asks for w_organization_social and r_organization_social; connect --page <organization id>)')
    .option('--testing', 'YouTube: the Google app is in Testing status (refresh tokens last 7 days)')
    .addHelpText('after', `
Examples:
  $ socialync app set tiktok --client-id abc123          # prompts for the secret
  $ socialync app set instagram --login facebook --client-id <meta-app-id>
  $ printf %s "$SECRET" | socialync app set x --client-id abc --client-type confidential --client-secret-stdin`)
    .action(async (platform: string, o: Record<string, unknown>) => {
      const id = parsePlatform(platform);
      const noApp = (await loadProvider(id, deps.config)).descriptor.defaultClientId;
      if (noApp) throw new UsageError(`${id} needs no app: socialync logs in as the AT Protocol localhost client (${noApp}); nothing is registered anywhere`, `run: socialync connect ${id} --handle <your-handle>`);
      let secret: string | undefined;
      if (o.clientSecretStdin) secret = (await readStdin(deps.io)).trim();
      const flags: Record<string, boolean> = {};
      if (o.programmaticRefresh) flags.programmaticRefresh = true;
      if (o.organizations) flags.organizations = true;
      if (o.testing) flags.testing = true;
      if (o.businessManager) flags.businessManager = true;
      const login = o.login as string | undefined;
      if ((login !== undefined || o.businessManager) && id !== 'instagram') throw new UsageError(`--login and --business-manager are for instagram only`, `run: socialync app set ${id} without them`);
      if (login !== undefined && !(INSTAGRAM_LOGINS as readonly string[]).includes(login)) throw new UsageError(`--login must be instagram or facebook, got "${login}"`, 'run: socialync app set instagram --login facebook');
      const ct = o.clientType as string | undefined;
      if (ct && ct !== 'public' && ct !== 'confidential') throw new UsageError(`--client-type must be public or confidential, got "${ct}"`);
      const host = o.redirectHost as string | undefined;
      if (host && host !== '127.0.0.1' && host !== 'localhost') throw new UsageError(`--redirect-host must be 127.0.0.1 or localhost`);
      const r = await runAppSet(deps, {
        platform: id,
        ...(o.clientId ? { clientId: o.clientId as string } : {}),
        ...(secret ? { clientSecret: secret } : {}),
        ...(ct ? { clientType: ct as 'public' | 'confidential' } : {}),
        ...(o.port !== undefined ? { port: o.port as number } : {}),
        ...(host ? { redirectHost: host } : {}),
        ...(o.https ? { redirectHttps: true } : {}),
        ...(login ? { login: login as InstagramLogin } : {}),
        ...(Object.keys(flags).length ? { flags } : {}),
      });
      deps.io.info(`✓ Saved the ${id} app (client id ${r.clientId}; secret ${r.clientSecret}${r.login ? `; ${r.login} login` : ''}).`);
      deps.io.info(`Register this redirect URI in the ${id} developer console:`);
      deps.io.out(r.redirectUri ?? registerHint(await loadProvider(id, deps.config), deps));
    });
  app
    .command('list')
    .description('show the configured apps (secrets masked)')
    .option('--json', 'print JSON (fields: docs/json.md)')
    .addHelpText('after', `
Examples:
  $ socialync app list
  $ socialync app list --json`)
    .action(async (o: { json?: boolean; jq?: string }) => {
      const entries = await runAppList(deps);
      if (o.json) return await printJson(deps.io, entries, o.jq);
      if (!entries.length) return deps.io.info('No apps configured. Run: socialync app set <platform>');
      if (!deps.io.stdoutIsTTY) {
        for (const e of entries) deps.io.out([e.platform, e.clientId ?? '-', `secret: ${e.clientSecret}`, typeOf(e), e.redirectUri ?? e.redirectNote].join('\t'));
        return;
      }
      deps.io.out(await appTable(deps, entries));
    });
  app
    .command('remove')
    .description("forget a platform app's credentials (connections stay)")
    .argument('<platform>')
    .addHelpText('after', `
Examples:
  $ socialync app remove linkedin`)
    .action(async (platform: string) => {
      const id = parsePlatform(platform);
      await deps.config.delete(`apps.${id}`);
      await (await deps.secrets()).delete(secretKeys.clientSecret(id));
      deps.io.info(`✓ Removed the ${id} app credentials.`);
    });
}

/**
 * `app list` on a terminal: columns that fit the window (a long client id is cut, in full with
 * -v), and under each app the redirect URI to register, which is never cut, and the fix for a
 * missing secret.
 */
async function appTable(deps: Deps, entries: AppEntry[]): Promise<string> {
  const [{ Chalk }, { fitTable }] = await Promise.all([import('chalk'), import('../core/fit.js')]);
  const chalk = new Chalk({ level: deps.io.color ? 1 : 0 });
  const verbose = deps.io.verbosity === 'verbose' || deps.io.verbosity === 'debug';
  const rows = entries.map((e) => ({
    cells: [e.platform, e.clientId ?? '-', e.clientSecret === 'missing' ? 'secret missing' : e.clientSecret, typeOf(e)],
    detail: [
      ...(verbose && e.clientId ? [`client id ${e.clientId}`] : []),
      e.redirectUri ? `redirect URI to register: ${e.redirectUri}` : (e.redirectNote ?? ''),
      ...(e.clientSecret === 'missing' ? [`run: socialync app set ${e.platform} --client-secret-stdin   (or without it, to be asked)`] : []),
    ],
  }));
  const secretColour = (e: AppEntry) => (e.clientSecret === 'stored' ? chalk.green : e.clientSecret === 'missing' ? chalk.red : chalk.dim);
  return fitTable(['PLATFORM', 'CLIENT ID', 'SECRET', 'TYPE'], rows, {
    width: deps.io.columns,
    shrink: 1,
    minShrink: 12,
    paint: (col, _t, padded, row) => (row === -1 ? chalk.bold(padded) : col === 2 ? secretColour(entries[row]!)(padded) : padded),
    paintDetail: (line) => (line.startsWith('run: ') ? line : chalk.dim(line)),
  }).join('\n');
}

/** The TYPE column: X's client type, or which Instagram API the app uses. */
const typeOf = (e: AppEntry) => e.clientType ?? (e.login ? `${e.login} login` : '');

export function registerHint(p: Provider, deps: Deps): string {
  const port = redirectPort(p, deps);
  if (p.descriptor.redirect.registerHint && port === 0) return p.descriptor.redirect.registerHint;
  return redirectUriFor(p, deps, port === 0 ? '*' : port).replace(':*', p.descriptor.redirect.port === 'any' ? ':<any port>' : ':*');
}

function redirectFields(p: Provider, deps: Deps): Pick<AppEntry, 'redirectUri' | 'redirectNote'> {
  if (redirectPort(p, deps) !== 0) return { redirectUri: registerHint(p, deps), redirectNote: null };
  return { redirectUri: null, redirectNote: `register ${registerHint(p, deps)} (connect picks a free port)` };
}

export async function runAppSet(deps: Deps, o: AppSetOptions): Promise<AppEntry> {
  const p = await loadProvider(o.platform, { get: <T>(k: string) => (k === 'apps.instagram.login' && o.login ? (o.login as T) : deps.config.get<T>(k)) });
  if (p.descriptor.perConnectionHost) {
    // Mastodon: no developer portal; the app is registered on each server at connect (docs/platforms/mastodon.md#apps).
    throw new UsageError(`${o.platform}: there is no app to set up: socialync registers itself on your server when you connect`, `run: socialync connect ${o.platform} --instance <your server, e.g. mastodon.social>`);
  }
  const prefix = `SOCIALYNC_${o.platform.toUpperCase()}`;
  const prev = deps.config.get<AppSettings>(`apps.${o.platform}`);
  // Changing other settings keeps the stored client id.
  let clientId = o.clientId ?? deps.env[`${prefix}_CLIENT_ID`] ?? prev?.clientId;
  if (!clientId) clientId = await deps.prompts.input(`${p.descriptor.displayName} client id${o.platform === 'tiktok' ? ' (client key)' : ''}:`, prev?.clientId ? { default: prev.clientId } : {});
  if (!clientId?.trim()) throw new UsageError('a client id is needed', `pass --client-id or set ${prefix}_CLIENT_ID`);
  const clientType = o.clientType ?? prev?.clientType;
  const needs = p.descriptor.clientSecret === 'required' || (p.descriptor.clientSecret === 'confidential-only' && clientType === 'confidential');
  let secret = o.clientSecret ?? deps.env[`${prefix}_CLIENT_SECRET`] ?? undefined;
  const secrets = await deps.secrets();
  const haveStored = Boolean(await secrets.get(secretKeys.clientSecret(o.platform)));
  if (!secret && needs && !haveStored) {
    if (!deps.io.canPrompt) throw new UsageError(`${o.platform} needs a client secret`, `pipe it in with --client-secret-stdin or set ${prefix}_CLIENT_SECRET`);
    secret = await deps.prompts.password(`${p.descriptor.displayName} client secret:`);
  }
  // Secret first: a failure leaves the config untouched.
  if (secret) await secrets.set(secretKeys.clientSecret(o.platform), secret);
  const next: AppSettings = {
    ...(prev ?? {}),
    clientId: clientId.trim(),
    ...(clientType ? { clientType } : {}),
    ...(o.port !== undefined ? { redirectPort: o.port } : {}),
    ...(o.redirectHost ? { redirectHost: o.redirectHost } : {}),
    ...(o.redirectHttps ? { redirectHttps: true } : {}),
    ...(o.login ? { login: o.login } : {}),
    ...(o.flags ? { flags: { ...(prev?.flags ?? {}), ...o.flags } } : {}),
  };
  await deps.config.set(`apps.${o.platform}`, next);
  return (await runAppList(deps)).find((e) => e.platform === o.platform)!;
}

export async function runAppList(deps: Deps): Promise<AppEntry[]> {
  const out: AppEntry[] = [];
  const secrets = await deps.secrets();
  for (const id of PLATFORMS) {
    const a = deps.config.get<AppSettings>(`apps.${id}`);
    if (!a) continue;
    const p = await loadProvider(id, deps.config);
    const needs = p.descriptor.clientSecret === 'required' || (p.descriptor.clientSecret === 'confidential-only' && a.clientType === 'confidential');
    const stored = Boolean(await secrets.get(secretKeys.clientSecret(id)));
    out.push({
      platform: id,
      clientId: a.clientId ?? null,
      clientSecret: stored ? 'stored' : needs ? 'missing' : 'not needed',
      clientType: a.clientType ?? null,
      login: id === 'instagram' ? instagramLogin(deps.config) : null,
      ...redirectFields(p, deps),
    });
  }
  return out;
}
