/**
 * Test helpers for the secret store against real system parts: the ambient
 * Secret Service (gnome-keyring started by .ci/keyring-session.sh), and private
 * D-Bus daemons for the failure cases (no Secret Service, a hung one, a locked keyring).
 *
 * Outside CI a test needing a missing part is skipped with a printed reason;
 * under CI (any non-empty CI) it fails instead (README: no skipped tests under CI).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it, type TestAPI } from 'vitest';
import { CliError } from '../../src/core/errors.js';
import { PassThrough } from 'node:stream';
import { probeSecretService } from '../../src/secrets/dbus.js';
import { createConfig } from '../../src/core/config.js';
import { createIO } from '../../src/core/io.js';
import { resolvePaths } from '../../src/core/paths.js';
import type { OpenSecretStoreOptions } from '../../src/secrets/open.js';
import { missingPart, underCi } from './system-part.js';

/** A throwaway socialync home (SOCIALYNC_HOME) with its Paths, Config and a silent IO. */
export function tempHome(env: NodeJS.ProcessEnv = {}): OpenSecretStoreOptions & { dir: string; stderr: () => string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'socialync-secrets-'));
  const fullEnv = { SOCIALYNC_HOME: dir, ...env };
  const paths = resolvePaths(fullEnv);
  const err = new PassThrough();
  let stderr = '';
  err.on('data', (d: Buffer) => (stderr += d.toString()));
  return {
    dir,
    paths,
    env: fullEnv,
    config: createConfig(paths.configDir, fullEnv),
    io: createIO({ stdin: new PassThrough(), stdout: new PassThrough(), stderr: err, env: fullEnv }),
    stderr: () => stderr,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface Availability {
  ok: boolean;
  why?: string;
}

let transpiled: string | undefined;
/**
 * Plain-JS copies of src/core and src/secrets for child processes (which, unlike
 * vitest, cannot load .ts). Placed under node_modules/.cache so `@napi-rs/keyring`
 * resolves from them; named by a hash of the sources, so runs and workers share
 * one copy and older copies are removed.
 */
export function transpileForChild(): string {
  if (transpiled) return transpiled;
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const files: Array<[string, string]> = [];
  for (const sub of ['core', 'secrets']) {
    for (const f of readdirSync(join(root, 'src', sub)).sort()) {
      if (f.endsWith('.ts') && !f.endsWith('.test.ts')) files.push([`${sub}/${f}`, readFileSync(join(root, 'src', sub, f), 'utf8')]);
    }
  }
  const hash = createHash('sha256');
  for (const [name, text] of files) hash.update(`${name}\0${text}\0`);
  const cache = join(root, 'node_modules', '.cache');
  const name = `socialync-secrets-test-${hash.digest('hex').slice(0, 16)}`;
  const out = join(cache, name);
  if (!existsSync(out)) {
    const tmp = `${out}.${process.pid}.tmp`;
    for (const [file, text] of files) {
      const js = ts.transpileModule(text, {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
      }).outputText;
      mkdirSync(dirname(join(tmp, file)), { recursive: true });
      writeFileSync(join(tmp, file.replace(/\.ts$/, '.js')), js);
    }
    writeFileSync(join(tmp, 'package.json'), '{"type":"module"}');
    try {
      renameSync(tmp, out);
    } catch {
      rmSync(tmp, { recursive: true, force: true }); // another worker made it first
    }
    for (const old of readdirSync(cache)) {
      if (old.startsWith('socialync-secrets-test-') && old !== name && !old.endsWith('.tmp')) rmSync(join(cache, old), { recursive: true, force: true });
    }
  }
  return (transpiled = out);
}

/** Awaits a promise that must reject with a CliError, and returns that error. */
export async function cliRejection(p: Promise<unknown>): Promise<CliError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(CliError);
  return e as CliError;
}

/**
 * Runs `n` node processes at once, each opening the secret store of `env` (its
 * SOCIALYNC_HOME) as `s` and then running `body` (ES module code; `me` is the
 * process number). Resolves to their exit codes.
 */
export function runStoreProcesses(env: NodeJS.ProcessEnv, n: number, body: string): Promise<Array<number | null>> {
  const dist = transpileForChild();
  const script = `
    const { openSecretStore } = await import(${JSON.stringify(join(dist, 'secrets/open.js'))});
    const { createConfig } = await import(${JSON.stringify(join(dist, 'core/config.js'))});
    const { resolvePaths } = await import(${JSON.stringify(join(dist, 'core/paths.js'))});
    const env = process.env; const paths = resolvePaths(env);
    const s = await openSecretStore({ paths, env, config: createConfig(paths.configDir, env), io: { debug() {} } });
    const me = process.argv[1];
    ${body}
  `;
  return Promise.all(
    Array.from(
      { length: n },
      (_, i) =>
        new Promise<number | null>((resolve) =>
          spawn(process.execPath, ['--input-type=module', '-e', script, String(i)], { env: { ...process.env, ...env }, stdio: 'inherit' }).on('exit', resolve),
        ),
    ),
  );
}

/** Is an unlocked Secret Service reachable on this process's session bus? */
export async function secretServiceAvailable(env: NodeJS.ProcessEnv = process.env): Promise<Availability> {
  if (process.platform !== 'linux') return { ok: false, why: 'the Secret Service tests are Linux-only' };
  const address = env.DBUS_SESSION_BUS_ADDRESS;
  if (!address) {
    return { ok: false, why: "no D-Bus session; run: dbus-run-session -- bash -c '. .ci/keyring-session.sh && npx vitest run src/secrets'" };
  }
  try {
    const state = await probeSecretService(address, 3000);
    if (state === 'running') return { ok: true };
    return { ok: false, why: `Secret Service is ${state} on the session bus; source .ci/keyring-session.sh first` };
  } catch (e) {
    return { ok: false, why: `session bus unreachable: ${(e as Error).message}` };
  }
}

/** Are these executables on PATH? */
export function binariesAvailable(...names: string[]): Availability {
  const missing = names.filter((n) => spawnSync('sh', ['-c', `command -v ${n}`]).status !== 0);
  return missing.length ? { ok: false, why: `missing ${missing.join(', ')} (apt-get install dbus gnome-keyring)` } : { ok: true };
}

/**
 * `it` when the part is there; otherwise `it.skip` with a printed reason, or,
 * under CI, an `it` whose tests fail with that reason (system-part.ts).
 */
export function itWhen(check: Availability): TestAPI {
  if (check.ok) return it;
  if (underCi()) {
    const failing = ((name: string) => it(name, () => void missingPart(check.why ?? 'unknown'))) as unknown as TestAPI;
    return failing;
  }
  missingPart(check.why ?? 'unknown');
  return it.skip as unknown as TestAPI;
}

export interface PrivateBus {
  address: string;
  /** Environment for processes that should live on this bus, with a throwaway HOME. */
  env: NodeJS.ProcessEnv;
  home: string;
  stop(): Promise<void>;
}

/**
 * Starts a private dbus-daemon. With `activation`, the standard session service
 * directories are on, so org.freedesktop.secrets is started on demand
 * (gnome-keyring, with `home` as its HOME); without, nothing can be activated.
 */
export async function startPrivateBus(o: { activation: boolean; home?: string }): Promise<PrivateBus> {
  const dir = mkdtempSync(join(tmpdir(), 'socialync-bus-'));
  const home = o.home ?? join(dir, 'home');
  mkdirSync(join(home, '.local', 'share'), { recursive: true });
  const runtime = join(dir, 'run');
  mkdirSync(runtime, { mode: 0o700 });
  const socket = join(runtime, 'bus'); // $XDG_RUNTIME_DIR/bus, where cron jobs look
  const config = join(dir, 'bus.conf');
  writeFileSync(
    config,
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=${socket}</listen>
  <auth>EXTERNAL</auth>
  ${o.activation ? '<standard_session_servicedirs/>' : ''}
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`,
  );
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_RUNTIME_DIR: runtime,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
  };
  const daemon = spawn('dbus-daemon', [`--config-file=${config}`, '--nofork', '--print-address=1'], { env, stdio: ['ignore', 'pipe', 'ignore'] });
  const address = await new Promise<string>((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error('dbus-daemon did not start')), 5000);
    daemon.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) {
        clearTimeout(t);
        resolve(out.trim());
      }
    });
    daemon.once('error', reject);
  });
  env.DBUS_SESSION_BUS_ADDRESS = address;
  return {
    address,
    env,
    home,
    async stop() {
      await kill(daemon);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Starts gnome-keyring on `bus`: unlocked with `password`, or locked (`password` undefined). */
export async function startGnomeKeyring(bus: PrivateBus, password?: string): Promise<{ stop(): Promise<void> }> {
  const args = ['--foreground', '--components=secrets', ...(password === undefined ? [] : ['--unlock'])];
  const child = spawn('gnome-keyring-daemon', args, { env: bus.env, stdio: ['pipe', 'ignore', 'ignore'] });
  child.stdin!.end(password ?? '');
  for (let i = 0; i < 100; i++) {
    if ((await probeSecretService(bus.address, 1000).catch(() => 'missing')) === 'running') return { stop: () => kill(child) };
    await sleep(50);
  }
  await kill(child);
  throw new Error('gnome-keyring-daemon did not register org.freedesktop.secrets');
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 2000);
  await gone;
  clearTimeout(t);
}
