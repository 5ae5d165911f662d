/**
 * What the Instagram and Facebook sandboxes share: the Graph error envelope and the
 * token checks that produce Meta's code 190 answers (docs/platforms/facebook.md#errors):
 *   expired -> 190/463, app removed (control revoke) -> 190/458, password change -> 190/460,
 *   unknown/garbled -> 190 "Invalid OAuth access token - Cannot parse access token".
 * Publishing routes (<platform>-publish.ts) use `metaAuth` for their own token checks.
 */
import { htmlError, isLoopbackRedirect, json, splitScopes, type Family, type PlatformContext, type Route, type SandboxRequest, type SandboxResponse } from './common.js';
import { authorize } from './flow.js';

export function graphError(status: number, code: number, message: string, subcode?: number, extra: Record<string, unknown> = {}): SandboxResponse {
  return json(status, {
    error: { message, type: 'OAuthException', code, ...(subcode !== undefined ? { error_subcode: subcode } : {}), fbtrace_id: 'AsandboxTrace0', ...extra },
  });
}

export interface MetaTokenError {
  code: number;
  subcode?: number;
  message: string;
}

function day(ms: number): string {
  return new Date(ms).toUTCString().replace(/ GMT$/, ' UTC');
}

/** Why a token is refused, in Meta's words; undefined when it is live. */
export function metaTokenError(ctx: PlatformContext, token: string | undefined): MetaTokenError | undefined {
  const c = ctx.families.checkAccess(token);
  if (c.ok) return undefined;
  if (c.error === 'unknown') return { code: 190, message: 'Invalid OAuth access token - Cannot parse access token' };
  if (c.error === 'expired') {
    return { code: 190, subcode: 463, message: `Error validating access token: Session has expired. The current time is ${day(ctx.now())}.` };
  }
  if (c.reason === 'password_changed') {
    return {
      code: 190,
      subcode: 460,
      message: 'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.',
    };
  }
  return { code: 190, subcode: 458, message: `Error validating access token: The user has not authorized application ${c.family?.clientId ?? ''}.` };
}

/** Checks an access token; a live one gives its family, a dead one the Graph 190 response. */
export function metaAuth(ctx: PlatformContext, token: string | undefined): { family: Family; issuedAt: number; expiresAt: number } | { response: SandboxResponse } {
  const c = ctx.families.checkAccess(token);
  if (c.ok) return { family: c.family, issuedAt: c.issuedAt, expiresAt: c.expiresAt };
  const e = metaTokenError(ctx, token) as MetaTokenError;
  return { response: graphError(400, e.code, e.message, e.subcode) };
}

/** Graph accepts the token as `access_token` (query or form) or `Authorization: Bearer`/`OAuth`. */
export function graphToken(req: { param(n: string): string | undefined; headers: Record<string, string | string[] | undefined> }): string | undefined {
  const q = req.param('access_token');
  if (q) return q;
  const h = String(req.headers['authorization'] ?? '');
  return /^(?:Bearer|OAuth)\s+(.+)$/i.exec(h)?.[1]?.trim();
}

/** Only the requested `fields` of an object (Graph returns what you ask for, plus `id`). */
export function pickFields(obj: Record<string, unknown>, fields: string | undefined, always: string[] = ['id']): Record<string, unknown> {
  if (!fields) return Object.fromEntries(Object.entries(obj).filter(([k]) => always.includes(k) || k === 'name'));
  const want = new Set([...fields.split(',').map((f) => f.trim()), ...always]);
  return Object.fromEntries(Object.entries(obj).filter(([k]) => want.has(k)));
}

/** Meta's authorize error page text for a redirect_uri that is not an allowed loopback URI. */
export const META_REDIRECT_ERROR =
  "URL blocked: This redirect failed because the redirect URI is not whitelisted in the app's Client OAuth Settings.";

/**
 * Scripted Graph faults (Instagram and Facebook sandboxes): the next `count` requests whose last path
 * segment is `at` (media_publish, media, videos, uploads, feed...) get Meta's error envelope
 * {code, error_subcode} under `status` (400 by default, as the Instagram error-code reference shows).
 *   POST /__meta/v1/faults {faults: [{at, code, subcode?, status?, count?}]}   (replaces the list)
 */
export interface MetaFault {
  at: string;
  code: number;
  subcode?: number;
  status?: number;
  count: number;
}

/** Meta sandbox settings: the Instagram publishing window (content_publishing_limit) and scripted faults. */
export interface MetaState {
  faults: MetaFault[];
  quotaTotal: number;
  quotaDurationSec: number;
}

export function metaState(ctx: PlatformContext): MetaState {
  let s = ctx.data.get('meta.state') as MetaState | undefined;
  if (!s) {
    // 50 posts per moving 24 hours (IG User Media Publish reference, docs/platforms/instagram.md#publishing-limit);
    // Threads: 250 (docs/platforms/threads.md#publishing-limit).
    s = { faults: [], quotaTotal: ctx.platform === 'threads' ? 250 : 50, quotaDurationSec: 86_400 };
    ctx.data.set('meta.state', s);
  }
  return s;
}

/** The scripted fault for this request, consumed once; undefined when none applies. */
export function scriptedFault(ctx: PlatformContext, path: string): SandboxResponse | undefined {
  const last = path.split('/').filter(Boolean).at(-1) ?? '';
  const f = metaState(ctx).faults.find((x) => x.count > 0 && (x.at === last || (x.at === 'upload:' && last.startsWith('upload:'))));
  if (!f) return undefined;
  f.count--;
  ctx.stats['metaFaults'] = (ctx.stats['metaFaults'] ?? 0) + 1;
  return graphError(f.status ?? 400, f.code, `scripted fault ${f.code}${f.subcode !== undefined ? `/${f.subcode}` : ''}`, f.subcode, { is_transient: false });
}

export function metaControlRoutes(ctx: PlatformContext): Route[] {
  return [
    {
      method: 'POST',
      path: '/__meta/v1/config',
      handler: (req) => {
        const b = (req.json ?? {}) as { faults?: Partial<MetaFault>[]; quotaTotal?: number; quotaDurationSec?: number };
        const s = metaState(ctx);
        if (Array.isArray(b.faults)) s.faults = b.faults.filter((f) => typeof f.at === 'string' && typeof f.code === 'number').map((f) => ({ ...(f as MetaFault), count: f.count ?? 1 }));
        if (typeof b.quotaTotal === 'number') s.quotaTotal = b.quotaTotal;
        if (typeof b.quotaDurationSec === 'number') s.quotaDurationSec = b.quotaDurationSec;
        return json(200, { ok: true, state: s });
      },
    },
  ];
}

/** Graph's timestamp format: 2026-12-06T10:00:00+0000. */
export function graphTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+0000');
}

/**
 * Meta's long-lived token endpoints, shared by Instagram Login (ig_*) and Threads (th_*):
 *   GET /access_token?grant_type=<exchange>&client_secret&access_token   short-lived -> long-lived (`ttlMs`)
 *   GET /refresh_access_token?grant_type=<refresh>&access_token          a long-lived token at least
 *       `minAgeMs` old, unexpired, with `basicScope` granted -> a new long-lived token
 * (docs/platforms/instagram.md#tokens, docs/platforms/threads.md#tokens).
 */
export function longLivedHandlers(ctx: PlatformContext, o: { exchange: string; refresh: string; basicScope: string; ttlMs: number; minAgeMs: number }): { exchange(req: SandboxRequest): SandboxResponse; refresh(req: SandboxRequest): SandboxResponse } {
  const key = `${ctx.platform}.longLived`;
  const longLived = (): Set<string> => {
    let s = ctx.data.get(key) as Set<string> | undefined;
    if (!s) ctx.data.set(key, (s = new Set()));
    return s;
  };
  const issue = (family: Family): SandboxResponse => {
    const t = ctx.families.issueAccess(family, o.ttlMs);
    longLived().add(t.accessToken);
    return json(200, { access_token: t.accessToken, token_type: 'bearer', expires_in: t.expiresIn });
  };
  return {
    exchange(req) {
      if (req.param('grant_type') !== o.exchange) return graphError(400, 100, `Unsupported grant_type: expected ${o.exchange}`);
      const a = metaAuth(ctx, req.param('access_token'));
      if ('response' in a) return a.response;
      const app = ctx.app(a.family.clientId);
      if (!app || req.param('client_secret') !== app.clientSecret) return graphError(400, 101, 'Error validating client secret.');
      return issue(a.family);
    },
    refresh(req) {
      if (req.param('grant_type') !== o.refresh) return graphError(400, 100, `Unsupported grant_type: expected ${o.refresh}`);
      const token = req.param('access_token');
      const a = metaAuth(ctx, token);
      if ('response' in a) {
        ctx.families.counters.rejectedRefreshes++;
        return a.response;
      }
      if (!longLived().has(token as string)) return graphError(400, 100, 'Only long-lived access tokens can be refreshed');
      if (ctx.now() - a.issuedAt < o.minAgeMs) return graphError(400, 100, `The access token can be refreshed only when it is at least ${o.minAgeMs / 3_600_000} hours old`);
      if (!a.family.scopes.includes(o.basicScope)) return graphError(403, 10, `Application does not have permission for this action: ${o.basicScope}`);
      ctx.families.counters.refreshes++;
      return issue(a.family);
    },
  };
}

/**
 * Meta's authorize step for Instagram Login and Threads: an https loopback redirect only (both refuse
 * http, docs/platforms/instagram.md#oauth, threads.md#oauth), comma scopes from `scopes`, no PKCE,
 * all-or-nothing consent, and Meta's `#_` after the redirect's query.
 */
export function metaLogin(ctx: PlatformContext, req: SandboxRequest, o: { scopes: readonly string[]; codeTtlMs: number; denyDescription: string }): SandboxResponse {
  const redirectUri = req.query.get('redirect_uri') ?? '';
  if (isLoopbackRedirect(redirectUri) && !redirectUri.startsWith('https:')) return htmlError(400, 'Invalid redirect_uri', META_REDIRECT_ERROR);
  const bad = splitScopes(req.query.get('scope') ?? '', ',').filter((s) => !o.scopes.includes(s));
  if (bad.length) return htmlError(400, 'Invalid Scopes', `Invalid Scopes: ${bad.join(', ')}`);
  return authorize(ctx, req, {
    clientParam: 'client_id',
    scopeSeparator: ',',
    pkce: 'none',
    partialConsent: false,
    codeTtlMs: o.codeTtlMs,
    fragment: '_',
    denyParams: { error: 'access_denied', error_reason: 'user_denied', error_description: o.denyDescription },
  });
}
