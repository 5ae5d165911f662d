/**
 * makeTestDeps: real Deps (real SQLite, real file vault, real HTTP) in a
 * temporary SOCIALYNC_HOME, with captured output and injectable fakes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { PassThrough, Writable } from 'node:stream';
import { createIO } from '../../src/core/io.js';
import { createDeps, type Deps, type DepsOverrides } from '../../src/deps.js';
import { main } from '../../src/main.js';

export interface TestDeps {
  deps: Deps;
  home: string;
  env: NodeJS.ProcessEnv;
  stdout(): string;
  stderr(): string;
  stdin: PassThrough;
  /** Runs the CLI in-process with these deps; returns the exit code. Output accumulates. */
  run(argv: string[]): Promise<number>;
}

function sink(buf: { text: string }, tty: boolean): Writable & { isTTY?: boolean } {
  const w = new Writable({ write: (c, _e, cb) => ((buf.text += c), cb()) }) as Writable & { isTTY?: boolean };
  if (tty) w.isTTY = true;
  return w;
}

export function makeTestDeps(o: { env?: Record<string, string>; home?: string; tty?: boolean; over?: DepsOverrides } = {}): TestDeps {
  const home = o.home ?? mkdtempSync(join(tmpdir(), 'socialync-test-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    SOCIALYNC_HOME: home,
    SOCIALYNC_SECRET_BACKEND: 'file',
    SOCIALYNC_VAULT_KEY: randomBytes(32).toString('hex'),
    NO_COLOR: '1',
    ...(o.env ?? {}),
  };
  const out = { text: '' };
  const err = { text: '' };
  const stdin = new PassThrough();
  const make = () =>
    createDeps({ env, io: createIO({ stdin, stdout: sink(out, Boolean(o.tty)), stderr: sink(err, Boolean(o.tty)), env }), ...(o.over ?? {}) });
  const deps = make();
  return {
    deps,
    home,
    env,
    stdin,
    stdout: () => out.text,
    stderr: () => err.text,
    // A fresh Deps per run, like a fresh process (main closes the store when done).
    run: (argv) => main(argv, make()),
  };
}
