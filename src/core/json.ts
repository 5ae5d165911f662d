/**
 * The one way a command prints its `--json` result (the vocabulary is in docs/json.md), and
 * `--jq EXPR`, which filters that result with jq itself (jq 1.7 compiled to WebAssembly, the
 * jq-wasm package: no binary download, no network). Strings come out raw, as with `jq -r`
 * and `gh --jq`; anything else as JSON.
 */
import { Option, type Command } from 'commander';
import { UsageError } from './errors.js';
import type { IO } from './io.js';

export interface JsonOutputOptions {
  json?: boolean;
  jq?: string;
}

export async function printJson(io: Pick<IO, 'out'>, value: unknown, jq?: string): Promise<void> {
  const text = JSON.stringify(value, null, 2);
  if (jq === undefined) return io.out(text);
  io.out((await runJq(text, jq)).replace(/\n$/, ''));
}

async function runJq(input: string, expr: string): Promise<string> {
  const ns = (await import('jq-wasm')) as typeof import('jq-wasm') & { default?: typeof import('jq-wasm') };
  const raw = ns.raw ?? ns.default!.raw;
  try {
    return await raw(input, expr, ['-r']);
  } catch (e) {
    const msg = ((e as Error).message ?? String(e)).replace(/\s*\n\s*/g, ' ').trim();
    throw new UsageError(`--jq: ${msg}`, 'see the fields of each command in docs/json.md; jq syntax: https://jqlang.org/manual/');
  }
}

/** Adds `--jq <expression>` (which implies --json) to every command of the tree that has --json. */
export function addJqOptions(program: Command): void {
  const walk = (cmd: Command) => {
    for (const c of cmd.commands) {
      if (c.options.some((o) => o.long === '--json') && !c.options.some((o) => o.long === '--jq')) {
        c.addOption(new Option('--jq <expression>', 'filter the JSON output with a jq expression (implies --json)').implies({ json: true }));
      }
      walk(c);
    }
  };
  walk(program);
}

/**
 * Splits a hint ("run: socialync connect x --name main", or advice in words) into the
 * vocabulary's two fields: `fix`, a socialync command line that can be run as it is (no
 * <placeholder>, no prose around it), and `hint`, the advice in words (null when the fix says it all).
 */
export function fixAndHint(text: string | null | undefined): { fix: string | null; hint: string | null } {
  if (!text) return { fix: null, hint: null };
  const m = /^run:\s+(socialync\s.*?)\s*(\(.*\))?$/i.exec(text.trim());
  const command = m?.[1];
  if (!command || /[<>;]|, |: /.test(command)) return { fix: null, hint: text };
  return { fix: command, hint: m[2] ? text : null };
}

/** The next step in words for a person: "Run: <fix>", or the hint. */
export const nextStep = (x: { fix: string | null; hint: string | null }): string => (x.fix ? `Run: ${x.fix}` : (x.hint ?? ''));
