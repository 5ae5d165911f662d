/**
 * The provider contract (STYLE.md §3). One file per platform implements it;
 * every platform quirk lives in that file. Callers branch on ProviderError's
 * `errorClass`, never on message text.
 */
import type { Http } from '../core/http.js';
import type { Clock } from '../core/clock.js';
import { ProviderError } from '../core/errors.js';

/** The parts of a stored connection a provider needs to tell which connections share a grant. */
export interface GrantHolder {
  id: string;
  platform: PlatformId;
  name: string;
  accountId: string;
  meta: Record<string, string>;
}

export const PLATFORMS = ['instagram', 'facebook', 'tiktok', 'youtube', 'x', 'linkedin', 'bluesky', 'threads', 'pinterest', 'mastodon'] as const;
export type PlatformId = (typeof PLATFORMS)[number];

export function isPlatform(s: string): s is PlatformId {
  return (PLATFORMS as readonly string[]).includes(s);
}

/** Tokens as kept in the secret store (never in SQLite or config). */
export interface TokenSet {
  accessToken: string;
  refreshToken?: string;
  tokenType?: string;
  /** Access-token expiry, ms since epoch; absent = does not expire (e.g. a Facebook Page token). */
  expiresAt?: number;
  /** Refresh-token (or reconnect) deadline, ms since epoch, when known or estimated. */
  refreshExpiresAt?: number;
  /** True when refreshExpiresAt is an estimate (X's ~6 months), shown with `~`. */
  refreshExpiresEstimated?: boolean;
  /** Scopes actually granted. */
  scopes: string[];
  /** When the current access token was issued (Instagram can refresh only tokens ≥ 24 h old). */
  obtainedAt: number;
  /** Extra secret material, e.g. a Facebook Page access token. */
  extra?: Record<string, string>;
}

export interface AccountInfo {
  /** Stable platform id of the account (used to refuse reconnecting a different account). */
  id: string;
  username?: string;
  displayName: string;
  /** e.g. Instagram BUSINESS / MEDIA_CREATOR / PERSONAL. */
  accountType?: string;
  /** Meta: data access expires 90 days after the user's last activity. */
  dataAccessExpiresAt?: number;
  /** Non-secret platform identifiers, e.g. { pageId } or { authorUrn }. */
  meta?: Record<string, string>;
}

export interface AppCredentials {
  clientId: string;
  clientSecret?: string;
  clientType?: 'public' | 'confidential';
  flags?: Record<string, boolean>;
}

/** Side effects a provider may use; injected, never imported. */
export interface ProviderDeps {
  http: Http;
  clock: Clock;
  /** Resolved origins of this platform's hosts (defaults overridden by config/env). */
  hosts: Record<string, string>;
  app: AppCredentials;
  /** Resolved API version (Graph `v25.0`, LinkedIn `202604`), when the platform has one. */
  apiVersion?: string;
  /** The user's settings, for publishing limits a user can raise (X: textLimits.x). */
  settings?: PublishSettings;
}

/** Read-only view of the user's settings (core/config's `get`). */
export interface PublishSettings {
  get<T = unknown>(path: string): T | undefined;
}

export interface AuthorizeInput {
  redirectUri: string;
  state: string;
  /** PKCE verifier; the provider derives the challenge in its own format. */
  codeVerifier: string;
  scopes: string[];
}

export interface CodeInput {
  code: string;
  redirectUri: string;
  codeVerifier: string;
  /** Full callback query, for platforms that report granted scopes there (TikTok `scopes`). */
  callbackParams: Record<string, string>;
}

export interface ScopeSpec {
  scope: string;
  /** What stops working without it, shown when the user refused it. */
  why: string;
  required: boolean;
}

export type RefreshKind =
  /** RFC 6749 refresh_token grant. */
  | 'refresh_token'
  /**
   * A Meta long-lived token extended in place once it is 24 h old: Instagram Login
   * (GET refresh_access_token?grant_type=ig_refresh_token) and Threads (grant_type=th_refresh_token).
   */
  | 'ig_refresh'
  /**
   * No refresh grant (Facebook Login): `refresh` returns the same access token with the deadlines the
   * platform reports for it (debug_token), or throws reconnect_needed when it is no longer valid.
   */
  | 'check';

export interface ProviderDescriptor {
  id: PlatformId;
  displayName: string;
  /** Default origins by host name, e.g. { www: 'https://www.tiktok.com', api: 'https://open.tiktokapis.com' }. */
  hosts: Record<string, string>;
  scopes: ScopeSpec[];
  scopeSeparator: ',' | ' ';
  redirect: {
    /** 'any' = platform accepts any loopback port (bind 127.0.0.1:0); a number = exact registered port. */
    port: 'any' | number;
    path: string;
    https: boolean;
    host: '127.0.0.1' | 'localhost';
    /** What to tell the user to register, e.g. 'http://127.0.0.1:*\/callback/' for TikTok. */
    registerHint?: string;
  };
  pkce: 'S256' | 'S256-hex' | 'none';
  /** Whether token calls need the client secret. */
  clientSecret: 'required' | 'optional' | 'confidential-only';
  refresh: {
    kind: RefreshKind;
    /** Single-use refresh tokens: the old one dies when a new one is issued. */
    rotates: boolean;
    /** Refresh when less than this is left (product default, configurable). */
    thresholdMinutes: number;
    /** Used only when the platform does not return a refresh-token lifetime. */
    fallbackRefreshLifetimeDays?: number;
    fallbackIsEstimate?: boolean;
    /**
     * Tokens that never expire (Mastodon): `refresh` (kind 'check') runs a who-am-I this often,
     * so a revoked token is noticed without waiting for a post (src/auth/due.ts).
     */
    checkEveryMinutes?: number;
  };
  /** Default API version where the platform versions its API. */
  apiVersion?: string;
  /** A platform that needs no registered app (AT Protocol's localhost client): the client id used when none is configured. */
  defaultClientId?: string;
  /**
   * Platforms spread over many servers (Mastodon): the server is chosen at connect time
   * (`--instance`) and kept in the connection's meta under `instance` (an origin); it replaces
   * this host of `hosts` for that connection (registry.ts resolveHosts). The app is registered on
   * each server by `registerApp`, not configured with `app set`.
   */
  perConnectionHost?: string;
}

/** An app registered on one server at connect time (Mastodon), kept in the secret store. */
export interface RegisteredApp extends AppCredentials {
  /** The redirect URI it was registered with, and its scopes: a change needs a new app. */
  redirectUri: string;
  scopes: string[];
}

/** A login whose authorization request is itself a network exchange (AT Protocol: identity resolution, PAR, a DPoP key). */
export interface PendingLogin {
  /** Where to send the browser. */
  url: URL;
  /** The `state` the callback must carry. */
  state: string;
  /** The code exchange bound to this request (its PKCE verifier and DPoP key stay inside). */
  exchange(callbackParams: Record<string, string>): Promise<TokenSet>;
}

export interface Provider {
  descriptor: ProviderDescriptor;
  buildAuthorizeUrl(i: AuthorizeInput, d: ProviderDeps): URL;
  /** Exchanges the code server-to-server (and short→long where the platform needs it). */
  exchangeCode(i: CodeInput, d: ProviderDeps): Promise<TokenSet>;
  /** Refreshes by the platform's own mechanism; never returns an empty refresh token if one was held. */
  refresh(t: TokenSet, d: ProviderDeps): Promise<TokenSet>;
  /** Lightweight who-am-I; also the live validation before a post. */
  whoami(t: TokenSet, d: ProviderDeps): Promise<AccountInfo>;
  /**
   * Used instead of buildAuthorizeUrl/exchangeCode where the platform's library owns state, PKCE
   * and DPoP (Bluesky); `loginHint` is the account the user named (`connect bluesky --handle`).
   */
  startLogin?(i: { redirectUri: string; loginHint?: string }, d: ProviderDeps): Promise<PendingLogin>;
  /** Revokes at the platform where an API exists. */
  revoke?(t: TokenSet, d: ProviderDeps): Promise<void>;
  /**
   * Where one grant serves several connections (Meta: revoking takes the app away from the
   * person, so every Page and Instagram account they connected with it), those of `all` that
   * revoking `c`'s grant would cut off; disconnect then keeps the grant.
   */
  sharesGrantWith?(c: GrantHolder, all: GrantHolder[]): GrantHolder[];
  /** Registers an app on the connection's server (perConnectionHost platforms): no developer portal. */
  registerApp?(i: { redirectUri: string; scopes: string[] }, d: ProviderDeps): Promise<RegisteredApp>;
  /** The registered app in `d.app` as the server knows it now (flags such as PKCE support), or undefined when the server no longer knows it. */
  checkApp?(d: ProviderDeps, redirectUri: string): Promise<RegisteredApp | undefined>;
  /** An explanation when the account type cannot be served (e.g. a personal Instagram account). */
  unsupportedAccount?(a: AccountInfo): string | undefined;
  /**
   * Platforms where one login can publish to several targets (Facebook Pages): pick one, by
   * `choice` (--page) or by asking; returns the token set bound to that target.
   */
  chooseTarget?(t: TokenSet, d: ProviderDeps, choice: string | undefined, ask?: (options: { id: string; label: string }[]) => Promise<string>): Promise<TokenSet>;
}

// ---- Publishing contract (Scheduling and publishing issue) ----

export interface MediaRef {
  kind: 'file' | 'url';
  /** Local file path (kind 'file'). */
  path?: string;
  /** Public URL (kind 'url'; required for Instagram images). */
  url?: string;
  sha256?: string;
  size?: number;
  mime: string;
  durationSec?: number;
  /** What src/publish/probe.ts read from a local file at schedule time. */
  probe?: MediaProbe;
}

/** A local media file as read by src/publish/probe.ts (display orientation: rotation applied). */
export interface MediaProbe {
  kind: 'video' | 'image';
  /** mp4, mov, webm, mkv, avi, ... for video; jpeg, png, gif, webp, ... for images. */
  container: string;
  durationSec?: number;
  width?: number;
  height?: number;
  fps?: number;
  /** h264, h265, vp8, vp9, av1, ... */
  videoCodec?: string;
  /** aac, mp3, opus, ... */
  audioCodec?: string;
}

export interface PostDraft {
  text: string;
  title?: string;
  privacy?: string;
  media: MediaRef[];
  /** Platform-specific options (e.g. { visibility: 'PUBLIC' }). */
  options: Record<string, string>;
}

export interface ValidationIssue {
  field: string;
  message: string;
}

/**
 * Newer access tokens for a publish that outlives its token (a long upload: Google's access tokens
 * last about an hour). `renew` goes through the same refresh path and cross-process lock as
 * `socialync refresh` (src/auth/refresh.ts), so a rotated refresh token is stored before the new
 * access token is used and is never sent twice. Use it through `RenewableToken` (./upload.ts).
 */
export interface TokenSource {
  /**
   * A token to use after the platform rejected `rejected` (HTTP 401): the stored one when another
   * process already refreshed, otherwise a forced refresh. Throws ProviderError
   * (`reconnect_needed` when the grant itself is gone, `transient` ...) when none can be had.
   */
  renew(rejected: TokenSet): Promise<TokenSet>;
}

export interface PublishContext {
  /** Where a previous attempt stopped (TikTok publish_id, Instagram container id, YouTube session URI...). */
  checkpoint: Record<string, string>;
  /** Persist a checkpoint before the step it guards, so a crash can resume or reconcile. */
  saveCheckpoint(cp: Record<string, string>): Promise<void>;
  onProgress?(sentBytes: number, totalBytes: number): void;
  /** The connection's non-secret identifiers (page id, author URN, IG user id). */
  account: { id: string; meta: Record<string, string> };
  /** Where a long upload gets a newer access token (absent: a 401 stays a 401). */
  tokens?: TokenSource;
}

export interface PublishResult {
  remoteId: string;
  url?: string;
  /** e.g. "unaudited TikTok app: posted as SELF_ONLY". */
  note?: string;
}

/** `unknown`: the platform cannot tell; `reason` says why precisely (shown to the user), when known. */
export type ReconcileResult = { status: 'published'; result: PublishResult } | { status: 'not_posted' } | { status: 'unknown'; reason?: string };

export interface Publisher {
  /** Pure checks at schedule time: text length, media type/size/duration, required fields (limits a user can raise come from `settings`). */
  validate(p: PostDraft, settings?: PublishSettings): ValidationIssue[];
  publish(p: PostDraft, t: TokenSet, d: ProviderDeps, ctx: PublishContext): Promise<PublishResult>;
  /** After a crash or timeout: find out whether the post exists, from the checkpoint or the platform. */
  reconcile(p: PostDraft, t: TokenSet, d: ProviderDeps, ctx: PublishContext): Promise<ReconcileResult>;
}

/**
 * A platform window that reopens at a known time (Instagram's rolling 24-hour publishing limit,
 * docs/platforms/instagram.md#publishing-limit): the engine reschedules the target to `until` without
 * using up one of its attempts, and shows the time to the user.
 */
export class WaitUntilError extends ProviderError {
  readonly until: number;
  constructor(message: string, until: number, platformCode?: string) {
    super(message, { errorClass: 'rate_limited', ...(platformCode ? { platformCode } : {}) });
    this.name = 'WaitUntilError';
    this.until = until;
  }
}
