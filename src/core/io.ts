/**
 * Terminal decisions made once at startup (STYLE.md habit 2): colour, spinner,
 * prompting and table style. The only module that touches process streams.
 */
import type { Writable, Readable } from 'node:stream';
import { isatty } from 'node:tty';

export type Verbosity = 'quiet' | 'normal' | 'verbose' | 'debug';

export interface IO {
  /** Results (tables, JSON, TSV). */
  out(text: string): void;
  /** Messages, hints, progress, errors. */
  err(text: string): void;
  /** Debug log line (only with --debug); callers must pass redacted text. */
  debug(text: string): void;
  /** Detail line (with --verbose or --debug). */
  verbose(text: string): void;
  /** Informational line on stderr unless --quiet. */
  info(text: string): void;
  readonly stdin: Readable;
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  /** Colour on stdout/stderr (NO_COLOR, FORCE_COLOR, TTY). */
  readonly color: boolean;
  /** Prompts allowed: stdin and stdout are TTYs and not under CI. */
  readonly canPrompt: boolean;
  /** Spinners and progress bars allowed (stderr is a TTY, not quiet). */
  readonly progress: boolean;
  verbosity: Verbosity;
  readonly stderrStream: Writable;
}

export interface IOOptions {
  stdin: Readable & { isTTY?: boolean };
  /** Given when reading `stdin` itself would be costly (process.stdin opens a handle on first use). */
  stdinIsTTY?: boolean;
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export function createIO(o: IOOptions): IO {
  const env = o.env;
  const stdoutIsTTY = Boolean(o.stdout.isTTY);
  const stderrIsTTY = Boolean(o.stderr.isTTY);
  const stdinIsTTY = o.stdinIsTTY ?? Boolean(o.stdin.isTTY);
  const ci = Boolean(env.CI) && env.CI !== 'false' && env.CI !== '0';
  let color: boolean;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') color = false;
  else if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') color = true;
  else color = stdoutIsTTY && env.TERM !== 'dumb';
  const io: IO = {
    verbosity: 'normal',
    out: (t) => void o.stdout.write(t.endsWith('\n') ? t : t + '\n'),
    err: (t) => void o.stderr.write(t.endsWith('\n') ? t : t + '\n'),
    debug: (t) => {
      if (io.verbosity === 'debug') o.stderr.write(`[debug] ${t}\n`);
    },
    verbose: (t) => {
      if (io.verbosity === 'verbose' || io.verbosity === 'debug') o.stderr.write(t + '\n');
    },
    info: (t) => {
      if (io.verbosity !== 'quiet') o.stderr.write(t + '\n');
    },
    get stdin() {
      return o.stdin;
    },
    stdoutIsTTY,
    stderrIsTTY,
    color,
    canPrompt: stdinIsTTY && stdoutIsTTY && !ci,
    get progress() {
      return stderrIsTTY && io.verbosity !== 'quiet' && !ci;
    },
    stderrStream: o.stderr,
  };
  return io;
}

/** Real process streams; used by bin/ only via deps.ts. */
export function processIO(): IO {
  // process.stdin is created on first access (a few ms): most commands never read it.
  return createIO({
    get stdin() {
      return process.stdin;
    },
    stdinIsTTY: isatty(0),
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
  });
}

/** Reads all of standard input (for secrets passed with --*-stdin, never through argv). */
export async function readStdin(io: Pick<IO, 'stdin'>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of io.stdin) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
