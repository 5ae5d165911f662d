/**
 * DNS/TLS reachability of each platform host in use, and the clock compared
 * with the `Date` header (RFC 9110 §6.6.1) of those answers: authorization
 * codes, token lifetimes and TLS certificates all go wrong with a skewed clock.
 */
import { loadProvider, resolveHosts } from '../providers/registry.js';
import type { PlatformId } from '../providers/types.js';
import { platformsInUse } from './apps.js';
import { loadConnections, result, type Check, type CheckResult, type DoctorContext } from './types.js';

const SKEW_WARN_MS = 60_000;
const SKEW_FAIL_MS = 5 * 60_000;

interface Probe {
  host: string;
  origin: string;
  status?: number;
  /** Server time minus our time at the middle of the request. */
  skewMs?: number;
  error?: { kind: 'dns' | 'tls' | 'timeout' | 'refused' | 'other'; message: string };
}

function classify(e: unknown): NonNullable<Probe['error']> {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  const code = err.cause?.code ?? (err as { code?: string }).code ?? '';
  const message = err.cause?.message ?? err.message;
  if (err.name === 'TimeoutError' || err.name === 'AbortError' || /TIMEOUT/.test(code)) return { kind: 'timeout', message: 'no answer in time' };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { kind: 'dns', message: `DNS lookup failed (${code})` };
  if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/i.test(code) || /certificate|tls|ssl/i.test(message)) return { kind: 'tls', message: `TLS failed (${code || message})` };
  if (code === 'ECONNREFUSED') return { kind: 'refused', message: 'connection refused' };
  return { kind: 'other', message: code ? `${code}: ${message}` : message };
}

async function probe(ctx: DoctorContext, host: string, origin: string): Promise<Probe> {
  const { deps } = ctx;
  const t0 = deps.clock.now();
  try {
    const res = await deps.http.fetch(origin + '/', { method: 'HEAD', redirect: 'manual', timeoutMs: ctx.timeoutMs });
    const t1 = deps.clock.now();
    await res.arrayBuffer().catch(() => undefined);
    const date = Date.parse(res.headers.get('date') ?? '');
    return { host, origin, status: res.status, ...(Number.isFinite(date) ? { skewMs: date - (t0 + t1) / 2 } : {}) };
  } catch (e) {
    return { host, origin, error: classify(e) };
  }
}

const FIX: Record<NonNullable<Probe['error']>['kind'], string> = {
  dns: 'check your network and DNS (try: getent hosts <host>); behind a proxy, set HTTPS_PROXY',
  tls: 'check the system clock and any TLS-intercepting proxy (its CA goes in NODE_EXTRA_CA_CERTS)',
  timeout: 'check your network, firewall or proxy (HTTPS_PROXY); then run: socialync doctor',
  refused: 'check the endpoint override (config endpoints / SOCIALYNC_<PLATFORM>_<HOST>_URL) or start the sandbox: socialync sandbox serve',
  other: 'check your network connection, then run: socialync doctor',
};

function fmtSkew(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  const txt = s >= 120 ? `${Math.round(s / 60)} min` : `${s} s`;
  return `${txt} ${ms > 0 ? 'behind' : 'ahead of'}`;
}

export const checkNetwork: Check = async (ctx) => {
  const used = await platformsInUse(ctx);
  if (ctx.offline) {
    return [
      result('network', 'network', 'skip', 'reachability of the platforms: skipped (--offline)'),
      result('clock', 'clock', 'skip', 'clock skew against the platforms: skipped (--offline)'),
    ];
  }
  if (!used.length) return [result('network', 'network', 'skip', 'reachability: no platform in use yet')];
  // Platforms share hosts (Facebook, and Instagram with Facebook Login; a proxy or the sandbox):
  // each origin is probed once, and each host's clock reported once.
  const probed = new Map<string, Promise<Probe>>();
  const once = (host: string, origin: string) => probed.get(origin) ?? probed.set(origin, probe(ctx, host, origin)).get(origin)!;
  const per = await Promise.all(
    used.map(async (p: PlatformId) => {
      const d = (await loadProvider(p, ctx.deps.config)).descriptor;
      // Mastodon: the servers its connections are on, not the default one.
      const servers = d.perConnectionHost ? (await loadConnections(ctx)).filter((c) => c.platform === p && c.meta.instance) : [];
      const origins = servers.length ? [...new Set(servers.map((c) => resolveHosts(d, ctx.deps.config, c)[d.perConnectionHost!]!))].map((o): [string, string] => [d.perConnectionHost!, o]) : Object.entries(resolveHosts(d, ctx.deps.config));
      return { p, probes: await Promise.all(origins.map(([h, o]) => once(h, o))) };
    }),
  );
  const reach: CheckResult[] = [];
  const clock: CheckResult[] = [];
  const clockOf = new Map<string, PlatformId>();
  for (const { p, probes } of per) {
    const bad = probes.filter((x) => x.error);
    const detail = probes.map((x) => `${x.origin}: ${x.error ? x.error.message : `HTTP ${x.status}`}`);
    if (!bad.length) reach.push(result('network', `network.${p}`, 'ok', `${p}: ${probes.map((x) => new URL(x.origin).host).join(', ')} reachable`, undefined, detail));
    else {
      const b = bad[0]!;
      reach.push(result('network', `network.${p}`, 'fail', `${p}: ${new URL(b.origin).host} unreachable: ${b.error!.message}`, FIX[b.error!.kind].replace('<host>', new URL(b.origin).hostname), detail));
    }
    const dated = probes.find((x) => x.skewMs !== undefined);
    if (!dated || clockOf.has(new URL(dated.origin).host)) continue;
    const skew = dated.skewMs!;
    const host = new URL(dated.origin).host;
    clockOf.set(host, p);
    const abs = Math.abs(skew);
    const status = abs >= SKEW_FAIL_MS ? 'fail' : abs >= SKEW_WARN_MS ? 'warn' : 'ok';
    const title = status === 'ok' ? `${p}: clock agrees with ${host} (within ${Math.max(1, Math.round(abs / 1000))} s)` : `${p}: this computer's clock is ${fmtSkew(skew)} ${host}'s`;
    clock.push(result('clock', `clock.${p}`, status, title, 'turn on time sync: sudo timedatectl set-ntp true  (or: sudo chronyc makestep)'));
  }
  return [...reach, ...clock];
};
