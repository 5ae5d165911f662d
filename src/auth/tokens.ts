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
import { backoffDelay } from '../core/backoff.js';

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
  await saveTokenMetadata(deps, conn, t, patch);
}

/** The non-secret half of saveTokens: expiries and a bumped generation in the state store. */
export async function saveTokenMetadata(deps: Deps, conn: Connection, t: TokenSet, patch: ConnectionPatch = {}): Promise<void> {
  const store = await deps.store();
  await store.updateConnection(conn.id, { ...tokenMetadata(t), tokenGeneration: conn.tokenGeneration + 1, ...patch }, deps.clock.now());
}

/** Where keepRotatedTokens put the tokens. */
export type KeptTokens = { where: 'vault' } | { where: 'aside'; path: string; vaultError: string };

/** The rotated tokens could be stored nowhere; the process still holds them, nothing else does. */
export class TokensNotKeptError extends Error {
  constructor(readonly detail: string) {
    super(`the new tokens could not be stored: ${detail}`);
    this.name = 'TokensNotKeptError';
  }
}

/** Vault writes tried before a copy is set aside (a moment of I/O trouble may pass). */
const VAULT_TRIES = 3;

/**
 * Stores tokens the platform has just rotated, which exist nowhere else: the secret store,
 * retried; when it keeps failing (disk full, read-only folder), a copy set aside in another
 * folder, encrypted the same way (src/secrets/vault.ts recoveryDirs), that every later read
 * finds first. Never throws a file error: TokensNotKeptError when nothing durable took them.
 */
export async function keepRotatedTokens(deps: Deps, conn: Pick<Connection, 'id'>, t: TokenSet): Promise<KeptTokens> {
  rememberSecret(t.accessToken);
  rememberSecret(t.refreshToken);
  const secrets = await deps.secrets();
  const key = secretKeys.connection(conn.id);
  const value = JSON.stringify(t);
  let vaultError = '';
  for (let i = 0; i < VAULT_TRIES; i++) {
    try {
      await secrets.set(key, value);
      return { where: 'vault' };
    } catch (e) {
      vaultError = fileErrorText(e);
      if (i < VAULT_TRIES - 1) await deps.clock.sleep(backoffDelay(i + 1, { baseMs: 100 }));
    }
  }
  if (!secrets.setAside) throw new TokensNotKeptError(vaultError);
  try {
    return { where: 'aside', path: await secrets.setAside(key, value), vaultError };
  } catch (e) {
    throw new TokensNotKeptError(`${vaultError}; ${fileErrorText(e)}`);
  }
}

/** "ENOSPC: no space left on device, open '/x/vault/.tmp-…'" without the temp file's name. */
export function fileErrorText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return String(err?.message ?? e).replace(/, (open|write|rename|close|fsync)( '[^']*')?$/, '');
}
