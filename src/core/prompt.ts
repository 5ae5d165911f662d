/**
 * The one wrapper around @inquirer/prompts. Prompts only when stdin and stdout
 * are TTYs and not under CI; Ctrl-C becomes a CancelledError (exit 2).
 */
import { CancelledError, UsageError } from './errors.js';
import type { IO } from './io.js';

export interface Prompts {
  input(message: string, opts?: { default?: string; validate?: (v: string) => true | string }): Promise<string>;
  password(message: string): Promise<string>;
  confirm(message: string, def?: boolean): Promise<boolean>;
  select<T extends string>(message: string, choices: { value: T; name: string }[]): Promise<T>;
}

export function createPrompts(io: IO): Prompts {
  const guard = async <T>(what: string, run: (p: typeof import('@inquirer/prompts')) => Promise<T>): Promise<T> => {
    if (!io.canPrompt) throw new UsageError(`${what} is needed but this is not an interactive terminal`, 'pass it as a flag (see --help)');
    const p = await import('@inquirer/prompts');
    try {
      return await run(p);
    } catch (e) {
      if ((e as Error)?.name === 'ExitPromptError' || (e as Error)?.name === 'AbortPromptError') throw new CancelledError();
      throw e;
    }
  };
  return {
    input: (message, opts = {}) =>
      guard(message, (p) => p.input({ message, ...(opts.default ? { default: opts.default } : {}), ...(opts.validate ? { validate: opts.validate } : {}) })),
    password: (message) => guard(message, (p) => p.password({ message, mask: '*' })),
    confirm: (message, def = false) => guard(message, (p) => p.confirm({ message, default: def })),
    select: (message, choices) => guard(message, (p) => p.select({ message, choices })),
  };
}
