/**
 * Meta Graph API helpers shared by instagram.ts (Instagram API with Instagram
 * Login, graph.instagram.com) and facebook.ts (graph.facebook.com): the error
 * envelope, its classification, and the JSON request/processing step.
 *
 * Envelope: https://developers.facebook.com/docs/graph-api/guides/error-handling
 *   { "error": { "message", "type", "code", "error_subcode", "error_user_title",
 *                "error_user_msg", "fbtrace_id", "is_transient" } }
 * Classify by code/subcode, never by message text (platforms.md §4.19).
 */
import type { ProviderError, ErrorClass, ReconnectReason } from '../core/errors.js';
import type { Http } from '../core/http.js';
import { redactText } from '../core/redact.js';
import { callJson, num, providerError, splitScopeList, type Classifier, type HeaderLike } from './oauth.js';
import type { PlatformId } from './types.js';

export { num };

export interface GraphErrorBody {
  message?: string;
  type?: string;
  code?: number;
  error_subcode?: number;
  is_transient?: boolean;
  fbtrace_id?: string;
}

export interface Classification {
  errorClass: ErrorClass;
  reason?: ReconnectReason;
  /** "190/460" style, for logs and tests. */
  platformCode?: string;
  message: string;
}

/**
 * Code 190 subcodes (https://developers.facebook.com/docs/graph-api/guides/error-handling#errorcodes,
 * older list gist.github.com/MauricioKruijer/7663113). All mean: the user must log in again.
 */
const SUBCODE_REASON: Record<number, ReconnectReason> = {
  458: 'app_removed', // app not installed: the user removed it
  459: 'platform_revoked', // user checkpointed (security check on the account)
  460: 'password_changed',
  463: 'token_expired',
  464: 'unknown', // unconfirmed user
  466: 'platform_revoked', // invalidated through the API
  467: 'unknown', // invalid access token (user logged out)
  468: 'inactive', // not used for a long time
};

/** Codes 4/17/341 (app/user/platform throttling), 9/32 (IG publish limit, Ayrshare), 1390008 (FB "posting too fast"). */
const RATE_CODES = new Set([4, 9, 17, 32, 341, 613, 1390008]);
/** IG 2207042: daily publishing limit reached; FB 1390008 "posting too fast" (arrives under code 368). */
const RATE_SUBCODES = new Set([2207042, 1390008]);
/** 10 and 200–299: permission not granted; 368 policy block; 1404078 Page publishing authorization. */
const isPermission = (code: number) => code === 10 || (code >= 200 && code <= 299) || code === 368 || code === 1404078;
/**
 * Code 2 ("service temporarily unavailable") is retryable. Code 1 ("unknown error") is too when it
 * comes with a 5xx, but under HTTP 400 it is also how the token endpoint says "Error validating
 * client secret", so it is left to the status check below.
 */
const TRANSIENT_CODES = new Set([2]);

/** The `error` object of a Graph envelope, or the older flat Instagram OAuth shape. */
export function graphError(body: unknown): GraphErrorBody | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  if (b.error && typeof b.error === 'object') return b.error as GraphErrorBody;
  // api.instagram.com/oauth/access_token answers {"error_type":"OAuthException","code":400,"error_message":"..."}
  if (typeof b.error_type === 'string' || typeof b.error_message === 'string') {
    return { type: String(b.error_type ?? ''), message: String(b.error_message ?? ''), ...(typeof b.code === 'number' ? { code: b.code } : {}) };
  }
  return undefined;
}

/**
 * Pure classification of a Graph failure (platforms.md §2.1/§2.2 error tables).
 * `status` is the HTTP status (0 for a network failure).
 */
export function classifyGraphError(status: number, body: unknown): Classification {
  const e = graphError(body);
  const code = typeof e?.code === 'number' ? e.code : undefined;
  const sub = typeof e?.error_subcode === 'number' ? e.error_subcode : undefined;
  const platformCode = code === undefined ? (status ? `http ${status}` : undefined) : sub === undefined ? String(code) : `${code}/${sub}`;
  const message = redactText(e?.message || (status ? `HTTP ${status}` : 'network error')).slice(0, 300);
  const out = (errorClass: ErrorClass, reason?: ReconnectReason): Classification => ({
    errorClass,
    ...(reason ? { reason } : {}),
    ...(platformCode ? { platformCode } : {}),
    message,
  });
  if (code === 190 || code === 102) return out('reconnect_needed', (sub !== undefined && SUBCODE_REASON[sub]) || 'unknown');
  if ((sub !== undefined && RATE_SUBCODES.has(sub)) || (code !== undefined && RATE_CODES.has(code)) || status === 429) {
    return out('rate_limited');
  }
  if (code !== undefined && isPermission(code)) return out('permission');
  if (e?.is_transient === true || (code !== undefined && TRANSIENT_CODES.has(code)) || status >= 500 || status === 0) {
    return out('transient');
  }
  return out('invalid_request');
}

/**
 * Meta's throttling headers instead of Retry-After: X-Business-Use-Case-Usage (Pages, Instagram)
 * carries `estimated_time_to_regain_access` in minutes per business id
 * (https://developers.facebook.com/docs/graph-api/overview/rate-limiting). Returns ms, or undefined.
 */
export function metaRegainMs(headers: HeaderLike): number | undefined {
  const raw = headers.get('x-business-use-case-usage');
  if (!raw) return undefined;
  try {
    const minutes = Object.values(JSON.parse(raw) as Record<string, { estimated_time_to_regain_access?: number }[]>)
      .flat()
      .map((u) => num(u?.estimated_time_to_regain_access))
      .filter((m): m is number => m !== undefined);
    return minutes.length ? Math.max(...minutes) * 60_000 : undefined;
  } catch {
    return undefined;
  }
}

/** The Graph classifier in oauth.ts's Classifier shape (one-line redacted error, Retry-After or Meta's usage headers). */
export function graphClassifier(platform: PlatformId): Classifier {
  return (status, body, headers, o) => {
    const c = classifyGraphError(status, body);
    const regain = headers.get('retry-after') === null ? metaRegainMs(headers) : undefined;
    const h: HeaderLike = regain === undefined ? headers : { get: (n) => (n.toLowerCase() === 'retry-after' ? String(Math.ceil(regain / 1000)) : headers.get(n)) };
    return providerError(platform, o, status, h, c, c.platformCode, c.message);
  };
}

export function graphProviderError(platform: PlatformId, what: string, status: number, body: unknown, now = 0): ProviderError {
  return graphClassifier(platform)(status, body, new Headers(), { now, what });
}

/**
 * Request + process in one step (oauth.ts callJson): network errors and non-JSON bodies are
 * `transient`, any Graph error envelope (even under HTTP 200) is classified, else the JSON body.
 */
export function graphCall(
  platform: PlatformId,
  what: string,
  http: Http,
  url: URL | string,
  init: { method?: string; body?: URLSearchParams } = {},
  now = 0,
): Promise<Record<string, unknown>> {
  return callJson(platform, http, url, { method: init.method ?? 'GET', ...(init.body ? { body: init.body } : {}) }, graphClassifier(platform), { now, what }, (b) => graphError(b) !== undefined);
}

/** Meta appends `#_` to the redirect; a pasted-back URL keeps it in the code (platforms.md §2.1, §4.4). */
export function stripMetaCodeSuffix(code: string): string {
  return code.replace(/#_?$/, '');
}

/** Comma- or space-separated scopes (Meta accepts both on input; responses vary). */
export function parseScopeList(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String).filter(Boolean);
  return typeof v === 'string' ? splitScopeList(v) : [];
}

export function str(v: unknown): string | undefined {
  if (typeof v === 'string' && v) return v;
  if (typeof v === 'number') return String(v);
  return undefined;
}
