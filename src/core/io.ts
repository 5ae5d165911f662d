/**
 * Terminal decisions made once at startup (STYLE.md habit 2): colour, spinner,
 * prompting and table style. The only module that touches process streams.
 */
import type { Writable, Readable } from 'node:stream';
import { fstatSync, statSync, writeSync } from 'node:fs';
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
}

export interface IOOptions {
  stdin: Readable & { isTTY?: boolean };
  /** Given when reading `stdin` itself would be costly (process.stdin opens a handle on first use). */
  stdinIsTTY?: boolean;
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  /** Given when reading the stream itself would be costly (process.stdout/stderr are created on first use). */
  stdoutIsTTY?: boolean;
  stderrIsTTY?: boolean;
  /** Writers used instead of `stdout.write`/`stderr.write` (processIO: straight to the descriptor). */
  writeOut?: (text: string | Uint8Array) => void;
  writeErr?: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

export function createIO(o: IOOptions): IO {
  const env = o.env;
  const stdoutIsTTY = o.stdoutIsTTY ?? Boolean(o.stdout.isTTY);
  const stderrIsTTY = o.stderrIsTTY ?? Boolean(o.stderr.isTTY);
  const writeOut = o.writeOut ?? ((t: string | Uint8Array) => void o.stdout.write(t));
  const writeErr = o.writeErr ?? ((t: string) => void o.stderr.write(t));
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
      return stdoutIsTTY && !ci && (o.stdinIsTTY ?? Boolean(o.stdin.isTTY));
    },
    get progress() {
      return stderrIsTTY && io.verbosity !== 'quiet' && !ci;
    },
    get stderrStream() {
      return o.stderr;
    },
    get columns() {
      const tty = (stdoutIsTTY ? (o.stdout as { columns?: number }).columns : undefined) ?? (stderrIsTTY ? (o.stderr as { columns?: number }).columns : undefined);
      const fromEnv = Number(env.COLUMNS);
      return tty && tty > 0 ? tty : Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 80;
    },
  };
  return io;
}

/**
 * Real process streams; used by bin/ only via deps.ts. Nothing here creates process.stdout,
 * process.stderr or process.stdin until it is needed: a command whose output goes to a pipe,
 * a file or /dev/null writes straight to the descriptor (no stream object, no socket module);
 * a terminal gets node's own stream.
 */
export function processIO(): IO {
  const stdoutIsTTY = fdIsTTY(1);
  const stderrIsTTY = fdIsTTY(2);
  return createIO({
    get stdin() {
      return process.stdin;
    },
    get stdinIsTTY() {
      return fdIsTTY(0);
    },
    get stdout() {
      return quietOnEPIPE(process.stdout);
    },
    get stderr() {
      return quietOnEPIPE(process.stderr);
    },
    stdoutIsTTY,
    stderrIsTTY,
    writeOut: stdoutIsTTY ? (t) => void quietOnEPIPE(process.stdout).write(t) : fdWriter(1),
    writeErr: stderrIsTTY ? (t) => void quietOnEPIPE(process.stderr).write(t) : fdWriter(2),
    env: process.env,
  });
}

let devNull: number | undefined;
/**
 * Whether a descriptor is a terminal, without loading node:tty (which loads the socket and
 * stream modules) unless it is a character device other than /dev/null.
 */
export function fdIsTTY(fd: number): boolean {
  let st;
  try {
    st = fstatSync(fd);
  } catch {
    return false;
  }
  if (!st.isCharacterDevice()) return false;
  try {
    devNull ??= statSync('/dev/null').rdev;
    if (devNull === st.rdev) return false;
  } catch {
    /* no /dev/null: ask the terminal module */
  }
  return process.getBuiltinModule('node:tty').isatty(fd);
}

/**
 * A synchronous writer to a pipe, file or /dev/null. A reader that went away (EPIPE, as in
 * `socialync status | head -1`) silences further output instead of failing the command: the
 * work a command does never depends on anyone reading its output. A descriptor in
 * non-blocking mode (left so by another program sharing the pipe) that is full (EAGAIN) is
 * waited for and written again, as a blocking one would be: output stays in order across
 * stdout and stderr (`2>&1`), and nothing is pending when the process exits.
 */
export function fdWriter(fd: number, write: typeof writeSync = writeSync, pause: (ms: number) => void = sleepSync): (text: string | Uint8Array) => void {
  let closed = false;
  return (text) => {
    if (closed) return;
    let buf = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    let wait = 1;
    while (buf.length) {
      try {
        buf = buf.subarray(write(fd, buf));
        wait = 1;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EPIPE') {
          closed = true;
          return;
        }
        if (code !== 'EAGAIN') {
          // Standard error that cannot be written has nowhere to say so; standard output has.
          if (fd === 2) {
            closed = true;
            return;
          }
          throw new CliError(`cannot write the output (${code ?? (e as Error).message})`, { hint: 'check where it goes: a full disk, a removed file or a broken device' });
        }
        pause(wait);
        wait = Math.min(wait * 2, 50);
      }
    }
  };
}

let sleeper: Int32Array | undefined;
/** Blocks this thread for `ms` (a full pipe's reader needs the time, not us). */
function sleepSync(ms: number): void {
  Atomics.wait((sleeper ??= new Int32Array(new SharedArrayBuffer(4))), 0, 0, ms);
}

const guarded = new WeakSet<Writable>();
/** A closed pipe on a process stream is not an error worth a crash (see fdWriter). */
function quietOnEPIPE<T extends Writable>(s: T): T {
  if (!guarded.has(s)) {
    guarded.add(s);
    s.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
    });
  }
  return s;
}

/** Reads all of standard input (for secrets passed with --*-stdin, never through argv). */
export async function readStdin(io: Pick<IO, 'stdin'>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of io.stdin) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
