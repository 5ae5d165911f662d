/**
 * The completion spec: the real commander tree (visible commands, options,
 * arguments) flattened into one entry per command path, with the kind of
 * value each option and positional argument takes. The shell generators turn
 * this into bash, zsh and fish scripts.
 */
import type { Command, Option } from 'commander';
import { PLATFORMS } from '../providers/types.js';
import { CHANNELS, NOTICE_KINDS } from '../notify/types.js';

/**
 * A value kind: dynamic ones are answered by `socialync __complete <kind>`;
 * `w:a,b,c` is a fixed word list; `none` is free text.
 */
export type ValueKind = 'platforms' | 'connections' | 'posts' | 'targets' | 'timezones' | 'files' | 'dirs' | 'commands' | 'none' | `w:${string}`;

export interface OptionSpec {
  /** e.g. ['-q', '--quiet'] */
  flags: string[];
  /** undefined for boolean flags. */
  value?: ValueKind;
  description: string;
}

export interface CommandSpec {
  /** '' for the root, 'app set' for a subcommand. */
  path: string;
  description: string;
  subcommands: { name: string; description: string }[];
  options: OptionSpec[];
  /** Kind of each positional argument, in order (the last may repeat when variadic). */
  args: ValueKind[];
}

const words = (list: readonly string[]): ValueKind => `w:${list.join(',')}`;

function argKind(name: string): ValueKind {
  switch (name) {
    case 'platform':
      return 'platforms';
    case 'account':
      return 'connections';
    case 'id':
      return 'posts';
    case 'channel':
      return words(CHANNELS);
    case 'shell':
      return words(['bash', 'zsh', 'fish']);
    case 'command':
      return 'commands';
    default:
      return 'none';
  }
}

function optionKind(o: Option, path: string): ValueKind {
  if (o.argChoices?.length) return words(o.argChoices);
  switch (o.long) {
    case '--account':
      return 'connections';
    case '--platform':
      return 'platforms';
    case '--name':
      return path === 'connect' ? 'connections' : 'none';
    case '--to':
      // schedule add --to x,linkedin:brand (notify set email --to is an address)
      return path.startsWith('schedule') ? 'targets' : 'none';
    case '--tz':
      return 'timezones';
    case '--media':
    case '--input':
      return 'files';
    case '--dir':
      return 'dirs';
    case '--client-type':
      return words(['public', 'confidential']);
    case '--redirect-host':
      return words(['127.0.0.1', 'localhost']);
    case '--login':
      return words(['instagram', 'facebook']);
    case '--kind':
    case '--kinds':
      return words(NOTICE_KINDS);
  }
  // A description listing its values as (a|b|c), e.g. `--status`.
  const m = /\(([\w-]+(?:\|[\w-]+)+)\)/.exec(o.description);
  return m ? words(m[1]!.split('|')) : 'none';
}

function optionSpec(o: Option, path: string): OptionSpec {
  const flags = [o.short, o.long].filter((f): f is string => Boolean(f));
  const takesValue = o.required || o.optional;
  return { flags, ...(takesValue ? { value: optionKind(o, path) } : {}), description: o.description };
}

/** Walks the program: one CommandSpec per visible command path, root first. */
export function completionSpec(program: Command): CommandSpec[] {
  const out: CommandSpec[] = [];
  const walk = (cmd: Command, path: string) => {
    const help = cmd.createHelp();
    const subs = help.visibleCommands(cmd);
    out.push({
      path,
      description: cmd.description(),
      subcommands: subs.map((s) => ({ name: s.name(), description: s.description() })),
      options: help.visibleOptions(cmd).map((o) => optionSpec(o, path)),
      args: cmd.registeredArguments.map((a) => argKind(a.name())),
    });
    for (const s of subs) if (s.name() !== 'help') walk(s, path ? `${path} ${s.name()}` : s.name());
  };
  walk(program, '');
  // `help <command>` completes top-level commands.
  const root = out[0]!;
  if (root.subcommands.some((s) => s.name === 'help')) out.push({ path: 'help', description: 'display help for command', subcommands: [], options: [], args: ['commands'] });
  return out;
}

/** Options every command accepts (the root's, except -V/--version and -h/--help). */
export function globalOptions(spec: CommandSpec[]): OptionSpec[] {
  return spec[0]!.options.filter((o) => !o.flags.includes('--version') && !o.flags.includes('--help'));
}

export { PLATFORMS };
