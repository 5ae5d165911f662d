/**
 * The real crontab and systemd user units. Injected into the cron command so
 * tests never touch the user's crontab.
 */
import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliError } from '../core/errors.js';
import { binPath } from '../core/paths.js';

export interface CronSystem {
  /** Absolute node binary and CLI script, so the job does not depend on cron's PATH. */
  nodePath: string;
  binPath: string;
  /** Current crontab ('' when the user has none). */
  readCrontab(): Promise<string>;
  writeCrontab(text: string): Promise<void>;
  /** ~/.config/systemd/user */
  unitDir: string;
  writeFile(path: string, text: string, mode?: number): Promise<void>;
  removeFile(path: string): Promise<void>;
  /** Runs a command (systemctl --user ...); rejects on a non-zero exit. */
  exec(cmd: string, args: string[]): Promise<string>;
}

function run(cmd: string, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { timeout: 15_000 }, (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') {
        return reject(
          new CliError(`${cmd} is not installed on this system`, {
            hint: cmd === 'crontab' ? 'use a systemd user timer: socialync cron install --systemd (or add the line from `socialync cron print` to your scheduler)' : 'print the units with: socialync cron print --systemd',
          }),
        );
      }
      if (err && typeof (err as NodeJS.ErrnoException).code === 'string') return reject(err);
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

export function systemCron(env: NodeJS.ProcessEnv): CronSystem {
  const configHome = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return {
    nodePath: process.execPath,
    binPath: binPath(),
    async readCrontab() {
      const r = await run('crontab', ['-l']);
      if (r.code === 0) return r.stdout;
      // "no crontab for user" is the one failure that means "empty". Anything else
      // (a permission problem, a broken spool) must not be taken for an empty crontab:
      // writing then would replace the user's other jobs.
      if (/no crontab for/i.test(r.stderr)) return '';
      throw new CliError(`could not read your current crontab (crontab -l exited ${r.code}: ${r.stderr.trim() || 'no message'}); nothing was changed`, {
        hint: 'fix access to crontab, or add the line from `socialync cron print` yourself, or use: socialync cron install --systemd',
      });
    },
    async writeCrontab(text) {
      const r = await run('crontab', ['-'], text);
      if (r.code !== 0) throw new Error(`crontab failed: ${r.stderr.trim()}`);
    },
    unitDir: join(configHome, 'systemd', 'user'),
    async writeFile(path, text, mode = 0o644) {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, text, { mode });
    },
    async removeFile(path) {
      await rm(path, { force: true });
    },
    async exec(cmd, args) {
      const r = await run(cmd, args);
      if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr.trim()}`);
      return r.stdout;
    },
  };
}
