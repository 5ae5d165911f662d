/**
 * Sandbox control: fault injection, latency, revocation switches, clock, stats.
 * The same operations are served over HTTP under /__sandbox/ on every platform
 * server (JSON in/out) and offered in-process as `sandbox.control`.
 */
import type { PlatformId } from '../providers/types.js';
import { json, type SandboxRequest, type SandboxResponse } from './common.js';

export interface FaultSpec {
  /** Exact path, or a prefix ending in `*`; absent = any path. */
  path?: string;
  method?: string;
  /** Response status (default 503). */
  status?: number;
  /** Objects are sent as JSON; default: a plain-text "<status> sandbox injected fault" (like a proxy page). */
  body?: unknown;
  headers?: Record<string, string>;
  /** How many matching requests get this fault (default 1). */
  count?: number;
  /** Close the socket without answering. */
  dropConnection?: boolean;
}

export interface SandboxStats {
  requests: number;
  tokenCalls: number;
  refreshes: number;
  rejectedRefreshes: number;
  reusedRefreshTokens: number;
  activeFamilies: number;
  familiesCreated: number;
  faultsInjected: number;
  [k: string]: number;
}

export interface ValidateResult {
  valid: boolean;
  account?: string;
  reason?: string;
  kind?: 'access' | 'refresh';
  platform?: PlatformId;
}

/** Control of one platform server. */
export interface PlatformControl {
  fault(f: FaultSpec): void;
  latency(ms: number): void;
  /** Delay added to every platform call (SandboxOptions.callLatencyMs). */
  callLatency(ms: number): void;
  /** Revokes all tokens (of one account); returns how many families. */
  revoke(account?: string): number;
  /** Meta: later calls get 190/460; other platforms treat it as a revocation. */
  passwordChange(account: string): number;
  expire(what: 'access' | 'refresh', account?: string): number;
  /** offsetMs moves the sandbox's now (lifetimes and Date); dateSkewMs skews only the Date header. */
  clock(c: { offsetMs?: number; dateSkewMs?: number }): void;
  stats(): SandboxStats;
  validate(token: string): ValidateResult;
  reset(): void;
}

/** Control of the whole sandbox; broadcast methods apply to every running platform. */
export interface SandboxControl {
  platform(id: PlatformId): PlatformControl;
  latency(ms: number): void;
  callLatency(ms: number): void;
  revoke(account?: string): number;
  passwordChange(account: string): number;
  expire(what: 'access' | 'refresh', account?: string): number;
  clock(c: { offsetMs?: number; dateSkewMs?: number }): void;
  /** Searches every platform. */
  validate(token: string): ValidateResult;
  stats(): Partial<Record<PlatformId, SandboxStats>>;
  reset(): void;
}

export function combineControls(controls: Map<PlatformId, PlatformControl>): SandboxControl {
  const all = () => [...controls.values()];
  const sum = (f: (c: PlatformControl) => number) => all().reduce((n, c) => n + f(c), 0);
  return {
    platform(id) {
      const c = controls.get(id);
      if (!c) throw new Error(`sandbox platform ${id} is not running`);
      return c;
    },
    latency: (ms) => all().forEach((c) => c.latency(ms)),
    callLatency: (ms) => all().forEach((c) => c.callLatency(ms)),
    revoke: (account) => sum((c) => c.revoke(account)),
    passwordChange: (account) => sum((c) => c.passwordChange(account)),
    expire: (what, account) => sum((c) => c.expire(what, account)),
    clock: (x) => all().forEach((c) => c.clock(x)),
    validate(token) {
      for (const [platform, c] of controls) {
        const r = c.validate(token);
        if (r.reason !== 'unknown') return { ...r, platform };
      }
      return { valid: false, reason: 'unknown' };
    },
    stats: () => Object.fromEntries([...controls].map(([p, c]) => [p, c.stats()])),
    reset: () => all().forEach((c) => c.reset()),
  };
}

/** Serves /__sandbox/* for one platform. */
export function controlRoute(c: PlatformControl, req: SandboxRequest, info: () => unknown): SandboxResponse {
  const op = req.path.slice('/__sandbox/'.length);
  const b = (req.json ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  const get = req.method === 'GET';
  if (get && op === 'stats') return json(200, c.stats());
  if (get && op === 'validate') return json(200, c.validate(req.query.get('token') ?? ''));
  if (get && op === 'info') return json(200, info());
  if (req.method !== 'POST') return json(405, { error: 'method_not_allowed' });
  switch (op) {
    case 'faults':
      c.fault(b as FaultSpec);
      return json(200, { ok: true });
    case 'latency':
      c.latency(Number(b['ms'] ?? 0));
      return json(200, { ok: true });
    case 'call-latency':
      c.callLatency(Number(b['ms'] ?? 0));
      return json(200, { ok: true });
    case 'revoke':
      return json(200, { revoked: c.revoke(str(b['account'])) });
    case 'password-change': {
      const account = str(b['account']);
      if (!account) return json(400, { error: 'account is required' });
      return json(200, { revoked: c.passwordChange(account) });
    }
    case 'expire': {
      const what = b['what'];
      if (what !== 'access' && what !== 'refresh') return json(400, { error: "what must be 'access' or 'refresh'" });
      return json(200, { expired: c.expire(what, str(b['account'])) });
    }
    case 'clock': {
      const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
      const x: { offsetMs?: number; dateSkewMs?: number } = {};
      const o = n(b['offsetMs']);
      const s = n(b['dateSkewMs']);
      if (o !== undefined) x.offsetMs = o;
      if (s !== undefined) x.dateSkewMs = s;
      c.clock(x);
      return json(200, { ok: true });
    }
    case 'reset':
      c.reset();
      return json(200, { ok: true });
    default:
      return json(404, { error: `unknown control ${op}` });
  }
}
