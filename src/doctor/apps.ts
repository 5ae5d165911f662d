/**
 * App credentials per platform (client id; client secret where the platform or
 * the X client type needs one) and the fixed redirect ports being free.
 */
import { createServer } from 'node:net';
import type { AppSettings } from '../core/config.js';
import { loadProvider } from '../providers/registry.js';
import { PLATFORMS, type PlatformId } from '../providers/types.js';
import { secretKeys } from '../secrets/types.js';
import { redirectPort } from '../auth/login.js';
import { loadConnections, result, type Check, type CheckResult, type DoctorContext } from './types.js';

/** Platforms the user set up: an app in config or env, or a connection. */
export async function platformsInUse(ctx: DoctorContext): Promise<PlatformId[]> {
  const conns = await loadConnections(ctx);
  return PLATFORMS.filter(
    (p) => ctx.deps.config.get(`apps.${p}`) !== undefined || ctx.deps.env[`SOCIALYNC_${p.toUpperCase()}_CLIENT_ID`] || conns.some((c) => c.platform === p),
  );
}

export const checkApps: Check = async (ctx) => {
  const { deps } = ctx;
  const used = await platformsInUse(ctx);
  if (!used.length) return [result('apps', 'apps', 'warn', 'no platform app configured yet', 'run: socialync app set <platform>   (or try everything first: socialync sandbox demo)')];
  const out: CheckResult[] = [];
  for (const p of used) {
    const d = (await loadProvider(p, deps.config)).descriptor;
    if (d.perConnectionHost) {
      out.push(...(await serverApps(ctx, p)));
      continue;
    }
    const prefix = `SOCIALYNC_${p.toUpperCase()}`;
    const app = deps.config.get<AppSettings>(`apps.${p}`);
    const clientId = deps.env[`${prefix}_CLIENT_ID`] || app?.clientId || d.defaultClientId;
    const fix = `run: socialync app set ${p}`;
    if (!clientId) {
      out.push(result('apps', `apps.${p}`, 'fail', `${p}: a connection exists but no app client id is configured`, fix));
      continue;
    }
    const needs = d.clientSecret === 'required' || (d.clientSecret === 'confidential-only' && app?.clientType === 'confidential');
    let secret: 'env' | 'stored' | 'missing' | 'unknown' = deps.env[`${prefix}_CLIENT_SECRET`] ? 'env' : 'missing';
    if (secret === 'missing' && ctx.secrets?.ok !== false) {
      try {
        secret = (await (await deps.secrets()).get(secretKeys.clientSecret(p))) ? 'stored' : 'missing';
      } catch {
        secret = 'unknown';
      }
    } else if (secret === 'missing') secret = 'unknown';
    const what = `${p}: client id ${clientId}`;
    if (needs && secret === 'missing') {
      out.push(result('apps', `apps.${p}`, 'fail', `${what}, but the client secret is missing`, `run: socialync app set ${p} --client-secret-stdin  (or set ${prefix}_CLIENT_SECRET)`));
    } else if (needs && secret === 'unknown') {
      out.push(result('apps', `apps.${p}`, 'warn', `${what}; cannot check the client secret while the secret store is unavailable`, 'fix the secret backend first (see above)'));
    } else {
      const s = secret === 'env' ? `secret from ${prefix}_CLIENT_SECRET` : secret === 'stored' ? 'secret stored' : 'no secret needed';
      out.push(result('apps', `apps.${p}`, 'ok', `${what}; ${s}${app?.clientType ? `; ${app.clientType} client` : ''}`));
    }
  }
  return out;
};

/**
 * Mastodon: an app registered on each server at connect (docs/platforms/mastodon.md#apps). A
 * missing one does not stop posting (the token works without it); revoking and the next connect
 * need it, and the next connect registers it again.
 */
async function serverApps(ctx: DoctorContext, p: PlatformId): Promise<CheckResult[]> {
  const servers = [...new Set((await loadConnections(ctx)).filter((c) => c.platform === p).map((c) => c.meta.instance).filter((s): s is string => Boolean(s)))];
  if (!servers.length) return [result('apps', `apps.${p}`, 'ok', `${p}: no app to set up; connect registers one on your server`)];
  if (ctx.secrets?.ok === false) return [result('apps', `apps.${p}`, 'warn', `${p}: cannot check the apps registered on ${servers.join(', ')} while the secret store is unavailable`, 'fix the secret backend first (see above)')];
  const secrets = await ctx.deps.secrets();
  const missing: string[] = [];
  for (const s of servers) if (!(await secrets.get(secretKeys.instanceApp(p, s)))) missing.push(s);
  if (!missing.length) return [result('apps', `apps.${p}`, 'ok', `${p}: app registered on ${servers.join(', ')}`)];
  return [result('apps', `apps.${p}`, 'warn', `${p}: no app stored for ${missing.join(', ')}: posting works, disconnect cannot revoke there`, `run: socialync connect ${p} --instance ${missing[0]} (registers it again)`)];
}

/** Binds 127.0.0.1:port for a moment: null when free, else the error code. */
function portBusy(port: number, host = '127.0.0.1'): Promise<string | null> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(null)));
  });
}

export const checkPorts: Check = async (ctx) => {
  const used = await platformsInUse(ctx);
  const out: CheckResult[] = [];
  for (const p of PLATFORMS) {
    const provider = await loadProvider(p, ctx.deps.config);
    const port = redirectPort(provider, ctx.deps);
    if (port === 0) continue;
    const inUse = used.includes(p);
    const busy = await portBusy(port);
    if (!busy) {
      out.push(result('ports', `ports.${p}`, 'ok', `${p}: redirect port ${port} on 127.0.0.1 is free`));
      continue;
    }
    const why = busy === 'EADDRINUSE' ? 'is in use by another program' : busy === 'EACCES' ? 'needs privileges' : `cannot be bound (${busy})`;
    const fix =
      `stop the program on port ${port} (find it: ss -ltnp 'sport = :${port}'), or use another port: ` +
      `socialync app set ${p} --port <free port>, and register the new redirect URI in the ${provider.descriptor.displayName} developer console`;
    // A busy port matters for platforms you use; for the others it is only a heads-up.
    out.push(result('ports', `ports.${p}`, inUse ? 'fail' : 'warn', `${p}: redirect port ${port} on 127.0.0.1 ${why}`, fix));
  }
  return out;
};
