#!/usr/bin/env node
// Shim: the only place that touches process.exitCode. CommonJS, so nothing starts the ES
// module loader: `--version` answers from package.json, and the program runs through
// vm.Script with a V8 code cache kept in $XDG_CACHE_HOME/socialync, one per bundle and
// command, so each holds just the code its command runs (SOCIALYNC_NO_COMPILE_CACHE=1 turns
// it off). A missing or stale cache only costs a normal compile; V8 rejects one that does
// not match, and a checksum catches one whose bytes were damaged. `status` and `schedule list`
// first go to dist/fast.cjs, a small bundle without commander that declines (returns undefined)
// anything but their plain spellings; everything else, and whatever fast.cjs declines, runs in
// dist/cli.cjs, the whole CLI.
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
  let damaged = false;
  if (cache) {
    try {
      cachedData = verifiedCache(fs.readFileSync(cache.file));
      damaged = !cachedData;
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
      saveCache(fs, path, cache, script, script.cachedDataRejected || damaged ? 1 : generation + 1);
    }
  }
  return code;
}

const CACHE_GENERATIONS = 4;

// V8 trusts a code cache whose header matches: bytes flipped inside it (a bad disk, a stray write)
// crash node with a fatal error instead of being rejected. So every cache file ends with the
// CRC-32 of the bytes before it, checked before V8 sees them (zlib.crc32: ~0.1 ms for 350 kB,
// and node:zlib loads in ~2 ms, several times cheaper than node:crypto's sha256); a mismatch
// only costs a normal compile, and the cache is written again. (Function declarations only:
// these run before the module's top-level constants are initialised.)

/** The cache bytes when the CRC-32 in their last 4 bytes matches, else undefined. */
function verifiedCache(bytes) {
  const { crc32 } = require('node:zlib');
  if (typeof crc32 !== 'function' || bytes.length <= 4) return undefined;
  const data = bytes.subarray(0, bytes.length - 4);
  return crc32(data) === bytes.readUInt32BE(bytes.length - 4) ? data : undefined;
}

function withCrc(data) {
  const sum = Buffer.alloc(4);
  sum.writeUInt32BE(require('node:zlib').crc32(data));
  return Buffer.concat([data, sum]);
}

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
    fs.writeFileSync(tmp, withCrc(script.createCachedData()), { mode: 0o600 });
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
