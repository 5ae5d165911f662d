/**
 * Runs the built CLI in a real terminal: a tmux window of a chosen size (its own server per
 * run, so nothing is shared with the user's tmux). What a person sees comes back as the
 * screen's lines (wrapped lines joined again, so a line wider than the window shows as one
 * long line), with or without the colour escapes. Keys can be sent while it runs (Ctrl-C).
 * Tests skip with a printed reason when tmux is missing, and fail under CI (system-part.ts).
 */
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from './cli.js';
import { missingPart } from './system-part.js';

export const hasTmux = spawnSync('tmux', ['-V']).status === 0;
export const tmuxMissing = hasTmux ? undefined : missingPart('tmux is not installed (apt-get install tmux); terminal layout tests skipped');

export interface TerminalRun {
  /** Resolves with the exit code once the command ended. */
  done: Promise<number>;
  /** The screen (and scrollback): joined lines, trailing blanks dropped; `escapes` keeps colours. */
  screen(o?: { escapes?: boolean }): string[];
  /** tmux key names, e.g. 'C-c', 'Enter', 'y'. */
  keys(...k: string[]): void;
  /** Resolves when the screen shows `re`. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<void>;
  close(): void;
}

let n = 0;

/** Starts `socialync ...args` in a `cols`×`rows` terminal with exactly `env` (plus TERM). */
export function inTerminal(args: string[], env: NodeJS.ProcessEnv, o: { cols: number; rows?: number }): TerminalRun {
  const dir = mkdtempSync(join(tmpdir(), 'socialync-tty-'));
  const socket = join(dir, 'tmux.sock');
  const script = join(dir, 'run.sh');
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  // A person at a terminal: never CI (cliEnv copies the runner's CI, which turns prompts off).
  const exports = Object.entries(env)
    .filter(([k, v]) => v !== undefined && k !== 'CI' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(k))
    .map(([k, v]) => `export ${k}=${quote(v!)}`)
    .join('\n');
  writeFileSync(
    script,
    `trap true INT\nunset NO_COLOR FORCE_COLOR CI COLUMNS\nfor v in $(env | sed -n 's/^\\(SOCIALYNC_[A-Za-z0-9_]*\\)=.*/\\1/p'); do unset "$v"; done\n${exports}\n${quote(process.execPath)} ${quote(BIN)} ${args.map(quote).join(' ')}\necho "__exit=$?" > ${quote(join(dir, 'exit'))}\nsleep 600\n`,
  );
  const tmux = (...a: string[]) => execFileSync('tmux', ['-S', socket, ...a], { encoding: 'utf8' });
  tmux('-f', '/dev/null', 'new-session', '-d', '-x', String(o.cols), '-y', String(o.rows ?? 50), `sh ${quote(script)}`);
  tmux('set-option', '-g', 'history-limit', '5000');
  const id = ++n;
  const exitFile = join(dir, 'exit');
  const readExit = (): number | undefined => {
    try {
      const m = /__exit=(\d+)/.exec(execFileSync('cat', [exitFile], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
      return m ? Number(m[1]) : undefined;
    } catch {
      return undefined;
    }
  };
  const screen = (s: { escapes?: boolean } = {}) => {
    const text = tmux('capture-pane', '-p', '-J', '-S', '-', ...(s.escapes ? ['-e'] : []), '-t', '0');
    const lines = text.split('\n').map((l) => l.replace(/\s+$/, ''));
    while (lines.length && !lines[lines.length - 1]) lines.pop();
    return lines;
  };
  const poll = <T>(get: () => T | undefined, timeoutMs: number, what: string) =>
    new Promise<T>((resolve, reject) => {
      const start = Date.now();
      const tick = () => {
        const v = get();
        if (v !== undefined) return resolve(v);
        if (Date.now() - start > timeoutMs) return reject(new Error(`terminal ${id}: timed out waiting for ${what}; screen:\n${screen().join('\n')}`));
        setTimeout(tick, 50);
      };
      tick();
    });
  return {
    done: poll(readExit, 60_000, 'the command to end'),
    screen,
    keys: (...k) => void tmux('send-keys', '-t', '0', ...k),
    waitFor: (re, timeoutMs = 20_000) => poll(() => (re.test(screen().join('\n')) ? true : undefined), timeoutMs, String(re)).then(() => undefined),
    close: () => {
      try {
        tmux('kill-server');
      } catch {
        /* already gone */
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs to the end and returns the screen (plain and with colours) and the exit code. */
export async function terminalRun(args: string[], env: NodeJS.ProcessEnv, o: { cols: number; rows?: number }): Promise<{ code: number; lines: string[]; coloured: string }> {
  const t = inTerminal(args, env, o);
  try {
    const code = await t.done;
    return { code, lines: t.screen(), coloured: t.screen({ escapes: true }).join('\n') };
  } finally {
    t.close();
  }
}
