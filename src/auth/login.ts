/**
 * The browser login (RFC 6749 authorization code + RFC 7636 PKCE over an
 * RFC 8252 loopback redirect). Exchanges the code inside the callback handling
 * (X codes live 30 s), then asks who the user is, then answers the browser.
 */
import type { Deps } from '../deps.js';
import { CliError, ProviderError } from '../core/errors.js';
import type { AccountInfo, PlatformId, Provider, ProviderDeps, TokenSet } from '../providers/types.js';
import { startLoopback, type Loopback } from './loopback.js';
import { selfSignedCert } from './cert.js';
import { interruption } from '../core/interrupt.js';
import { ensureInstanceApp, forgetInstanceApp } from './instance-app.js';

export interface LoginOptions {
  platform: PlatformId;
  /** --port: overrides the listening port. */
  port?: number;
  browser: boolean;
  timeoutMs: number;
  /** Lines of the final redirected URL pasted on stdin (headless paste-back). */
  pasteInput?: AsyncIterable<string>;
  /** Which publishing target to use where a login has several (Facebook: --page). */
  target?: string;
  /** The account to log in as, where the platform starts from it (Bluesky: --handle). */
  loginHint?: string;
  /** Platforms on many servers (Mastodon): the server's origin (--instance, parsed). */
  instance?: string;
}

export interface LoginResult {
  tokens: TokenSet;
  account: AccountInfo;
  provider: Provider;
  pdeps: ProviderDeps;
  missingScopes: { scope: string; why: string }[];
  /** Lets the caller answer the browser once it has decided what to store. */
  finish(ok: boolean, title: string, detail: string): void;
}

export function redirectPort(provider: Provider, deps: Deps, override?: number): number {
  if (override !== undefined) return override;
  // 0 = any free port: for the sandbox (which accepts any loopback redirect) and platforms that do too.
  const configured = deps.config.get<number>(`apps.${provider.descriptor.id}.redirectPort`);
  if (typeof configured === 'number') return configured;
  const p = provider.descriptor.redirect.port;
  return p === 'any' ? 0 : p;
}

/** https where the platform demands it (Instagram Login) or the user chose it (`app set --https`, e.g. a live Facebook app). */
export function redirectHttps(provider: Provider, deps: Deps): boolean {
  return provider.descriptor.redirect.https || deps.config.get<boolean>(`apps.${provider.descriptor.id}.redirectHttps`) === true;
}

export function redirectUriFor(provider: Provider, deps: Deps, port: number | '*'): string {
  const r = provider.descriptor.redirect;
  const host = deps.config.get<string>(`apps.${provider.descriptor.id}.redirectHost`) ?? r.host;
  return `${redirectHttps(provider, deps) ? 'https' : 'http'}://${host}:${port}${r.path}`;
}

export async function runLogin(deps: Deps, o: LoginOptions): Promise<LoginResult> {
  const { io } = deps;
  const provider = await deps.provider(o.platform);
  let pdeps = await deps.providerDeps(o.platform, o.instance ? { meta: { instance: o.instance } } : undefined);
  const d = provider.descriptor;
  let state = deps.random.bytes(32).toString('base64url');
  const codeVerifier = deps.random.bytes(48).toString('base64url'); // 64 chars: within RFC 7636's 43–128
  const tls = redirectHttps(provider, deps) ? await selfSignedCert(deps.clock) : undefined;
  const lb: Loopback = await startLoopback({
    port: redirectPort(provider, deps, o.port),
    path: d.redirect.path,
    expectedState: () => state,
    timeoutMs: o.timeoutMs,
    platformName: d.id,
    portFlag: '--port',
    onStrayCallback: (why) => io.err(`warning: ${d.id}: ignored ${why}; still waiting for this login's callback`),
    ...(tls ? { tls } : {}),
  });
  let spinner: { stop(): void } | undefined;
  const interrupt = interruption(`cancelled: ${d.id} login interrupted while waiting for the browser; nothing was saved`, `to try again, run: socialync connect ${d.id}`);
  try {
    const redirectUri = redirectUriFor(provider, deps, lb.port);
    const scopes = d.scopes.map((s) => s.scope);
    if (provider.registerApp) pdeps = await ensureInstanceApp(deps, provider, pdeps, redirectUri, scopes);
    // AT Protocol: the library resolves the account, pushes the request (PAR) and picks the state.
    const pending = provider.startLogin ? await provider.startLogin({ redirectUri, ...(o.loginHint ? { loginHint: o.loginHint } : {}) }, pdeps) : undefined;
    if (pending) state = pending.state;
    const url = (pending?.url ?? provider.buildAuthorizeUrl({ redirectUri, state, codeVerifier, scopes }, pdeps)).toString();
    let opened = false;
    if (o.browser) {
      try {
        await deps.browser.open(url);
        opened = true;
      } catch (e) {
        io.err(`Could not open a browser (${(e as Error).message}). Open this URL yourself:`);
      }
    }
    if (!opened) {
      if (o.browser) io.err(url);
      else {
        io.err(`Open this URL in a browser (on any computer):`);
        io.err(url);
      }
      io.err(`Then, if the browser cannot reach this machine, paste the address it ends on (${redirectUri}?...) here and press Enter.`);
    } else if (deps.browser.automatic) {
      io.info(`${d.displayName}: the sandbox demo approves the consent page automatically...`);
    } else {
      io.info(`Opened ${d.displayName} in your browser. Waiting for you to approve (Ctrl-C to cancel)...`);
    }
    if (tls) io.info('The login listener uses a self-signed https certificate: accept the browser warning once, or use --no-browser and paste the final URL.');
    if (o.pasteInput) void readPasted(o.pasteInput, lb, io.err);
    if (io.progress && opened && !deps.browser.automatic) {
      const { default: ora } = await import('ora');
      spinner = ora({ text: `Waiting for ${d.displayName} authorization`, stream: io.stderrStream, discardStdin: false }).start();
    }
    const cb = await Promise.race([lb.result, interrupt.cancelled]);
    interrupt.stop();
    spinner?.stop();
    spinner = undefined;
    try {
      let tokens = pending ? await pending.exchange(cb.params) : await provider.exchangeCode({ code: cb.params.code!, redirectUri, codeVerifier, callbackParams: cb.params }, pdeps);
      if (provider.chooseTarget) {
        const ask = io.canPrompt ? (opts: { id: string; label: string }[]) => deps.prompts.select('Which one?', opts.map((x) => ({ value: x.id, name: x.label }))) : undefined;
        tokens = await provider.chooseTarget(tokens, pdeps, o.target, ask);
      }
      const account = await provider.whoami(tokens, pdeps);
      const granted = new Set(tokens.scopes);
      const missingScopes = tokens.scopes.length ? d.scopes.filter((s) => s.required && !granted.has(s.scope)) : [];
      const finish = (ok: boolean, title: string, detail: string) => {
        cb.finish(ok, title, detail);
        void lb.close();
      };
      return { tokens, account, provider, pdeps, missingScopes, finish };
    } catch (e) {
      // The server refused the registered app itself: the next connect registers a new one.
      if (provider.registerApp && e instanceof ProviderError && e.platformCode === 'invalid_client') await forgetInstanceApp(deps, provider, pdeps);
      const msg = e instanceof ProviderError || e instanceof CliError ? e.message : 'unexpected error';
      cb.finish(false, 'Login failed', msg);
      throw e;
    }
  } catch (e) {
    interrupt.stop();
    spinner?.stop();
    await lb.close();
    throw e;
  }
}

async function readPasted(lines: AsyncIterable<string>, lb: Loopback, err: (s: string) => void): Promise<void> {
  try {
    for await (const line of lines) {
      if (!line.trim()) continue;
      try {
        lb.acceptPasted(line);
        return;
      } catch (e) {
        err(`${(e as Error).message}. Try again:`);
      }
    }
  } catch {
    /* stdin closed: keep waiting for the browser */
  }
}
