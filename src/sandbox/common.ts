/**
 * Shared machinery of the sandbox (see /work/sandbox-spec.md): the types every
 * platform module uses, response helpers, PKCE/redirect checks, and re-exports of
 * the token families (families.ts) and the consent page (consent.ts).
 *
 * ## How to add a platform
 * 1. Create `src/sandbox/<platform>.ts` exporting a `SandboxModule`:
 *    ```ts
 *    export const hosts = ['www', 'api'];            // host names of the provider descriptor
 *    export const apps: SandboxApp[] = [{ clientId: 'sandbox-tiktok', clientSecret: '...' }]; // first = default app
 *    export function createRoutes(ctx: PlatformContext): Route[] {
 *      return [
 *        { method: 'GET', path: '/v2/auth/authorize/', handler: (req) => ctx.consent({...}) },
 *        { method: 'POST', path: '/v2/oauth/token/', tokenCall: true, handler: (req) => {...} },
 *      ];
 *    }
 *    ```
 *    Every host of the platform is served by ONE server, so paths must not collide across hosts.
 *    Path patterns may contain `:name` segments (`/:version/me`), available as `req.params.name`.
 * 2. Add its line to the static list in src/sandbox/modules.ts (`main`, and `publish` once
 *    `<platform>-publish.ts` exists); the bundled build only includes modules listed there.
 * 3. Publishing routes go in `src/sandbox/<platform>-publish.ts` exporting only
 *    `createRoutes(ctx: PlatformContext): Route[]`; they share the platform's ctx (tokens,
 *    accounts, `ctx.data` for module state).
 * 4. src/sandbox/flow.ts has the shared authorize step (`authorize(ctx, req, spec)`: validation,
 *    consent page, code issue) and `redeemCode(ctx, app, req)` (single use, lifetime, identical
 *    redirect_uri, PKCE); map their outcomes to the platform's own error bodies.
 * 5. The platform then joins src/providers/contract.test.ts automatically.
 *
 * Use `ctx.families` for tokens (rotation + reuse detection + revocation switches),
 * `ctx.codes` for authorization codes, `ctx.consent(...)` for the consent page,
 * `ctx.account(name)` for test accounts and `ctx.now()` for time (never Date.now()).
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { PlatformId } from '../providers/types.js';
import type { TokenFamilies, CodeStore } from './families.js';
import type { ConsentRequest } from './consent.js';
import { escapeHtml } from '../core/html.js';
export { escapeHtml };

export { TokenFamilies, CodeStore } from './families.js';
export type { Family, TokenPolicy, IssuedTokens, CodeData, RevokeReason, AccessCheck, RefreshResult } from './families.js';
export type { ConsentRequest } from './consent.js';

/** A parsed request as handlers see it. */
export interface SandboxRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  url: URL;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** `:name` segments of the matched route. */
  params: Record<string, string>;
  rawBody: Buffer;
  /** application/x-www-form-urlencoded body (empty when not a form). */
  form: URLSearchParams;
  /** Parsed JSON body (undefined when not JSON). */
  json: unknown;
  /** First of: form field, JSON field (string), query parameter. */
  param(name: string): string | undefined;
  /** `Authorization: Bearer` token, if any. */
  bearer(): string | undefined;
  /** `Authorization: Basic` credentials, if any. */
  basic(): { user: string; pass: string } | undefined;
  /** The raw Node request (for publish routes that stream bodies: set `rawStream: true` on the route). */
  raw: IncomingMessage;
}

export interface SandboxResponse {
  status: number;
  headers?: Record<string, string>;
  /** Objects are sent as JSON; strings/Buffers as-is. */
  body?: unknown;
  /** Close the socket without answering (simulates a dropped connection). */
  drop?: boolean;
}

export type Handler = (req: SandboxRequest) => SandboxResponse | Promise<SandboxResponse>;

export interface Route {
  method: string;
  /** Exact path, with optional `:name` segments. */
  path: string;
  handler: Handler;
  /** Token-endpoint call: counted in stats and delayed by the latency control. */
  tokenCall?: boolean;
  /** Body size limit (default 1 MiB); larger requests get 413. */
  maxBodyBytes?: number;
  /** Do not read the body; the handler reads `req.raw` itself. */
  rawStream?: boolean;
}

export interface SandboxApp {
  clientId: string;
  clientSecret: string;
  clientType?: 'public' | 'confidential';
  name?: string;
  /** Platform-specific app traits, e.g. { programmaticRefresh: true } or { testing: true }. */
  flags?: Record<string, boolean>;
}

export interface SandboxAccount {
  /** Login name typed on the consent page ("alice"). */
  name: string;
  /** Stable numeric-looking platform id derived from the name. */
  id: string;
  displayName: string;
  /** 'BUSINESS' for alice/bob and new names; modules may override (Instagram carol = 'PERSONAL'). */
  type: string;
}

export interface SandboxOptions {
  platforms?: PlatformId[];
  /** Consent auto-approves as "alice" with all scopes. */
  demo?: boolean;
  /** Added to every token-endpoint call. */
  latencyMs?: number;
  /** Added to every platform call (API, upload and token endpoints; not the control routes): real network latency. */
  callLatencyMs?: number;
  /** TikTok: 24 h / 365 d ('legacy') vs 2 h / 180 d ('2026', default). */
  tiktokLifetimes?: 'legacy' | '2026';
  /** The platforms' documented per-minute request limits (default on); off for stress tests about something else. */
  rateLimits?: boolean;
  clock?: import('../core/clock.js').Clock;
}

/** What a platform module gets: one per platform server. */
export interface PlatformContext {
  platform: PlatformId;
  options: Readonly<SandboxOptions>;
  /** Sandbox time: clock.now() + control clock offset. */
  now(): number;
  apps: SandboxApp[];
  app(clientId: string | undefined): SandboxApp | undefined;
  /** Looks up or creates a test account by login name. */
  account(name: string): SandboxAccount;
  families: TokenFamilies;
  codes: CodeStore;
  /** Renders the consent page (or, in demo mode, approves at once as alice). */
  consent(c: ConsentRequest): SandboxResponse;
  /** Free-form per-platform state shared by the platform's modules (e.g. posts). */
  data: Map<string, unknown>;
  /** Counters shown by GET /__sandbox/stats (modules may add their own keys). */
  stats: Record<string, number>;
  random(bytes?: number): string;
}

/** Shape of `src/sandbox/<platform>.ts`. */
export interface SandboxModule {
  hosts: readonly string[];
  /**
   * Host names of another platform's descriptor served here too, e.g. the Facebook sandbox plays
   * Instagram's Facebook Login hosts: { instagram: ['facebook_www', 'facebook_graph', 'rupload'] }.
   */
  alsoServes?: Partial<Record<PlatformId, readonly string[]>>;
  apps: readonly SandboxApp[];
  createRoutes(ctx: PlatformContext): Route[];
}

/** Shape of `src/sandbox/<platform>-publish.ts`. */
export interface SandboxRoutesModule {
  createRoutes(ctx: PlatformContext): Route[];
}

// ---- response helpers ----

export function json(status: number, body: unknown, headers: Record<string, string> = {}): SandboxResponse {
  return { status, body, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } };
}

export function html(status: number, text: string): SandboxResponse {
  return { status, body: text, headers: { 'content-type': 'text/html; charset=utf-8' } };
}


/** A platform-style HTML error page (what the real authorize endpoints show on bad requests). */
export function htmlError(status: number, title: string, message: string): SandboxResponse {
  return html(
    status,
    `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
      `<body><h1>${escapeHtml(title)}</h1><p id="error">${escapeHtml(message)}</p></body></html>`,
  );
}

export function redirect(location: string | URL): SandboxResponse {
  return { status: 302, headers: { location: String(location) } };
}

/** redirect_uri + query params (+ optional fragment, e.g. Instagram's `#_`). */
export function redirectUrl(redirectUri: string, params: Record<string, string | undefined>, fragment?: string): URL {
  const u = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, v);
  if (fragment !== undefined) u.hash = fragment;
  return u;
}

/** RFC 8252 §7.3/7.4 loopback redirect (http or https, 127.0.0.1, [::1] or localhost). */
export function isLoopbackRedirect(uri: string | undefined): boolean {
  if (!uri) return false;
  try {
    const u = new URL(uri);
    return (u.protocol === 'http:' || u.protocol === 'https:') && ['127.0.0.1', '[::1]', 'localhost'].includes(u.hostname) && !u.hash;
  } catch {
    return false;
  }
}

/** RFC 7636 §4.6 check; `hex` is TikTok's variant (hex SHA-256 instead of base64url). */
export function verifyPkce(verifier: string | undefined, challenge: string | undefined, method: 'S256' | 'S256-hex' | 'plain'): boolean {
  if (!challenge) return true;
  if (!verifier || !/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier)) return false;
  if (method === 'plain') return verifier === challenge;
  const digest = createHash('sha256').update(verifier).digest();
  return (method === 'S256-hex' ? digest.toString('hex') : digest.toString('base64url')) === challenge;
}

/** Scope list from a space- or comma-separated string. */
export function splitScopes(s: string | undefined, sep: ',' | ' '): string[] {
  return (s ?? '').split(sep === ',' ? /[,\s]+/ : /\s+/).map((x) => x.trim()).filter(Boolean);
}
