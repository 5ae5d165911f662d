/**
 * The built CLI's `publish --json` with its peak RSS (VmHWM from /proc, polled every 20 ms until it
 * exits): the memory tests of issue 14 (test/e2e/publish-memory.test.ts, pinterest-memory.test.ts).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { BIN } from './cli.js';

const vmHwmMb = (pid: number) => {
  try {
    return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
};

export function publishMeasured(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; peakMb: number }> {
  const child = spawn(process.execPath, [BIN, 'publish', '--json'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let peakMb = 0;
  const poll = setInterval(() => (peakMb = Math.max(peakMb, vmHwmMb(child.pid!))), 20);
  child.stdout.on('data', (d) => (stdout += d));
  return new Promise((resolve) => child.on('exit', (code) => (clearInterval(poll), resolve({ code, stdout, peakMb }))));
}
