/**
 * Per connection: the stored health (works offline), then a live who-am-I
 * with the stored access token (skipped by --offline). Doctor never refreshes
 * or rewrites tokens: an expired access token is left to `socialync refresh`.
 */
import { CliError, ProviderError, reconnectReasonText } from '../core/errors.js';
import { loadTokens } from '../auth/tokens.js';
import { relativeTime } from '../auth/deadlines.js';
import { missingConnectionSecrets, statusEntry } from '../commands/status.js';
import type { Connection } from '../store/types.js';
import { loadConnections, result, type Check, type CheckResult, type DoctorContext } from './types.js';

async function live(ctx: DoctorContext, c: Connection, id: string, reconnect: string): Promise<CheckResult> {
  const { deps } = ctx;
  const who = `${c.platform}/${c.name}`;
  try {
    const tokens = await loadTokens(deps, c);
    if (tokens.expiresAt !== undefined && tokens.expiresAt <= deps.clock.now()) {
      return tokens.refreshToken || c.platform === 'facebook' || c.platform === 'instagram'
        ? result('connections', id, 'warn', `${who}: access token expired; the next refresh renews it`, 'run: socialync refresh')
        : result('connections', id, 'fail', `${who}: access token expired and cannot be refreshed`, reconnect);
    }
    const provider = await deps.provider(c.platform);
    const account = await provider.whoami(tokens, await deps.providerDeps(c.platform, c));
    if (account.id !== c.accountId) {
      return result('connections', id, 'fail', `${who}: the token now belongs to another account (${account.username ?? account.id})`, reconnect);
    }
    return result('connections', id, 'ok', `${who}: live check ok (${account.username ? '@' + account.username : account.displayName})`);
  } catch (e) {
    if (e instanceof ProviderError) {
      if (e.errorClass === 'reconnect_needed') {
        const why = e.reason ? reconnectReasonText[e.reason] : 'token no longer valid';
        return result('connections', id, 'fail', `${who}: the platform rejected the token (${why})`, reconnect);
      }
      if (e.errorClass === 'permission') return result('connections', id, 'fail', `${who}: permission missing: ${e.message}`, reconnect);
      return result('connections', id, 'warn', `${who}: live check failed (${e.errorClass}): ${e.message}`, 'try again later: socialync doctor');
    }
    if (e instanceof CliError) return result('connections', id, e.exitCode === 4 ? 'fail' : 'warn', `${who}: ${e.message}`, e.hint ?? reconnect);
    return result('connections', id, 'warn', `${who}: live check failed: ${(e as Error).message}`, 'check your network, then run: socialync doctor');
  }
}

/** Live checks in flight per platform. */
const PER_PLATFORM = 4;

/** "by 2026-12-20 14:00 UTC (in 14 days)": a date a person reads, and how far it is. */
function loginBy(e: { reconnectBy: string | null; reconnectByEstimated: boolean }, now: number): string {
  if (!e.reconnectBy) return 'soon';
  const at = Date.parse(e.reconnectBy);
  return `by ${e.reconnectByEstimated ? 'about ' : ''}${e.reconnectBy.slice(0, 16).replace('T', ' ')} UTC (${relativeTime(at, now)})`;
}

export const checkConnections: Check = async (ctx) => {
  const conns = await loadConnections(ctx);
  if (!conns.length) return [result('connections', 'connections', ctx.stateUsable === false ? 'skip' : 'ok', ctx.stateUsable === false ? 'connections: state database unusable (see above)' : 'no connections yet')];
  const now = ctx.deps.clock.now();
  const warnDays = ctx.deps.config.get<number>('warnDays') ?? 14;
  const out: CheckResult[] = [];
  const missing = missingConnectionSecrets(ctx.deps, conns);
  // A few calls at a time per platform keeps rate limits polite; platforms run in parallel.
  const byPlatform = new Map<string, Connection[]>();
  for (const c of conns) byPlatform.set(c.platform, [...(byPlatform.get(c.platform) ?? []), c]);
  const workers = [...byPlatform.values()].flatMap((list) => Array.from({ length: Math.min(PER_PLATFORM, list.length) }, () => list));
  await Promise.all(
    workers.map(async (list) => {
      for (let c = list.shift(); c; c = list.shift()) {
        const id = `connection.${c.platform}/${c.name}`;
        const reconnect = `run: socialync connect ${c.platform} --name ${c.name}`;
        const e = statusEntry(c, now, warnDays, missing.has(c.id));
        if (e.health === 'needs_reconnect') {
          out.push(result('connections', id, 'fail', `${c.platform}/${c.name}: needs a reconnect (${e.reasonText ?? 'token no longer valid'})`, reconnect));
          continue;
        }
        if (ctx.offline) {
          out.push(
            e.health === 'expiring'
              ? result('connections', id, 'warn', `${c.platform}/${c.name}: needs a browser login ${loginBy(e, now)}${e.reconnectWhy ? ` (${e.reconnectWhy})` : ''}`, reconnect)
              : result('connections', id, 'ok', `${c.platform}/${c.name}: healthy (live check skipped: --offline)`),
          );
          continue;
        }
        const r = await live(ctx, c, id, reconnect);
        if (r.status === 'ok' && e.health === 'expiring') out.push(result('connections', id, 'warn', `${r.title}; needs a browser login ${loginBy(e, now)}`, reconnect));
        else out.push(r);
      }
    }),
  );
  return out.sort((a, b) => a.id.localeCompare(b.id));
};
