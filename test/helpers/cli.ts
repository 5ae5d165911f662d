/**
 * Runs the built CLI (bin/socialync.cjs -> dist/) as a child process, the way
 * users and cron do. Call `npm run build` first (the test script does).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(ROOT, 'bin', 'socialync.cjs');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliRun {
  child: ChildProcess;
  /** Resolves when stderr (or stdout) has printed something matching. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  done: Promise<CliResult>;
}

/** Environment for a child: inherits PATH/HOME etc., drops the parent's socialync settings and colours. */
export function cliEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SOCIALYNC_') && k !== 'FORCE_COLOR') env[k] = v;
  env.NO_COLOR = '1';
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

export function startCli(args: string[], env: NodeJS.ProcessEnv, input?: string): CliRun {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: { re: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      const m = (stderr + stdout).match(w.re);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  child.stdout!.on('data', (d) => ((stdout += d), check()));
  child.stderr!.on('data', (d) => ((stderr += d), check()));
  if (input !== undefined) child.stdin!.end(input);
  const done = new Promise<CliResult>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return {
    child,
    done,
    waitFor(re, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`timed out waiting for ${re}; stderr so far:\n${stderr}\nstdout:\n${stdout}`)), timeoutMs);
        waiters.push({ re, resolve: (m) => (clearTimeout(t), resolve(m)) });
        void done.then((r) => {
          const m = (r.stderr + r.stdout).match(re);
          if (m) resolve(m);
          else {
            clearTimeout(t);
            reject(new Error(`exited (${r.code}) before ${re}; stderr:\n${r.stderr}\nstdout:\n${r.stdout}`));
          }
        });
        check();
      });
    },
  };
}

export async function runCli(args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<CliResult> {
  return startCli(args, env, input ?? '').done;
}
