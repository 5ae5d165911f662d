import type { Command } from 'commander';
import type { CommandContext } from '../program.js';
import type { Deps } from '../deps.js';
import { CancelledError, CliError, ProviderError, UsageError } from '../core/errors.js';
import { parsePlatform } from '../providers/registry.js';
import { secretKeys } from '../secrets/types.js';
import type { GrantHolder, PlatformId } from '../providers/types.js';
import { postStoreFor } from '../store/posts.js';
import type { Connection } from '../store/types.js';

export interface DisconnectResult {
  platform: PlatformId;
  name: string;
  revoked: 'yes' | 'not supported' | 'failed' | 'kept';
  /** With revoked 'kept': the connections that share the grant (revoking it would cut them off). */
  sharedWith?: string[];
  /** Targets of posts still to be published on this connection (they fail until it is connected again). */
  waiting: number;
}

/** What a disconnect will do, found before anything changes (the confirmation says it). */
export interface DisconnectPlan {
  conn: Connection;
  /** 'yes': revoke at the platform; 'kept': the grant serves other connections; 'not supported'; 'no': --keep-remote. */
  revoke: 'yes' | 'kept' | 'not supported' | 'no';
  sharing: GrantHolder[];
  waiting: number;
}

export function registerDisconnect(program: Command, { deps }: CommandContext): void {
  program
    .command('disconnect')
    .description('revoke a connection at the platform where possible and delete its tokens')
    .argument('<platform>')
    .argument('[account]', 'the connection name (needed when the platform has several)')
    .option('--keep-remote', 'do not revoke at the platform; only forget the tokens here')
    .option('-y, --yes', 'do not ask for confirmation (needed when not run from a terminal)')
    .addHelpText('after', `
Asks for confirmation on a terminal, saying what it revokes and how many scheduled posts will
fail until the account is connected again. Scripts pass --yes (without it: exit 3).

Examples:
  $ socialync disconnect tiktok
  $ socialync disconnect youtube brand-channel --yes`)
    .action(async (platform: string, account: string | undefined, o: { keepRemote?: boolean; yes?: boolean }) => {
      const id = parsePlatform(platform);
      const plan = await planDisconnect(deps, id, account, { revoke: !o.keepRemote });
      if (!o.yes) await confirmDisconnect(deps, plan);
      const r = await runDisconnect(deps, plan);
      if (r.revoked === 'failed') deps.io.err(`! could not revoke at ${r.platform}; remove the app's access in the platform's settings too.`);
      if (r.revoked === 'kept') {
        deps.io.err(`! not revoked at ${r.platform}: the same login also serves ${r.sharedWith!.join(', ')}; disconnecting the last of them revokes it`);
      }
      deps.io.info(`✓ Disconnected ${r.platform}/${r.name}${r.revoked === 'yes' ? ' (revoked at the platform)' : ''}.`);
      if (r.waiting) deps.io.err(waitingWarning(r.platform, r.name, r.waiting));
    });
}

const waitingWarning = (platform: PlatformId, name: string, n: number) =>
  `! ${n} scheduled post${n === 1 ? '' : 's'} for ${platform}/${name} will fail until this account is connected again: socialync connect ${platform} --name ${name}`;

/** On a terminal: asks, saying what happens. Elsewhere: --yes is required (a script must mean it). */
async function confirmDisconnect(deps: Deps, plan: DisconnectPlan): Promise<void> {
  const { platform, name } = plan.conn;
  if (!deps.io.canPrompt) {
    throw new UsageError(`disconnect asks for confirmation, and this is not an interactive terminal`, `run: socialync disconnect ${platform} ${name} --yes`);
  }
  const what: Record<DisconnectPlan['revoke'], string> = {
    yes: `This revokes socialync's access at ${platform} and deletes the tokens stored here.`,
    kept: `This deletes the tokens stored here; the access stays granted at ${platform}, as the same login serves ${plan.sharing.map((c) => `${c.platform}/${c.name}`).join(', ')}.`,
    'not supported': `This deletes the tokens stored here; ${platform} cannot revoke them from here: remove the app's access in its settings too.`,
    no: `This deletes the tokens stored here (--keep-remote: the access stays granted at ${platform}).`,
  };
  deps.io.err(what[plan.revoke]);
  if (plan.waiting) deps.io.err(waitingWarning(platform, name, plan.waiting));
  if (!(await deps.prompts.confirm(`Disconnect ${platform}/${name}?`, false))) throw new CancelledError('cancelled: nothing was disconnected');
}

async function planDisconnect(deps: Deps, platform: PlatformId, name: string | undefined, o: { revoke: boolean }): Promise<DisconnectPlan> {
  const store = await deps.store();
  const all = await store.listConnections({ platform });
  const conn = name ? all.find((c) => c.name === name) : all.length === 1 ? all[0] : undefined;
  if (!conn) {
    if (!all.length) throw new UsageError(`no ${platform} connection to disconnect`, 'see: socialync status');
    if (!name) throw new UsageError(`several ${platform} connections: name one (${all.map((c) => c.name).join(', ')})`, `run: socialync disconnect ${platform} <account>`);
    throw new UsageError(`no ${platform} connection named "${name}" (have: ${all.map((c) => c.name).join(', ')})`, 'see: socialync status');
  }
  const provider = await deps.provider(platform);
  const sharing = provider.sharesGrantWith?.(conn, await store.listConnections()) ?? [];
  const revoke = !o.revoke ? 'no' : !provider.revoke ? 'not supported' : sharing.length ? 'kept' : 'yes';
  const waiting = (await postStoreFor(store).findTargets({ states: ['scheduled', 'unconfirmed'], connectionId: conn.id })).length;
  return { conn, revoke, sharing, waiting };
}

export async function runDisconnect(deps: Deps, plan: DisconnectPlan): Promise<DisconnectResult> {
  const { conn } = plan;
  const platform = conn.platform;
  const store = await deps.store();
  const secrets = await deps.secrets();
  const raw = await secrets.get(secretKeys.connection(conn.id));
  let revoked: DisconnectResult['revoked'] = plan.revoke === 'kept' ? 'kept' : 'not supported';
  const provider = await deps.provider(platform);
  if (plan.revoke === 'yes' && raw && provider.revoke) {
    try {
      await provider.revoke(JSON.parse(raw), await deps.providerDeps(platform, conn));
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
  return { platform, name: conn.name, revoked, waiting, ...(revoked === 'kept' ? { sharedWith: plan.sharing.map((c) => `${c.platform}/${c.name}`) } : {}) };
}
