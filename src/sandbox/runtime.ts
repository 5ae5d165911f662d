/**
 * One platform's sandbox HTTP server: router, body parsing with a size limit,
 * fault injection (incl. dropped sockets), latency on token calls, the consent
 * form, the /__sandbox control API, and a Date header from the sandbox clock.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { systemClock } from '../core/clock.js';
import type { PlatformId } from '../providers/types.js';
import { TokenFamilies, CodeStore, json, type PlatformContext, type Route, type SandboxAccount, type SandboxModule, type SandboxOptions, type SandboxRequest, type SandboxResponse, type SandboxRoutesModule } from './common.js';
import { CONSENT_PATH, ConsentStore } from './consent.js';
import { controlRoute, type FaultSpec, type PlatformControl } from './control.js';

const DEFAULT_MAX_BODY = 1024 * 1024;

interface Compiled { route: Route; re: RegExp; keys: string[] }

export interface PlatformServer {
  platform: PlatformId;
  ctx: PlatformContext;
  control: PlatformControl;
  server: Server;
  hosts: readonly string[];
  /** Hosts of other platforms' descriptors this server also plays (SandboxModule.alsoServes). */
  alsoServes: Partial<Record<PlatformId, readonly string[]>>;
}

export function createPlatformServer(platform: PlatformId, main: SandboxModule, extra: SandboxRoutesModule[], opts: SandboxOptions): PlatformServer {
  const clock = opts.clock ?? systemClock;
  let offsetMs = 0;
  let dateSkewMs = 0;
  let latencyMs = opts.latencyMs ?? 0;
  let callLatencyMs = opts.callLatencyMs ?? 0;
  const inFlight = new Map<string, number>();
  let faults: (FaultSpec & { left: number })[] = [];
  const now = () => clock.now() + offsetMs;
  const accounts = new Map<string, SandboxAccount>();
  const stats: Record<string, number> = {};
  const counters = { requests: 0, tokenCalls: 0, faultsInjected: 0 };
  const families = new TokenFamilies(now);
  const codes = new CodeStore(now);
  const account = (name: string): SandboxAccount => {
    let a = accounts.get(name);
    if (!a) {
      const id = BigInt('0x' + createHash('sha256').update(`${platform}:${name}`).digest('hex').slice(0, 13)).toString();
      a = { name, id, displayName: name.charAt(0).toUpperCase() + name.slice(1), type: 'BUSINESS' };
      accounts.set(name, a);
    }
    return a;
  };
  const consent = new ConsentStore(platform, now, opts.demo ?? false, account);
  const ctx: PlatformContext = {
    platform,
    options: opts,
    now,
    apps: [...main.apps],
    app: (id) => (id ? main.apps.find((a) => a.clientId === id) : undefined),
    account,
    families,
    codes,
    consent: (c) => consent.render(c),
    data: new Map(),
    stats,
    random: (n = 16) => randomBytes(n).toString('base64url'),
  };
  const routes: Compiled[] = [...main.createRoutes(ctx), ...extra.flatMap((m) => m.createRoutes(ctx))].map(compile);

  const control: PlatformControl = {
    fault: (f) => void faults.push({ ...f, left: f.count ?? 1 }),
    latency: (ms) => void (latencyMs = Math.max(0, ms)),
    callLatency: (ms) => void (callLatencyMs = Math.max(0, ms)),
    revoke: (acct) => families.revokeAccount(acct, 'revoked'),
    passwordChange: (acct) => families.revokeAccount(acct, 'password_changed'),
    expire: (what, acct) => families.expire(acct, what),
    clock: (c) => {
      if (c.offsetMs !== undefined) offsetMs = c.offsetMs;
      if (c.dateSkewMs !== undefined) dateSkewMs = c.dateSkewMs;
    },
    stats: () => ({ ...counters, ...families.counters, activeFamilies: families.activeFamilies(), ...stats }),
    validate: (t) => families.validate(t),
    reset: () => {
      families.reset();
      codes.reset();
      consent.reset();
      faults = [];
      offsetMs = 0;
      dateSkewMs = 0;
      latencyMs = opts.latencyMs ?? 0;
      callLatencyMs = opts.callLatencyMs ?? 0;
      inFlight.clear();
      for (const k of Object.keys(counters) as (keyof typeof counters)[]) counters[k] = 0;
      for (const k of Object.keys(stats)) delete stats[k];
      ctx.data.clear();
    },
  };
  const info = () => ({ platform, hosts: main.hosts, apps: main.apps, demo: opts.demo ?? false });

  const send = (res: ServerResponse, r: SandboxResponse) => {
    if (r.drop) return void res.socket?.destroy();
    const headers: Record<string, string> = { 'cache-control': 'no-store', ...(r.headers ?? {}) };
    let body: string | Buffer = '';
    if (Buffer.isBuffer(r.body) || typeof r.body === 'string') body = r.body;
    else if (r.body !== undefined) {
      body = JSON.stringify(r.body);
      headers['content-type'] ??= 'application/json; charset=utf-8';
    }
    res.setHeader('date', new Date(now() + dateSkewMs).toUTCString());
    res.writeHead(r.status, headers);
    res.end(body);
  };

  const takeFault = (method: string, path: string): FaultSpec | undefined => {
    const i = faults.findIndex(
      (f) => f.left > 0 && (!f.method || f.method.toUpperCase() === method) && (!f.path || (f.path.endsWith('*') ? path.startsWith(f.path.slice(0, -1)) : path === f.path)),
    );
    if (i < 0) return undefined;
    const f = faults[i]!;
    if (--f.left <= 0) faults.splice(i, 1);
    counters.faultsInjected++;
    return f;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const path = url.pathname;
    const isControl = path.startsWith('/__sandbox/');
    if (!isControl) counters.requests++;
    // The consent page's own path is never a platform route (Facebook's POST /{v}/upload:<id> pattern would match it).
    const match = isControl || path === CONSENT_PATH ? undefined : findRoute(routes, method, path);
    const limit = match?.route.maxBodyBytes ?? DEFAULT_MAX_BODY;
    const rawBody = match?.route.rawStream ? Buffer.alloc(0) : await readBody(req, limit);
    if (rawBody === 'too_large') return send(res, { ...json(413, { error: 'payload_too_large', error_description: `request body over ${limit} bytes` }), headers: { connection: 'close', 'content-type': 'application/json' } });
    const sreq = makeRequest(req, url, method, rawBody, match?.params ?? {});
    if (isControl) return send(res, controlRoute(control, sreq, info));
    const fault = takeFault(method, path);
    if (fault) {
      if (fault.dropConnection) return void req.socket.destroy();
      // Default body: plain text, like a proxy or load balancer error page (platform-neutral).
      const status = fault.status ?? 503;
      const body = fault.body ?? `${status} sandbox injected fault`;
      return send(res, { status, body, headers: { ...(fault.body === undefined ? { 'content-type': 'text/plain' } : {}), ...(fault.headers ?? {}) } });
    }
    if (match?.route.tokenCall) {
      counters.tokenCalls++;
      if (latencyMs > 0) await clock.sleep(latencyMs);
    }
    if (path === CONSENT_PATH && method === 'POST') return send(res, consent.submit(sreq));
    if (!match) {
      const other = routes.some((c) => c.re.test(path)) || path === CONSENT_PATH;
      return send(res, other ? json(405, { error: 'method_not_allowed' }) : json(404, { error: 'not_found', path }));
    }
    const acct = accountOf(sreq);
    if (acct) enter(acct);
    try {
      if (callLatencyMs > 0) await clock.sleep(callLatencyMs);
      send(res, await match.route.handler(sreq));
    } finally {
      if (acct) for (const k of [acct, '']) inFlight.set(k, inFlight.get(k)! - 1);
    }
  };

  /** The account whose token a call carries (Bearer or access_token): calls in flight per account are counted. */
  const accountOf = (r: SandboxRequest) => {
    const token = r.bearer() ?? r.query.get('access_token') ?? r.form.get('access_token') ?? undefined;
    return token ? families.familyOf(token)?.account.name : undefined;
  };
  /**
   * stats: maxCallsInFlight (calls with a token at once), maxCallsInFlightPerAccount, and
   * accountOverlaps (calls that began while another of the same account ran).
   */
  const enter = (acct: string) => {
    const all = (inFlight.get('') ?? 0) + 1;
    inFlight.set('', all);
    stats['maxCallsInFlight'] = Math.max(stats['maxCallsInFlight'] ?? 0, all);
    const n = (inFlight.get(acct) ?? 0) + 1;
    inFlight.set(acct, n);
    stats['maxCallsInFlightPerAccount'] = Math.max(stats['maxCallsInFlightPerAccount'] ?? 0, n);
    if (n > 1) stats['accountOverlaps'] = (stats['accountOverlaps'] ?? 0) + 1;
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, json(500, { error: 'sandbox_internal', message: String((e as Error)?.message ?? e) }));
      else res.destroy();
    });
  });
  return { platform, ctx, control, server, hosts: main.hosts, alsoServes: main.alsoServes ?? {} };
}

function compile(route: Route): Compiled {
  const keys: string[] = [];
  const src = route.path
    .split('/')
    .map((seg) => {
      if (seg.startsWith(':')) {
        keys.push(seg.slice(1));
        return '([^/]+)';
      }
      return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { route, re: new RegExp(`^${src}$`), keys };
}

function findRoute(routes: Compiled[], method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
  for (const c of routes) {
    if (c.route.method.toUpperCase() !== method) continue;
    const m = c.re.exec(path);
    if (m) return { route: c.route, params: Object.fromEntries(c.keys.map((k, i) => [k, decodeURIComponent(m[i + 1]!)])) };
  }
  return undefined;
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too_large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) over = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(over ? 'too_large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function makeRequest(raw: IncomingMessage, url: URL, method: string, rawBody: Buffer, params: Record<string, string>): SandboxRequest {
  const type = String(raw.headers['content-type'] ?? '').toLowerCase();
  const text = rawBody.length ? rawBody.toString('utf8') : '';
  const form = type.includes('application/x-www-form-urlencoded') ? new URLSearchParams(text) : new URLSearchParams();
  let parsed: unknown;
  if (type.includes('json') && text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  const auth = String(raw.headers['authorization'] ?? '');
  return {
    method,
    path: url.pathname,
    url,
    query: url.searchParams,
    headers: raw.headers,
    params,
    rawBody,
    form,
    json: parsed,
    param(name) {
      const f = form.get(name);
      if (f !== null) return f;
      const j = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>)[name] : undefined;
      if (typeof j === 'string') return j;
      return url.searchParams.get(name) ?? undefined;
    },
    bearer: () => /^Bearer\s+(.+)$/i.exec(auth)?.[1]?.trim(),
    basic() {
      const m = /^Basic\s+(.+)$/i.exec(auth);
      if (!m) return undefined;
      const dec = Buffer.from(m[1]!.trim(), 'base64').toString('utf8');
      const i = dec.indexOf(':');
      if (i < 0) return undefined;
      // RFC 6749 §2.3.1: client id and secret are form-urlencoded before Basic encoding.
      const d = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
      return { user: d(dec.slice(0, i)), pass: d(dec.slice(i + 1)) };
    },
    raw,
  };
}
