/**
 * A usable access token for the user's own scripts (`socialync token`, `socialync api`): the
 * connection picked by platform and --account, its token refreshed first when it is within the
 * threshold, and one renewal after the platform rejected it. Every refresh goes through
 * refreshConnection (./refresh.ts): the same cross-process lease as cron's `socialync refresh`,
 * so a rotating refresh token is never spent twice.
 */
import type { Deps } from '../deps.js';
import { CliError, ExitCode, ProviderError, UsageError, reconnectReasonText } from '../core/errors.js';
import type { PlatformId, TokenSet } from '../providers/types.js';
import type { Connection } from '../store/types.js';
import { connectHint, ensureFreshToken } from './refresh.js';
import { loadTokens } from './tokens.js';

/** The connection named `account`, or the platform's only one. */
export async function pickConnection(deps: Deps, platform: PlatformId, account: string | undefined): Promise<Connection> {
  const all = await (await deps.store()).listConnections({ platform });
  if (account) {
    const hit = all.find((c) => c.name === account);
    if (hit) return hit;
    throw new UsageError(`no ${platform} connection named "${account}"${all.length ? ` (have: ${all.map((c) => c.name).join(', ')})` : ''}`, all.length ? 'see: socialync status' : `run: socialync connect ${platform} --name ${account}`);
  }
  if (all.length === 1) return all[0]!;
  if (!all.length) throw new UsageError(`no ${platform} connection`, `run: socialync connect ${platform}`);
  throw new UsageError(`${platform} has several connections: ${all.map((c) => c.name).join(', ')}`, `pick one with --account, e.g. --account ${all[0]!.name}`);
}

export interface UsableToken {
  tokens: TokenSet;
  /** Set when a due refresh failed for a while-yet-valid token (printed as a warning). */
  warning?: string;
}

/**
 * The connection's tokens, refreshed first when due. A connection that needs a reconnect is an
 * exit-4 error naming the fix; a temporary refresh failure still hands out a token that has not
 * expired yet (with a warning), else it is an exit-6 error.
 */
export async function usableToken(deps: Deps, conn: Connection): Promise<UsableToken> {
  if (conn.health === 'needs_reconnect') throw reconnectError(conn, reconnectReasonText[conn.reason ?? 'unknown']);
  try {
    return { tokens: await ensureFreshToken(deps, conn.id) };
  } catch (e) {
    if (!(e instanceof ProviderError)) throw e;
    if (e.errorClass === 'reconnect_needed') throw reconnectError(conn, e.message);
    const held = await loadTokens(deps, conn);
    if (held.expiresAt === undefined || held.expiresAt > deps.clock.now()) return { tokens: held, warning: `could not refresh ${conn.platform}/${conn.name} (${bare(conn, e.message)}); this token is still valid` };
    throw new CliError(`${conn.platform}/${conn.name}: the token expired and could not be refreshed: ${bare(conn, e.message)}`, { exitCode: ExitCode.transient, hint: `try again later; run: socialync refresh ${conn.platform} --account ${conn.name}` });
  }
}

/**
 * A token to use after the platform rejected `rejected`: the stored one when another process
 * refreshed meanwhile, else one forced refresh (the engine's TokenSource does the same).
 */
export async function renewedToken(deps: Deps, conn: Connection, rejected: TokenSet): Promise<TokenSet> {
  try {
    const stored = await ensureFreshToken(deps, conn.id);
    if (stored.accessToken !== rejected.accessToken) return stored;
    return await ensureFreshToken(deps, conn.id, { force: true });
  } catch (e) {
    if (e instanceof ProviderError && e.errorClass === 'reconnect_needed') throw reconnectError(conn, e.message);
    if (e instanceof ProviderError) throw new CliError(`${conn.platform}/${conn.name}: the token was refused and could not be refreshed: ${bare(conn, e.message)}`, { exitCode: ExitCode.transient, hint: 'try again later' });
    throw e;
  }
}

export function reconnectError(conn: Pick<Connection, 'platform' | 'name'>, why: string): CliError {
  return new CliError(`${conn.platform}/${conn.name} needs a reconnect: ${bare(conn, why)}`, { exitCode: ExitCode.reconnectNeeded, hint: connectHint(conn) });
}

/** ensureFreshToken's messages start with "platform/name: "; said once is enough. */
function bare(conn: Pick<Connection, 'platform' | 'name'>, msg: string): string {
  const prefix = `${conn.platform}/${conn.name}: `;
  return msg.startsWith(prefix) ? msg.slice(prefix.length) : msg;
}
