/**
 * Shell completion: the committed scripts match what the command tree
 * generates, and each script really completes in its shell — subcommands,
 * flags, fixed values, and connection names read from a seeded state DB by
 * the hidden `__complete` command of the built CLI.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { seedConnection } from '../../src/sandbox/seed.js';
import { runAppSet } from '../../src/commands/app.js';
import { loadProgram } from '../../src/program.js';
import { completionScript, SHELLS } from '../../src/commands/completion.js';
import { makeTestDeps } from '../helpers/deps.js';
import { BIN, ROOT, runCli, cliEnv } from '../helpers/cli.js';
import { missingPart } from '../helpers/system-part.js';
import { PLATFORMS } from '../../src/providers/types.js';

const FILES = { bash: 'completions/socialync.bash', zsh: 'completions/_socialync', fish: 'completions/socialync.fish' } as const;
const has = (sh: string) => spawnSync(sh, ['-c', 'exit 0']).status === 0;

let sandbox: Sandbox;
let home: string;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  sandbox = await startSandbox({ platforms: ['tiktok', 'x'] });
  const t = makeTestDeps({ env: sandbox.hostEnv() });
  for (const p of ['tiktok', 'x'] as const) {
    const a = sandbox.apps[p];
    await runAppSet(t.deps, { platform: p, clientId: a.clientId, clientSecret: a.clientSecret, port: 0, ...(a.clientType ? { clientType: a.clientType } : {}) });
  }
  await seedConnection(t.deps, 'tiktok', 'alice', 'brand-tiktok');
  await seedConnection(t.deps, 'tiktok', 'bob', 'personal');
  await seedConnection(t.deps, 'x', 'alice', 'brand-x');
  await t.deps.close();
  expect(await t.run(['schedule', 'add', '--to', 'x:brand-x', '--at', '+1h', '--text', 'Hello from the completion test']), t.stderr()).toBe(0);
  home = t.home;
  // `socialync` on PATH, as the scripts call it back for dynamic values.
  const bin = mkdtempSync(join(tmpdir(), 'socialync-bin-'));
  writeFileSync(join(bin, 'socialync'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(join(bin, 'socialync'), 0o755);
  env = cliEnv({ SOCIALYNC_HOME: home, PATH: `${bin}:${process.env.PATH}` });
});
afterAll(async () => sandbox?.close());

function sh(shell: string, script: string, args: string[]): string {
  // sh and zsh take $0 first; fish puts every extra argument in $argv.
  const r = spawnSync(shell, [...(shell === 'zsh' ? ['-f'] : []), '-c', script, ...(shell === 'fish' ? [] : ['x']), ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) throw new Error(`${shell} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** Calls _socialync the way bash does on Tab: COMP_WORDS / COMP_CWORD set, COMPREPLY read back. */
const bash = (...words: string[]) =>
  sh('bash', `source ${FILES.bash}; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _socialync; printf '%s\\n' "\${COMPREPLY[@]}"`, words).split('\n').filter(Boolean);

/** Calls _socialync with zsh's words/CURRENT; compadd is replaced by a printer (zsh itself filters by prefix). */
const zsh = (...words: string[]) =>
  sh(
    'zsh',
    `source ${FILES.zsh}; compadd() { while [[ $1 == -* && $1 != -- ]]; do [[ $1 == -[dP] ]] && shift; shift; done; [[ $1 == -- ]] && shift; print -rl -- "$@"; }; _files() { print -r -- FILES "$@"; }; words=("$@"); CURRENT=$#; _socialync`,
    words,
  )
    .split('\n')
    .filter(Boolean);

/** fish's own completion engine: `complete -C` on a command line. */
const fish = (line: string) =>
  sh('fish', `source ${FILES.fish}; complete -C $argv[1]`, [line])
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t')[0]!);

describe('completion scripts', () => {
  it('the committed scripts match the command tree (run `npm run completions` after changing commands)', async () => {
    const program = await loadProgram(makeTestDeps().deps, () => undefined);
    for (const shell of SHELLS) {
      const want = (await completionScript(program, shell)).trimEnd() + '\n';
      expect(readFileSync(join(ROOT, FILES[shell]), 'utf8'), `${FILES[shell]} is stale: run npm run completions`).toBe(want);
    }
  });

  it('`socialync completion bash` prints the committed script; an unknown shell is a usage error', async () => {
    const r = await runCli(['completion', 'bash'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(ROOT, FILES.bash), 'utf8'));
    const bad = await runCli(['completion', 'tcsh'], env);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/unknown shell "tcsh"[\s\S]*bash, zsh, fish/);
  });

  it('`__complete` reads connection names without creating a state database', async () => {
    const r = await runCli(['__complete', 'connections', 'tiktok'], env);
    expect(r.stdout.split('\n').filter(Boolean).map((l) => l.split('\t')[0])).toEqual(['brand-tiktok', 'personal']);
    const empty = mkdtempSync(join(tmpdir(), 'socialync-empty-'));
    const none = await runCli(['__complete', 'connections'], { ...env, SOCIALYNC_HOME: empty });
    expect(none).toMatchObject({ code: 0, stdout: '' });
    expect(existsSync(join(empty, 'state.db'))).toBe(false);
  });

  it('bash: subcommands, nested subcommands, flags, fixed values, platforms and connection names', () => {
    expect(bash('socialync', 'conn')).toEqual(['connect']);
    expect(bash('socialync', '')).toEqual(expect.arrayContaining(['connect', 'status', 'doctor', 'refresh', 'completion']));
    expect(bash('socialync', '')).not.toContain('__complete');
    expect(bash('socialync', 'app', 's')).toEqual(['set']);
    expect(bash('socialync', 'status', '--js')).toEqual(['--json']);
    expect(bash('socialync', 'doctor', '--')).toEqual(expect.arrayContaining(['--offline', '--json', '--quiet', '--debug']));
    expect(bash('socialync', 'connect', '')).toEqual([...PLATFORMS]);
    expect(bash('socialync', 'connect', 'mastodon', '--inst')).toEqual(['--instance']);
    expect(bash('socialync', 'app', 'set', 'x', '--client-type', '')).toEqual(['public', 'confidential']);
    expect(bash('socialync', 'completion', '')).toEqual(['bash', 'zsh', 'fish']);
    expect(bash('socialync', 'disconnect', 'tiktok', '')).toEqual(['brand-tiktok', 'personal']);
    expect(bash('socialync', 'disconnect', 'x', 'b')).toEqual(['brand-x']);
    expect(bash('socialync', '--debug', 'refresh', 'tiktok', '--account', 'p')).toEqual(['personal']);
    expect(bash('socialync', 'connect', 'tiktok', '--name', '')).toEqual(['brand-tiktok', 'personal']);
  });

  it('bash: post ids, time zones, and comma/colon targets for schedule', () => {
    expect(bash('socialync', 'schedule', 'show', '')).toEqual(['1']);
    expect(bash('socialync', 'schedule', 'add', '--tz', 'Europe/Ber')).toEqual(['Europe/Berlin']);
    expect(bash('socialync', 'schedule', 'add', '--to', '')).toEqual(expect.arrayContaining(['x', 'tiktok', 'tiktok:personal', 'x:brand-x']));
    expect(bash('socialync', 'schedule', 'add', '--to', 'x,t')).toEqual(['x,tiktok', 'x,threads', 'x,tiktok:brand-tiktok', 'x,tiktok:personal']);
    // bash splits `x:b` at the colon (COMP_WORDBREAKS); the reply is the part after it.
    expect(bash('socialync', 'schedule', 'add', '--to', 'tiktok', ':', 'p')).toEqual(['personal']);
  });

  it('zsh: the same answers from _socialync', (ctx) => {
    if (!has('zsh')) {
      ctx.skip(missingPart('zsh is not installed (apt-get install zsh)'));
    }
    expect(zsh('socialync', 'con')).toEqual(expect.arrayContaining(['connect', 'status']));
    expect(zsh('socialync', 'app', '')).toEqual(expect.arrayContaining(['set', 'list', 'remove']));
    expect(zsh('socialync', 'status', '--')).toEqual(expect.arrayContaining(['--json', '--quiet']));
    expect(zsh('socialync', 'connect', '')).toEqual([...PLATFORMS]);
    expect(zsh('socialync', 'connect', 'mastodon', '--inst')).toEqual(expect.arrayContaining(['--instance']));
    expect(zsh('socialync', 'disconnect', 'tiktok', '')).toEqual(['brand-tiktok', 'personal']);
    expect(zsh('socialync', 'refresh', '--account', '')).toEqual(['brand-tiktok', 'personal', 'brand-x']);
    expect(zsh('socialync', 'sandbox', 'demo', '--dir', '')).toEqual(['FILES -/']);
  });

  it('fish: complete -C offers subcommands, flags, platforms and connection names', (ctx) => {
    if (!has('fish')) {
      ctx.skip(missingPart('fish is not installed (apt-get install fish)'));
    }
    expect(fish('socialync conn')).toEqual(['connect']);
    expect(fish('socialync app s')).toEqual(['set']);
    expect(fish('socialync status --js')).toEqual(['--json']);
    expect(fish('socialync connect t')).toEqual(['threads', 'tiktok']);
    expect(fish('socialync disconnect tiktok ')).toEqual(['brand-tiktok', 'personal']);
    expect(fish('socialync refresh x --account ')).toEqual(['brand-x']);
  });
});
