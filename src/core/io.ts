/**
 * Terminal decisions made once at startup (STYLE.md habit 2): colour, spinner,
 * prompting and table style. The only module that touches process streams.
 */
import type { Writable, Readable } from 'node:stream';
import { CliError } from './errors.js';
import { isCi } from './ci.js';

export type Verbosity = 'quiet' | 'normal' | 'verbose' | 'debug';

export interface IO {
  /** Results (tables, JSON, TSV). */
  out(text: string): void;
  /** Results already encoded as UTF-8 (a newline is added when the bytes lack one). */
  outBytes(bytes: Uint8Array): void;
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
  /** Width of the terminal: stdout's (else stderr's) window, else COLUMNS, else 80. */
  readonly columns: number;
  verbosity: Verbosity;
  readonly stderrStream: Writable;
  /**
   * After the command: waits until standard output is written (when the process streams say
   * so) and throws a CliError when it could not be (a full disk, a removed device).
   */
  finish(): Promise<void>;
}

export interface IOOptions {
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  /** finish() waits for what is still queued on stdout (process streams: a pipe may be full). */
  waitForOutput?: boolean;
  env: NodeJS.ProcessEnv;
}

export function createIO(o: IOOptions): IO {
  const env = o.env;
  const stdoutIsTTY = Boolean(o.stdout.isTTY);
  const stderrIsTTY = Boolean(o.stderr.isTTY);
  let stdout: GuardedStream | undefined;
  let stderr: GuardedStream | undefined;
  const outStream = () => (stdout ??= guard(o.stdout));
  const errStream = () => (stderr ??= guard(o.stderr));
  const writeOut = (t: string | Uint8Array) => outStream().write(t);
  const writeErr = (t: string) => errStream().write(t);
  const ci = isCi(env);
  let color: boolean;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') color = false;
  else if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') color = true;
  else color = stdoutIsTTY && env.TERM !== 'dumb';
  const io: IO = {
    verbosity: 'normal',
    out: (t) => writeOut(t.endsWith('\n') ? t : t + '\n'),
    outBytes: (b) => {
      if (b.length) writeOut(b);
      if (b[b.length - 1] !== 0x0a) writeOut('\n');
    },
    err: (t) => writeErr(t.endsWith('\n') ? t : t + '\n'),
    debug: (t) => {
      if (io.verbosity === 'debug') writeErr(`[debug] ${t}\n`);
    },
    verbose: (t) => {
      if (io.verbosity === 'verbose' || io.verbosity === 'debug') writeErr(t + '\n');
    },
    info: (t) => {
      if (io.verbosity !== 'quiet') writeErr(t + '\n');
    },
    get stdin() {
      return o.stdin;
    },
    stdoutIsTTY,
    stderrIsTTY,
    color,
    get canPrompt() {
      // Asked only by commands that may prompt: finding out costs a look at standard input.
      return stdoutIsTTY && !ci && Boolean(o.stdin.isTTY);
    },
    get progress() {
      return stderrIsTTY && io.verbosity !== 'quiet' && !ci;
    },
    get stderrStream() {
      return errStream().stream;
    },
    async finish() {
      if (!stdout) return;
      if (o.waitForOutput) await stdout.written();
      await new Promise((resolve) => setImmediate(resolve)); // a failed write reports on the next tick
      const e = stdout.failure();
      if (e) throw new CliError(`cannot write the output (${e.code ?? e.message})`, { hint: 'check where it goes: a full disk, a removed file or a broken device' });
    },
    get columns() {
      const tty = (stdoutIsTTY ? (o.stdout as { columns?: number }).columns : undefined) ?? (stderrIsTTY ? (o.stderr as { columns?: number }).columns : undefined);
      const fromEnv = Number(env.COLUMNS);
      return tty && tty > 0 ? tty : Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 80;
    },
  };
  return io;
}

/** The real process streams (bin/ only, through deps.ts); standard input is opened on first use. */
export function processIO(): IO {
  return createIO({
    get stdin() {
      return process.stdin;
    },
    stdout: process.stdout,
    stderr: process.stderr,
    waitForOutput: true,
    env: process.env,
  });
}

interface GuardedStream {
  readonly stream: Writable;
  write(text: string | Uint8Array): void;
  /** Resolves once everything written so far has left (or the stream failed). */
  written(): Promise<void>;
  /** The first write error other than a reader gone away (EPIPE). */
  failure(): NodeJS.ErrnoException | undefined;
}

/**
 * A stream whose errors never crash the process. A reader that went away (EPIPE, as in
 * `socialync status | head -1`) silences further output instead of failing the command: the
 * work a command does never depends on anyone reading its output. Any other error (ENOSPC on
 * `> /dev/full`) is kept for finish(), which makes it a clear error on stdout; on stderr,
 * with nowhere to report it, it only silences.
 */
function guard(stream: Writable): GuardedStream {
  let failed: NodeJS.ErrnoException | undefined;
  stream.on('error', (e: NodeJS.ErrnoException) => void (failed ??= e));
  const open = () => !failed && !stream.destroyed;
  return {
    stream,
    write: (text) => void (open() && stream.write(text)),
    written: () => new Promise<void>((resolve) => (open() && stream.writableLength > 0 ? stream.write('', () => resolve()) : resolve())),
    failure: () => (failed?.code === 'EPIPE' ? undefined : failed),
  };
}

/** Reads all of standard input (for secrets passed with --*-stdin, never through argv). */
export async function readStdin(io: Pick<IO, 'stdin'>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of io.stdin) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
