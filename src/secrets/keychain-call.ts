/**
 * Runs @napi-rs/keyring operations in a short-lived child process, with a hard timeout.
 *
 * Why a child process: keychains hang (a locked collection waiting on an unlock
 * prompt, a wedged D-Bus peer), and gh's internal/keyring wraps every call in a
 * timeout for that reason. The napi sync calls block their thread, and even the
 * AsyncEntry variants keep a libuv work item pending that AbortSignal cannot
 * cancel, which would keep our process alive at exit. A child can be killed.
 * The price is one `node` start (~50 ms) per batch, so callers batch their
 * calls (probe + read of the vault key happen in one child).
 *
 * Values travel over stdin/stdout pipes, never argv or the environment.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

export type KeychainOp =
  | { op: 'get'; account: string }
  | { op: 'set'; account: string; value: string }
  | { op: 'delete'; account: string }
  /** Read; if absent, write `value` and read it back (used under a lock on first use). */
  | { op: 'getOrSet'; account: string; value: string };

export type KeychainResult = { ok: true; results: Array<string | null | boolean> } | { ok: false; failedOp: number; message: string };

/** CommonJS source run with `node -e`; the module path is resolved by the parent. */
const CHILD = String.raw`
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => (input += d));
process.stdin.on('end', () => {
  const req = JSON.parse(input);
  const out = (o) => process.stdout.write(JSON.stringify(o));
  let Entry;
  try {
    Entry = require(req.modulePath).Entry;
  } catch (e) {
    return out({ ok: false, failedOp: -1, message: 'cannot load @napi-rs/keyring: ' + String(e && e.message).split('\n')[0] });
  }
  const results = [];
  for (let i = 0; i < req.ops.length; i++) {
    const o = req.ops[i];
    try {
      const e = new Entry(req.service, o.account);
      if (o.op === 'get') results.push(e.getPassword() ?? null);
      else if (o.op === 'set') { e.setPassword(o.value); results.push(true); }
      else if (o.op === 'delete') { let r = false; try { r = e.deletePassword(); } catch (err) { if (!/no (matching )?entry|not found/i.test(String(err && err.message))) throw err; } results.push(r); }
      else if (o.op === 'getOrSet') {
        let v = e.getPassword() ?? null;
        if (v === null) { e.setPassword(o.value); v = e.getPassword() ?? null; }
        results.push(v);
      }
    } catch (err) {
      return out({ ok: false, failedOp: i, message: String(err && err.message).split('\n')[0] });
    }
  }
  out({ ok: true, results });
});
`;

export class KeychainTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`the OS keychain did not answer within ${timeoutMs} ms`);
    this.name = 'KeychainTimeoutError';
  }
}

let modulePath: string | undefined;
function keyringModulePath(): string {
  return (modulePath ??= createRequire(import.meta.url).resolve('@napi-rs/keyring'));
}

/**
 * Runs `ops` in order against keychain service `service`; stops at the first failure.
 * `env` is the child's whole environment (so DBUS_SESSION_BUS_ADDRESS can be set for cron).
 */
export function keychainCall(o: { service: string; ops: KeychainOp[]; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<KeychainResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', CHILD], {
      env: o.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    let stdout = '';
    let stderr = '';
    let done = false;
    const finish = (f: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      f();
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(() => reject(new KeychainTimeoutError(o.timeoutMs)));
    }, o.timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d.slice(0, 2000)));
    child.on('error', (e) => finish(() => reject(e)));
    child.on('close', (code) =>
      finish(() => {
        try {
          resolve(JSON.parse(stdout) as KeychainResult);
        } catch {
          // stderr of the keyring child never holds values (they go over stdin), so it is safe to show.
          reject(new Error(`keychain helper exited with code ${code}: ${stderr.split('\n')[0] ?? ''}`));
        }
      }),
    );
    child.stdin.on('error', () => undefined);
    child.stdin.end(JSON.stringify({ modulePath: keyringModulePath(), service: o.service, ops: o.ops }));
  });
}
