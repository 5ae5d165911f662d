/**
 * No cache content may crash the CLI (issue 11, item 11). On Node >= 22.8 the built binary
 * keeps its compiled code in Node's own compile cache; bytes flipped in those files (same
 * length, so a size check cannot catch it) must cost a normal compile, never the run. Node 20
 * has no compile cache: there, a garbage file where the former hand-made cache lived
 * ($XDG_CACHE_HOME/socialync/*.v8) is simply ignored. Runs under the Node that runs the tests.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliEnv, runCli, type CliResult } from '../../helpers/cli.js';

const tmp = (p: string) => mkdtempSync(join(tmpdir(), p));
const hasCompileCache = typeof (nodeModule as { enableCompileCache?: unknown }).enableCompileCache === 'function';
// `exit-codes` runs in the whole CLI (dist/cli.cjs) and needs no state database; `status` runs in
// its own bundle (dist/commands/status.cjs).
const RUNS = [['exit-codes'], ['status']];

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}

/** A small seeded generator, so a failing damage pattern can be repeated. */
function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => ((s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), (s >>> 0) / 2 ** 32);
}

type Damage = (bytes: Buffer, random: () => number) => void;
const DAMAGE: [string, Damage][] = [
  ['first 16 bytes flipped', (b) => b.subarray(0, 16).forEach((x, i) => (b[i] = x ^ 0xff))],
  ['one byte in the middle flipped', (b) => (b[b.length >> 1] ^= 0x01)],
  ['last byte flipped', (b) => (b[b.length - 1] ^= 0x80)],
  ['64 random bytes flipped', (b, r) => { for (let i = 0; i < 64; i++) b[Math.floor(r() * b.length)] ^= 1 + Math.floor(r() * 255); }],
  ['all zeros', (b) => b.fill(0)],
  ['all random', (b, r) => b.forEach((_, i) => (b[i] = Math.floor(r() * 256)))],
];

const sameRun = (r: CliResult, reference: CliResult) => expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: reference.code, stdout: reference.stdout, stderr: reference.stderr });

describe.runIf(hasCompileCache)(`Node's compile cache (${process.version})`, () => {
  it('damaged cache files, same length, never crash the built binary', async () => {
    const seed = Number(process.env.SOCIALYNC_TEST_SEED) || Math.floor(Math.random() * 2 ** 31);
    process.stderr.write(`[faults] compile-cache damage seed ${seed} (repeat with SOCIALYNC_TEST_SEED=${seed})\n`);
    const random = prng(seed);
    const cache = tmp('socialync-compile-cache-');
    const env = cliEnv({ SOCIALYNC_HOME: tmp('socialync-home-'), NODE_COMPILE_CACHE: cache });
    delete env.NODE_DISABLE_COMPILE_CACHE;
    const references: CliResult[] = [];
    for (const argv of RUNS) references.push(await runCli(argv, env));
    expect(references.map((r) => r.code)).toEqual([0, 0]);
    expect(references[0]!.stdout).toMatch(/^Exit codes/);
    expect(references[1]!.stderr).toMatch(/No connections yet/);
    const files = filesUnder(cache);
    expect(files.length, 'the first runs leave compiled code of both bundles in NODE_COMPILE_CACHE').toBeGreaterThanOrEqual(2);

    for (const [name, damage] of DAMAGE) {
      for (const file of filesUnder(cache)) {
        const bytes = readFileSync(file);
        damage(bytes, random);
        writeFileSync(file, bytes);
      }
      for (const [i, argv] of RUNS.entries()) sameRun(await runCli(argv, env), references[i]!);
      expect(filesUnder(cache).length, name).toBeGreaterThan(0);
    }
  });
});

describe.runIf(!hasCompileCache)(`no compile cache on ${process.version}`, () => {
  it('a garbage file where the former hand-made cache lived is ignored, and nothing is written', async () => {
    const xdg = tmp('socialync-xdg-cache-');
    const old = join(xdg, 'socialync');
    mkdirSync(old);
    const planted = join(old, `cli-${process.version}-0123456789abcdef-exit-codes.v8`);
    writeFileSync(planted, Buffer.alloc(200_000, 0xa5));
    writeFileSync(`${planted}.n`, '1');
    const home = tmp('socialync-home-');
    const withGarbage = await runCli(['exit-codes'], cliEnv({ SOCIALYNC_HOME: home, XDG_CACHE_HOME: xdg }));
    const without = await runCli(['exit-codes'], cliEnv({ SOCIALYNC_HOME: home, XDG_CACHE_HOME: tmp('socialync-xdg-cache-') }));
    expect(withGarbage.code).toBe(0);
    expect(withGarbage.stdout).toMatch(/^Exit codes/);
    sameRun(withGarbage, without);
    expect(readdirSync(old).sort()).toEqual([`${planted.slice(old.length + 1)}`, `${planted.slice(old.length + 1)}.n`]);
    expect(readFileSync(planted).every((b) => b === 0xa5)).toBe(true);
  });
});
