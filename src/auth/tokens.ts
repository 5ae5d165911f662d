/**
 * Reading and writing a connection's tokens. The secret goes to the secret
 * store first (atomic per key), then the non-secret metadata (expiries,
 * generation) to the state store. A crash between the two leaves the newer
 * tokens in the vault and older metadata, which at worst causes one extra
 * refresh with the newer refresh token — never a lost rotating token.
 */
import type { Deps } from '../deps.js';
import { CliError, ExitCode } from '../core/errors.js';
import { rememberSecret } from '../core/redact.js';
import { secretKeys } from '../secrets/types.js';
import type { Connection, ConnectionPatch } from '../store/types.js';
import type { TokenSet } from '../providers/types.js';

export async function loadTokens(deps: Deps, conn: Pick<Connection, 'id' | 'platform' | 'name'>): Promise<TokenSet> {
  const raw = await (await deps.secrets()).get(secretKeys.connection(conn.id));
  if (!raw) {
    throw new CliError(`${conn.platform}/${conn.name}: tokens are missing from the secret store`, {
      exitCode: ExitCode.reconnectNeeded,
      hint: `run: socialync connect ${conn.platform} --name ${conn.name}`,
    });
  }
  const t = JSON.parse(raw) as TokenSet;
  rememberSecret(t.accessToken);
  rememberSecret(t.refreshToken);
  for (const [k, v] of Object.entries(t.extra ?? {})) if (/token|secret/i.test(k)) rememberSecret(v);
  return t;
}

/**
 * Never replace a held refresh token with an empty one: Google (and others)
 * omit refresh_token from refresh responses (RFC 6749 §6: the server MAY issue a new one).
 */
export function mergeTokens(prev: TokenSet | undefined, next: TokenSet): TokenSet {
  if (!prev) return next;
  return {
    ...next,
    refreshToken: next.refreshToken || prev.refreshToken,
    refreshExpiresAt: next.refreshExpiresAt ?? (next.refreshToken && next.refreshToken !== prev.refreshToken ? undefined : prev.refreshExpiresAt),
    refreshExpiresEstimated: next.refreshExpiresAt !== undefined ? next.refreshExpiresEstimated : prev.refreshExpiresEstimated,
    scopes: next.scopes.length ? next.scopes : prev.scopes,
    extra: { ...(prev.extra ?? {}), ...(next.extra ?? {}) },
  };
}

export function tokenMetadata(t: TokenSet): ConnectionPatch {
  return {
    scopes: t.scopes,
    accessExpiresAt: t.expiresAt ?? null,
    refreshExpiresAt: t.refreshExpiresAt ?? null,
    refreshExpiresEstimated: Boolean(t.refreshExpiresEstimated),
    tokenObtainedAt: t.obtainedAt,
  };
}

/** Persists tokens (secret store first), then metadata with a bumped generation. */
export async function saveTokens(deps: Deps, conn: Connection, t: TokenSet, patch: ConnectionPatch = {}): Promise<void> {
  rememberSecret(t.accessToken);
  rememberSecret(t.refreshToken);
  await (await deps.secrets()).set(secretKeys.connection(conn.id), JSON.stringify(t));
  const store = await deps.store();
  await store.updateConnection(conn.id, { ...tokenMetadata(t), tokenGeneration: conn.tokenGeneration + 1, ...patch }, deps.clock.now());
}
