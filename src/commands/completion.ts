import type { Command } from 'commander';
import type { CommandContext } from '../program.js';
import type { Deps } from '../deps.js';
import { UsageError } from '../core/errors.js';
import { PLATFORMS, isPlatform } from '../providers/types.js';
import { fitStart } from '../core/text-width.js';

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
 * Reads the selected state store (the SQLite file read-only, or PostgreSQL in team mode:
 * store/state-reader.ts) and never creates or migrates it; any problem prints nothing.
 */
async function completeValues(deps: Deps, kind: string, context?: string): Promise<string[]> {
  if (kind === 'platforms') return [...PLATFORMS];
  if (kind === 'timezones') return Intl.supportedValuesOf('timeZone');
  if (kind !== 'connections' && kind !== 'posts' && kind !== 'targets') return [];
  const { readState } = await import('../store/state-reader.js');
  // Tab must answer at once: a database out of reach gives no values rather than a wait.
  const store = { env: deps.env, config: deps.config, paths: deps.paths, connectTimeoutMs: 1500 };
  if (kind === 'posts') {
    const rows = await readState<{ id: number; text: string }>(store, 'SELECT id, text FROM posts ORDER BY id DESC LIMIT 500');
    // 60 columns of the text, never cut inside a character (a cut emoji shows as a replacement mark).
    return rows.map((r) => `${r.id}\t${fitStart(r.text.replace(/\s+/g, ' '), 60)}`);
  }
  const alias: Record<string, string> = { twitter: 'x', google: 'youtube', ig: 'instagram', fb: 'facebook' };
  const p = context ? (alias[context.toLowerCase()] ?? context.toLowerCase()) : undefined;
  const one = Boolean(p && isPlatform(p) && kind === 'connections');
  const rows = await readState<{ platform: string; name: string; username: string | null }>(
    store,
    `SELECT platform, name, username FROM connections${one ? ' WHERE platform = $1' : ''} ORDER BY platform, name`,
    one ? [p] : [],
  );
  if (kind === 'targets') return [...PLATFORMS, ...rows.map((r) => `${r.platform}:${r.name}`)];
  return [...new Set(rows.map((r) => `${r.name}\t${r.platform}${r.username ? ` @${r.username}` : ''}`))];
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
