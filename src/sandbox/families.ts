/**
 * Token families and authorization codes for the sandbox.
 *
 * A family is one authorization (one consent): every access and refresh token
 * minted from it, through rotations, belongs to it. Revoking a family kills all
 * of them. With `rotate`, each refresh issues a new refresh token and marks the
 * old one spent; presenting a spent one is "reuse" (RFC 9700 §4.14.2) and, with
 * `revokeFamilyOnReuse` (X, reportedly), kills the whole family.
 */
import { randomBytes } from 'node:crypto';
import type { SandboxAccount } from './common.js';

export type RevokeReason = 'revoked' | 'password_changed' | 'reuse_detected';

export interface TokenPolicy {
  accessTtlMs: number;
  /** Undefined: no refresh token is issued. */
  refreshTtlMs?: number;
  /** 'family': fixed from the first authorization (LinkedIn 365 d); 'issue': from each issued refresh token. */
  refreshTtlFrom?: 'family' | 'issue';
  rotate: boolean;
  revokeFamilyOnReuse?: boolean;
  accessPrefix?: string;
  refreshPrefix?: string;
}

export interface Family {
  id: string;
  account: SandboxAccount;
  clientId: string;
  scopes: string[];
  createdAt: number;
  policy: TokenPolicy;
  revoked?: RevokeReason;
  /** Module data (e.g. an Instagram long-lived flag). */
  data: Record<string, unknown>;
}

export interface IssuedTokens {
  accessToken: string;
  accessExpiresAt: number;
  /** Seconds, as platforms send it. */
  expiresIn: number;
  refreshToken?: string;
  refreshExpiresAt?: number;
  refreshExpiresIn?: number;
}

interface AccessRec { familyId: string; expiresAt: number; issuedAt: number }
interface RefreshRec { familyId: string; expiresAt: number; spent: boolean }

export type AccessCheck =
  | { ok: true; family: Family; expiresAt: number; issuedAt: number }
  | { ok: false; error: 'unknown' | 'expired' | 'revoked'; reason?: RevokeReason; family?: Family };

export type RefreshResult =
  | { ok: true; family: Family; tokens: IssuedTokens }
  | { ok: false; error: 'unknown' | 'expired' | 'revoked' | 'reused' | 'wrong_client'; reason?: RevokeReason; family?: Family };

export class TokenFamilies {
  private families = new Map<string, Family>();
  private access = new Map<string, AccessRec>();
  private refreshTokens = new Map<string, RefreshRec>();
  readonly counters = { refreshes: 0, rejectedRefreshes: 0, reusedRefreshTokens: 0, familiesCreated: 0 };

  constructor(private readonly now: () => number) {}

  /** A new authorization: creates the family and its first tokens. */
  start(account: SandboxAccount, clientId: string, scopes: string[], policy: TokenPolicy, data: Record<string, unknown> = {}): { family: Family; tokens: IssuedTokens } {
    const family: Family = { id: token('fam'), account, clientId, scopes, createdAt: this.now(), policy, data };
    this.families.set(family.id, family);
    this.counters.familiesCreated++;
    return { family, tokens: this.mint(family, true) };
  }

  /** refresh_token grant with rotation and reuse detection. */
  refresh(refreshToken: string | undefined, clientId: string | undefined): RefreshResult {
    const rec = refreshToken ? this.refreshTokens.get(refreshToken) : undefined;
    const family = rec ? this.families.get(rec.familyId) : undefined;
    const fail = (error: 'unknown' | 'expired' | 'revoked' | 'reused' | 'wrong_client', reason?: RevokeReason): RefreshResult => {
      this.counters.rejectedRefreshes++;
      return { ok: false, error, ...(reason ? { reason } : {}), ...(family ? { family } : {}) };
    };
    if (!rec || !family) return fail('unknown');
    if (clientId !== undefined && clientId !== family.clientId) return fail('wrong_client');
    if (family.revoked) return fail('revoked', family.revoked);
    if (rec.spent) {
      this.counters.reusedRefreshTokens++;
      if (family.policy.revokeFamilyOnReuse) this.revokeFamily(family, 'reuse_detected');
      return fail('reused');
    }
    if (rec.expiresAt <= this.now()) return fail('expired');
    if (family.policy.rotate) rec.spent = true;
    this.counters.refreshes++;
    const tokens = this.mint(family, family.policy.rotate);
    if (!family.policy.rotate) {
      tokens.refreshToken = refreshToken;
      tokens.refreshExpiresAt = rec.expiresAt;
      tokens.refreshExpiresIn = Math.max(0, Math.floor((rec.expiresAt - this.now()) / 1000));
    }
    return { ok: true, family, tokens };
  }

  /** A fresh access token for a live family (Instagram ig_refresh_token, Facebook re-exchange). */
  issueAccess(family: Family, accessTtlMs = family.policy.accessTtlMs): IssuedTokens {
    const now = this.now();
    const accessToken = token(family.policy.accessPrefix ?? 'at');
    this.access.set(accessToken, { familyId: family.id, expiresAt: now + accessTtlMs, issuedAt: now });
    return { accessToken, accessExpiresAt: now + accessTtlMs, expiresIn: Math.floor(accessTtlMs / 1000) };
  }

  checkAccess(accessToken: string | undefined): AccessCheck {
    const rec = accessToken ? this.access.get(accessToken) : undefined;
    const family = rec ? this.families.get(rec.familyId) : undefined;
    if (!rec || !family) return { ok: false, error: 'unknown' };
    if (family.revoked) return { ok: false, error: 'revoked', reason: family.revoked, family };
    if (rec.expiresAt <= this.now()) return { ok: false, error: 'expired', family };
    return { ok: true, family, expiresAt: rec.expiresAt, issuedAt: rec.issuedAt };
  }

  /** Family of an access or refresh token (live or not). */
  familyOf(anyToken: string | undefined): Family | undefined {
    if (!anyToken) return undefined;
    const id = this.access.get(anyToken)?.familyId ?? this.refreshTokens.get(anyToken)?.familyId;
    return id ? this.families.get(id) : undefined;
  }

  /** Revokes the family of an access or refresh token; false when unknown. */
  revokeToken(anyToken: string | undefined, reason: RevokeReason = 'revoked'): boolean {
    const f = this.familyOf(anyToken);
    if (!f) return false;
    this.revokeFamily(f, reason);
    return true;
  }

  revokeFamily(f: Family, reason: RevokeReason): void {
    if (!f.revoked) f.revoked = reason;
  }

  /** Control API: revoke all families (of one account). Returns how many. */
  revokeAccount(account: string | undefined, reason: RevokeReason): number {
    let n = 0;
    for (const f of this.families.values()) {
      if ((account === undefined || f.account.name === account) && !f.revoked) {
        f.revoked = reason;
        n++;
      }
    }
    return n;
  }

  /** Control API: force expiry now of access or refresh tokens (of one account). */
  expire(account: string | undefined, what: 'access' | 'refresh'): number {
    const now = this.now();
    let n = 0;
    const map: Map<string, { familyId: string; expiresAt: number }> = what === 'access' ? this.access : this.refreshTokens;
    for (const rec of map.values()) {
      const f = this.families.get(rec.familyId);
      if (f && (account === undefined || f.account.name === account) && rec.expiresAt > now - 1) {
        rec.expiresAt = now - 1;
        n++;
      }
    }
    return n;
  }

  /** Force expiry now of one family's access tokens (a Meta User token, not the Page tokens beside it). */
  expireAccessOf(family: Family): number {
    const now = this.now();
    let n = 0;
    for (const rec of this.access.values()) {
      if (rec.familyId === family.id && rec.expiresAt > now - 1) {
        rec.expiresAt = now - 1;
        n++;
      }
    }
    return n;
  }

  validate(anyToken: string): { valid: boolean; account?: string; reason?: string; kind?: 'access' | 'refresh' } {
    const a = this.access.get(anyToken);
    const r = this.refreshTokens.get(anyToken);
    const f = this.familyOf(anyToken);
    if (!f || (!a && !r)) return { valid: false, reason: 'unknown' };
    const kind = a ? 'access' : 'refresh';
    const base = { account: f.account.name, kind } as const;
    if (f.revoked) return { ...base, valid: false, reason: f.revoked };
    if (r?.spent) return { ...base, valid: false, reason: 'rotated' };
    if ((a ?? r)!.expiresAt <= this.now()) return { ...base, valid: false, reason: 'expired' };
    return { ...base, valid: true };
  }

  activeFamilies(): number {
    let n = 0;
    for (const f of this.families.values()) if (!f.revoked) n++;
    return n;
  }

  reset(): void {
    this.families.clear();
    this.access.clear();
    this.refreshTokens.clear();
    for (const k of Object.keys(this.counters) as (keyof typeof this.counters)[]) this.counters[k] = 0;
  }

  private mint(family: Family, newRefresh: boolean): IssuedTokens {
    const tokens = this.issueAccess(family);
    const p = family.policy;
    if (newRefresh && p.refreshTtlMs !== undefined) {
      const now = this.now();
      const expiresAt = (p.refreshTtlFrom === 'family' ? family.createdAt : now) + p.refreshTtlMs;
      const refreshToken = token(p.refreshPrefix ?? 'rt');
      this.refreshTokens.set(refreshToken, { familyId: family.id, expiresAt, spent: false });
      tokens.refreshToken = refreshToken;
      tokens.refreshExpiresAt = expiresAt;
      tokens.refreshExpiresIn = Math.max(0, Math.floor((expiresAt - now) / 1000));
    }
    return tokens;
  }
}

export interface CodeData {
  clientId: string;
  redirectUri: string;
  account: SandboxAccount;
  scopes: string[];
  codeChallenge?: string;
  codeChallengeMethod?: string;
  extra?: Record<string, string>;
}

/** Single-use authorization codes with a lifetime (X 30 s, others 10 min). */
export class CodeStore {
  private codes = new Map<string, { data: CodeData; expiresAt: number; used: boolean }>();
  constructor(private readonly now: () => number) {}

  issue(data: CodeData, ttlMs: number, prefix = 'code'): string {
    const code = token(prefix);
    this.codes.set(code, { data, expiresAt: this.now() + ttlMs, used: false });
    return code;
  }

  consume(code: string | undefined): { ok: true; data: CodeData } | { ok: false; error: 'unknown' | 'used' | 'expired'; data?: CodeData } {
    const rec = code ? this.codes.get(code) : undefined;
    if (!rec) return { ok: false, error: 'unknown' };
    if (rec.used) return { ok: false, error: 'used', data: rec.data };
    rec.used = true;
    if (rec.expiresAt <= this.now()) return { ok: false, error: 'expired', data: rec.data };
    return { ok: true, data: rec.data };
  }

  reset(): void {
    this.codes.clear();
  }
}

export function token(prefix: string, bytes = 24): string {
  return `${prefix}.${randomBytes(bytes).toString('base64url')}`;
}
