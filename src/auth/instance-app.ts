/**
 * Apps registered on a server at connect time (Mastodon: docs/platforms/mastodon.md#apps), so no
 * developer portal is needed. One app per server, kept in the secret store under the server's
 * origin (client id and secret together, never in config), reused by later connects and
 * registered again when the server no longer knows it or the redirect URI no longer fits.
 */
import type { Deps } from '../deps.js';
import { UsageError } from '../core/errors.js';
import { rememberSecret } from '../core/redact.js';
import { secretKeys } from '../secrets/types.js';
import type { Provider, ProviderDeps, RegisteredApp } from '../providers/types.js';

/** `mastodon.social`, `https://mastodon.social/` -> `https://mastodon.social`; http only on this machine (the sandbox). */
export function parseInstance(input: string): string {
  const raw = input.trim();
  let u: URL;
  try {
    u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`);
  } catch {
    throw new UsageError(`--instance "${input}" is not a server name`, 'pass the server of your account, e.g. --instance mastodon.social');
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && loopback)) {
    throw new UsageError(`--instance ${input}: only https servers are accepted`, `pass the server name alone, e.g. --instance ${u.hostname || 'mastodon.social'}`);
  }
  if (u.username || u.password || u.search || u.hash || !u.hostname) {
    throw new UsageError(`--instance "${input}" is not a server name`, 'pass the server of your account, e.g. --instance mastodon.social');
  }
  return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
}

/**
 * Whether an app registered with `registered` accepts the login's `wanted` redirect URI. RFC 8252
 * §7.3: the port of a loopback IP literal may change at each login; Mastodon (Doorkeeper) ignores
 * it for 127.0.0.1 and [::1] but not for `localhost` (docs/platforms/mastodon.md#redirect).
 */
export function coversRedirect(registered: string, wanted: string): boolean {
  if (registered === wanted) return true;
  const a = new URL(registered);
  const b = new URL(wanted);
  if (!['127.0.0.1', '[::1]'].includes(a.hostname) || a.hostname !== b.hostname) return false;
  return a.protocol === b.protocol && a.pathname === b.pathname && a.search === b.search;
}

/** The redirect URI to register: the loopback IP literal without its port (any port then matches). */
export function registrationRedirect(wanted: string): string {
  const u = new URL(wanted);
  if (['127.0.0.1', '[::1]'].includes(u.hostname)) u.port = '';
  return u.toString();
}

const instanceOf = (provider: Provider, hosts: Record<string, string>): string => hosts[provider.descriptor.perConnectionHost!]!;

async function loadApp(deps: Deps, platform: string, origin: string): Promise<RegisteredApp | undefined> {
  const raw = await (await deps.secrets()).get(secretKeys.instanceApp(platform, origin));
  if (!raw) return undefined;
  try {
    const app = JSON.parse(raw) as RegisteredApp;
    rememberSecret(app.clientSecret);
    return typeof app.clientId === 'string' && app.clientId ? app : undefined;
  } catch {
    return undefined; // unreadable: register again
  }
}

/** ProviderDeps for one server: its hosts and the app registered there (an empty client id when none is yet). */
export async function instanceProviderDeps(deps: Deps, provider: Provider, hosts: Record<string, string>): Promise<ProviderDeps> {
  const app = await loadApp(deps, provider.descriptor.id, instanceOf(provider, hosts));
  return { http: deps.http, clock: deps.clock, hosts, app: app ?? { clientId: '' }, settings: deps.config };
}

/**
 * Before the browser opens: the app on this server, registered now when there is none, when the
 * stored one does not accept this redirect URI or scopes, or when the server says it is gone.
 */
export async function ensureInstanceApp(deps: Deps, provider: Provider, pd: ProviderDeps, redirectUri: string, scopes: string[]): Promise<ProviderDeps> {
  const d = provider.descriptor;
  const origin = instanceOf(provider, pd.hosts);
  const held = pd.app as Partial<RegisteredApp>;
  const fits = Boolean(held.clientId && held.redirectUri && coversRedirect(held.redirectUri, redirectUri) && scopes.every((s) => held.scopes?.includes(s)));
  const alive = fits ? (provider.checkApp ? await provider.checkApp(pd, redirectUri) : (held as RegisteredApp)) : undefined;
  if (alive) return { ...pd, app: alive };
  if (held.clientId) deps.io.info(`${d.displayName}: the app registered on ${origin} is gone or no longer fits; registering it again`);
  else deps.io.info(`${d.displayName}: registering socialync as an app on ${origin} (once per server)`);
  const app = await provider.registerApp!({ redirectUri: registrationRedirect(redirectUri), scopes }, pd);
  rememberSecret(app.clientSecret);
  await (await deps.secrets()).set(secretKeys.instanceApp(d.id, origin), JSON.stringify(app));
  return { ...pd, app };
}

/** After the server refused the app at the code exchange: the next connect registers a new one. */
export async function forgetInstanceApp(deps: Deps, provider: Provider, pd: ProviderDeps): Promise<void> {
  await (await deps.secrets()).delete(secretKeys.instanceApp(provider.descriptor.id, instanceOf(provider, pd.hosts)));
}
