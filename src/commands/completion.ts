import type { Command } from 'commander';
import type { CommandContext } from '../program.js';
import type { Deps } from '../deps.js';
import { UsageError } from '../core/errors.js';
import { PLATFORMS, isPlatform } from '../providers/types.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** The completion script for `shell`, generated from the program's real command tree. */
export async function completionScript(program: Command, shell: Shell): Promise<string> {
  const { completionSpec } = await import('../completion/spec.js');
  const spec = completionSpec(program);
  if (shell === 'bash') return (await import('../completion/bash.js')).bashScript(spec);
  if (shell === 'zsh') return (await import('../completion/zsh.js')).zshScript(spec);
  return (await import('../completion/fish.js')).fishScript(spec);
}

/**
 * Dynamic values for the completion scripts, one per line (`value<TAB>description`).
 * Reads the state database read-only and never creates it; any problem prints nothing.
 */
async function completeValues(deps: Deps, kind: string, context?: string): Promise<string[]> {
  if (kind === 'platforms') return [...PLATFORMS];
  if (kind === 'timezones') return Intl.supportedValuesOf('timeZone');
  if (kind !== 'connections' && kind !== 'posts' && kind !== 'targets') return [];
  const { openExistingDb } = await import('../store/readonly.js');
  const db = await openExistingDb(deps.paths.stateDb).catch(() => undefined);
  if (!db) return [];
  try {
    if (kind === 'posts') {
      const rows = db.prepare('SELECT id, text FROM posts ORDER BY id DESC LIMIT 500').all() as { id: number; text: string }[];
      return rows.map((r) => `${r.id}\t${r.text.replace(/\s+/g, ' ').slice(0, 60)}`);
    }
    const alias: Record<string, string> = { twitter: 'x', google: 'youtube', ig: 'instagram', fb: 'facebook' };
    const p = context ? (alias[context.toLowerCase()] ?? context.toLowerCase()) : undefined;
    const rows = (
      p && isPlatform(p) && kind === 'connections'
        ? db.prepare('SELECT platform, name, username FROM connections WHERE platform = ? ORDER BY name').all(p)
        : db.prepare('SELECT platform, name, username FROM connections ORDER BY platform, name').all()
    ) as { platform: string; name: string; username: string | null }[];
    if (kind === 'targets') return [...PLATFORMS, ...rows.map((r) => `${r.platform}:${r.name}`)];
    return [...new Set(rows.map((r) => `${r.name}\t${r.platform}${r.username ? ` @${r.username}` : ''}`))];
  } catch {
    return [];
  } finally {
    db.close();
  }
}

export function registerCompletion(program: Command, { deps }: CommandContext): void {
  program
    .command('completion')
    .description('print the shell completion script (bash, zsh or fish)')
    .argument('<shell>', SHELLS.join(', '))
    .addHelpText('after', `
Examples:
  $ source <(socialync completion bash)                                  # bash, this shell only
  $ socialync completion bash > ~/.local/share/bash-completion/completions/socialync
  $ socialync completion zsh > "\${fpath[1]}/_socialync"                   # zsh
  $ socialync completion fish > ~/.config/fish/completions/socialync.fish`)
    .action(async (shell: string) => {
      if (!(SHELLS as readonly string[]).includes(shell)) throw new UsageError(`unknown shell "${shell}"`, `use one of: ${SHELLS.join(', ')}`);
      deps.io.out((await completionScript(program, shell as Shell)).trimEnd());
    });
  program
    .command('__complete', { hidden: true })
    .description('print completion values: platforms, connections [platform], posts, targets, timezones')
    .argument('<kind>')
    .argument('[context]')
    .action(async (kind: string, context?: string) => {
      const values = await completeValues(deps, kind, context);
      if (values.length) deps.io.out(values.join('\n'));
    });
}
