/**
 * What the Instagram and Facebook sandboxes share: the Graph error envelope and the
 * token checks that produce Meta's code 190 answers (docs/platforms/facebook.md#errors):
 *   expired -> 190/463, app removed (control revoke) -> 190/458, password change -> 190/460,
 *   unknown/garbled -> 190 "Invalid OAuth access token - Cannot parse access token".
 * Publishing routes (<platform>-publish.ts) use `metaAuth` for their own token checks.
 */
import { json, type Family, type PlatformContext, type Route, type SandboxResponse } from './common.js';

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
    // 50 posts per moving 24 hours (IG User Media Publish reference, docs/platforms/instagram.md#publishing-limit).
    s = { faults: [], quotaTotal: 50, quotaDurationSec: 86_400 };
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
