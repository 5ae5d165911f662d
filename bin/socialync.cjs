#!/usr/bin/env node
// Shim: the only place that touches process.exitCode. CommonJS, so nothing starts the ES
// module loader: `--version` answers from package.json, and the program runs through
// vm.Script with a V8 code cache kept in $XDG_CACHE_HOME/socialync, one per bundle and
// command, so each holds just the code its command runs (SOCIALYNC_NO_COMPILE_CACHE=1 turns
// it off). A missing or stale cache only costs a normal compile; V8 rejects one that does
// not match. `status` and `schedule list` first go to dist/fast.cjs, a small bundle without
// commander that declines (returns undefined) anything but their plain spellings; everything
// else, and whatever fast.cjs declines, runs in dist/cli.cjs, the whole CLI.
'use strict';
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(require('../package.json').version + '\n');
} else {
  main().catch((e) => {
    process.stderr.write(`socialync: cannot start (${e && e.message}); reinstall it: npm install -g socialync\n`);
    process.exitCode = 1;
  });
}

async function main() {
  const words = args.filter((a) => !a.startsWith('-'));
  const command = words[0];
  let code;
  if (command === 'status' || (command === 'schedule' && words[1] === 'list')) code = await runBundle('fast', command);
  if (code === undefined) code = await runBundle('cli', command);
  process.exitCode = code;
}

/** Runs dist/<name>.cjs's main(args): its exit code, or undefined when it declined. */
async function runBundle(name, command) {
  const fs = require('node:fs');
  const path = require('node:path');
  const vm = require('node:vm');
  const Module = require('node:module');
  const file = path.join(__dirname, '..', 'dist', `${name}.cjs`);
  const source = fs.readFileSync(file, 'utf8');
  const cache = cacheFile(path, name, source, command);
  let cachedData;
  let generation = 0;
  if (cache) {
    try {
      cachedData = fs.readFileSync(cache.file);
      generation = Number(fs.readFileSync(`${cache.file}.n`, 'utf8')) || 0;
    } catch {
      /* first run with this build */
    }
  }
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  // See scripts/build.mjs: the bundle's import() of external libraries comes here.
  globalThis.__socialyncImport = (specifier) => import(specifier);
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  let code;
  try {
    code = await mod.exports.main(args);
  } finally {
    // After the run, so the cache also holds the functions this command compiled lazily. The
    // first few runs of a build each add what they compiled (all start from the previous
    // cache); after that the cache is only read. A bundle that declined saves nothing.
    const known = code !== undefined && (mod.exports.commandNames || []).includes(command);
    if (cache && known && (!cachedData || script.cachedDataRejected || generation < CACHE_GENERATIONS)) {
      saveCache(fs, path, cache, script, script.cachedDataRejected ? 1 : generation + 1);
    }
  }
  return code;
}

const CACHE_GENERATIONS = 4;

function cacheFile(path, name, source, command) {
  // Only command names make file names (saved after the run, when the name proved to be one).
  if (process.env.SOCIALYNC_NO_COMPILE_CACHE || !/^[a-z_][a-z_-]{0,30}$/.test(command || '')) return undefined;
  const home = process.env.HOME || require('node:os').homedir();
  const dir = path.join(process.env.XDG_CACHE_HOME || path.join(home, '.cache'), 'socialync');
  // The build's content hash, which scripts/build.mjs appends to the bundle.
  const id = /socialync-build:([0-9a-f]{16})\s*$/.exec(source.slice(-48));
  if (!id) return undefined;
  const build = `${name}-${process.version}-${id[1]}-`;
  return { dir, name, build, file: path.join(dir, `${build}${command}.v8`) };
}

function saveCache(fs, path, cache, script, generation) {
  try {
    fs.mkdirSync(cache.dir, { recursive: true, mode: 0o700 });
    const tmp = `${cache.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
    fs.renameSync(tmp, cache.file);
    fs.writeFileSync(`${cache.file}.n`, String(generation), { mode: 0o600 });
    // Caches of this bundle's other builds, or of other Node versions, are dead weight.
    for (const f of fs.readdirSync(cache.dir)) {
      if (f.startsWith(`${cache.name}-`) && /\.v8(\.n)?$/.test(f) && !f.startsWith(cache.build)) fs.rmSync(path.join(cache.dir, f), { force: true });
    }
  } catch {
    /* a read-only or full cache folder only costs speed */
  }
}
