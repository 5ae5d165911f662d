import type { Command } from 'commander';
import type { CommandContext } from '../program.js';
import type { Deps } from '../deps.js';
import { CliError, ProviderError, UsageError } from '../core/errors.js';
import { parsePlatform } from '../providers/registry.js';
import { secretKeys } from '../secrets/types.js';
import type { PlatformId } from '../providers/types.js';
import { postStoreFor } from '../store/posts.js';

export interface DisconnectResult {
  platform: PlatformId;
  name: string;
  revoked: 'yes' | 'not supported' | 'failed' | 'kept';
  /** With revoked 'kept': the connections that share the grant (revoking it would cut them off). */
  sharedWith?: string[];
  /** Targets of posts still to be published on this connection (they fail until it is connected again). */
  waiting: number;
}

export function registerDisconnect(program: Command, { deps }: CommandContext): void {
  program
    .command('disconnect')
    .description('revoke a connection at the platform where possible and delete its tokens')
    .argument('<platform>')
    .argument('[account]', 'the connection name (needed when the platform has several)')
    .option('--keep-remote', 'do not revoke at the platform; only forget the tokens here')
    .addHelpText('after', `
Examples:
  $ socialync disconnect tiktok
  $ socialync disconnect youtube brand-channel`)
    .action(async (platform: string, account: string | undefined, o: { keepRemote?: boolean }) => {
      const r = await runDisconnect(deps, parsePlatform(platform), account, { revoke: !o.keepRemote });
      if (r.revoked === 'failed') deps.io.err(`! could not revoke at ${r.platform}; remove the app's access in the platform's settings too.`);
      if (r.revoked === 'kept') {
        deps.io.err(`! not revoked at ${r.platform}: the same login also serves ${r.sharedWith!.join(', ')}; disconnecting the last of them revokes it`);
      }
      deps.io.info(`✓ Disconnected ${r.platform}/${r.name}${r.revoked === 'yes' ? ' (revoked at the platform)' : ''}.`);
      if (r.waiting) {
        deps.io.err(`! ${r.waiting} scheduled post${r.waiting === 1 ? '' : 's'} for ${r.platform}/${r.name} will fail until this account is connected again: socialync connect ${r.platform} --name ${r.name}`);
      }
    });
}

export async function runDisconnect(deps: Deps, platform: PlatformId, name: string | undefined, o: { revoke: boolean }): Promise<DisconnectResult> {
  const store = await deps.store();
  const all = await store.listConnections({ platform });
  const conn = name ? all.find((c) => c.name === name) : all.length === 1 ? all[0] : undefined;
  if (!conn) {
    if (!all.length) throw new UsageError(`no ${platform} connection to disconnect`, 'see: socialync status');
    if (!name) throw new UsageError(`several ${platform} connections: name one (${all.map((c) => c.name).join(', ')})`, `run: socialync disconnect ${platform} <account>`);
    throw new UsageError(`no ${platform} connection named "${name}" (have: ${all.map((c) => c.name).join(', ')})`, 'see: socialync status');
  }
  const secrets = await deps.secrets();
  const raw = await secrets.get(secretKeys.connection(conn.id));
  let revoked: DisconnectResult['revoked'] = 'not supported';
  const provider = await deps.provider(platform);
  const sharing = provider.sharesGrantWith?.(conn, await store.listConnections()) ?? [];
  if (o.revoke && raw && provider.revoke && sharing.length) revoked = 'kept';
  else if (o.revoke && raw && provider.revoke) {
    try {
      await provider.revoke(JSON.parse(raw), await deps.providerDeps(platform));
      revoked = 'yes';
    } catch (e) {
      if (!(e instanceof ProviderError) && !(e instanceof CliError)) throw e;
      revoked = 'failed';
    }
  }
  await secrets.delete(secretKeys.connection(conn.id));
  await store.deleteConnection(conn.id, deps.clock.now());
  await store.addEvent({ at: deps.clock.now(), kind: 'disconnected', message: `${platform}/${conn.name}`, connectionId: null });
  const waiting = (await postStoreFor(store).findTargets({ states: ['scheduled', 'unconfirmed'], connectionId: conn.id })).length;
  return { platform, name: conn.name, revoked, waiting, ...(revoked === 'kept' ? { sharedWith: sharing.map((c) => `${c.platform}/${c.name}`) } : {}) };
}
