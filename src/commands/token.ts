import type { Command } from 'commander';
import type { CommandContext } from '../program.js';
import type { Deps } from '../deps.js';
import { parsePlatform } from '../providers/registry.js';
import { loadPlatformApi } from '../providers/api.js';
import { PLATFORMS, type PlatformId } from '../providers/types.js';
import { pickConnection, usableToken } from '../auth/access.js';

export interface TokenOptions {
  account?: string;
  json?: boolean;
}

/** `token --json` output (public API; add fields, never rename them). Never a refresh token. */
export interface TokenResult {
  platform: PlatformId;
  /** The connection's local name. */
  account: string;
  accessToken: string;
  /** ISO 8601 UTC; null when the token does not expire (a Facebook Page token). */
  expiresAt: string | null;
  scopes: string[];
  /** Printed on stderr, not part of the JSON. */
  warning?: string;
}

/**
 * The access token that acts for the connection, refreshed first when it is within the refresh
 * threshold (under the lock cron's `refresh` takes). Facebook: the Page token.
 */
export async function runToken(deps: Deps, platformArg: string, o: TokenOptions): Promise<TokenResult> {
  const platform = parsePlatform(platformArg);
  const conn = await pickConnection(deps, platform, o.account);
  const [got, api] = await Promise.all([usableToken(deps, conn), loadPlatformApi(platform, deps.config)]);
  const cred = api.credential(got.tokens);
  return {
    platform,
    account: conn.name,
    accessToken: cred.token,
    expiresAt: cred.expiresAt === undefined ? null : new Date(cred.expiresAt).toISOString(),
    scopes: got.tokens.scopes,
    ...(got.warning ? { warning: got.warning } : {}),
  };
}

export function registerToken(program: Command, { deps }: CommandContext): void {
  program
    .command('token')
    .description("print a connection's access token for your own scripts (refreshed first when due)")
    .argument('<platform>', PLATFORMS.join(', '))
    .option('--account <name>', 'the connection (its local name) when the platform has several')
    .option('--json', 'print {platform, account, accessToken, expiresAt, scopes}')
    .addHelpText('after', `
The token is refreshed first when it is within the refresh threshold, under the same lock as
\`socialync refresh\`, so a cron run at the same moment never spends a rotating refresh token
twice. The refresh token itself is never printed. Facebook prints the Page token.
Exit 4 (with the command that fixes it) when the connection needs a reconnect.

Examples:
  $ curl -H "Authorization: Bearer $(socialync token x)" https://api.x.com/2/users/me
  $ socialync token linkedin --account work --json
  $ socialync api x users/me          # the same call without handling the token yourself`)
    .action(async (platform: string, o: TokenOptions) => {
      const r = await runToken(deps, platform, o);
      if (r.warning) deps.io.err(`warning: ${r.warning}`);
      if (o.json) {
        const { warning: _w, ...out } = r;
        void _w;
        deps.io.out(JSON.stringify(out, null, 2));
      } else deps.io.out(r.accessToken);
      if (deps.io.stdoutIsTTY) {
        const until = r.expiresAt ? `until ${r.expiresAt}` : 'until it is revoked';
        deps.io.err(`! This is a secret: anyone who has it can act as ${r.platform}/${r.account} ${until}. Do not share it or paste it into logs.`);
      }
    });
}
