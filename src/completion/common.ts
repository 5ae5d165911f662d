/** Shared pieces of the shell generators: per-path word lists from the spec. */
import { globalOptions, type CommandSpec, type OptionSpec } from './spec.js';

export interface PathWords {
  path: string;
  subs: string[];
  subDescriptions: string[];
  /** Every flag accepted here, global ones included. */
  opts: string[];
  optDescriptions: string[];
  /** `--flag=kind` for flags that take a value. */
  vals: string[];
  args: string[];
}

export function pathWords(spec: CommandSpec[]): PathWords[] {
  const globals = globalOptions(spec);
  return spec.map((c) => {
    const options: OptionSpec[] = c.path === '' ? c.options : [...c.options, ...globals.filter((g) => !c.options.some((o) => o.flags.some((f) => g.flags.includes(f))))];
    const opts: string[] = [];
    const optDescriptions: string[] = [];
    const vals: string[] = [];
    for (const o of options) {
      for (const f of o.flags) {
        opts.push(f);
        optDescriptions.push(o.description);
        if (o.value) vals.push(`${f}=${o.value}`);
      }
    }
    return {
      path: c.path,
      subs: c.subcommands.map((s) => s.name),
      subDescriptions: c.subcommands.map((s) => s.description),
      opts,
      optDescriptions,
      vals,
      args: c.args,
    };
  });
}

/** Single-quoted for POSIX shells and zsh. */
export const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export const HEADER = (shell: string) =>
  `socialync ${shell} completion, generated from the command tree by \`socialync completion ${shell}\` (do not edit;\n# regenerate with: npm run completions). Connection names, post ids and time zones come from\n# \`socialync __complete <kind>\`, which reads the local state without changing it.`;
