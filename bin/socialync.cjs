#!/usr/bin/env node
// Shim: the only place that touches process.exitCode. CommonJS, so nothing starts the ES
// module loader. `--version` answers from package.json without loading the CLI. `status` and
// `schedule list` run from dist/commands/, a bundle with commander and that command only;
// everything else from dist/cli.cjs, the whole CLI (BENCHMARKS.md shows what each buys).
// Node >= 22.8 keeps the compiled bundles in its own compile cache, which checks every entry
// and ignores a damaged one (NODE_DISABLE_COMPILE_CACHE=1 turns it off); Node 20 has none.
'use strict';
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${require('../package.json').version}\n`);
} else {
  start().then(
    (code) => (process.exitCode = code),
    (e) => {
      process.stderr.write(`socialync: cannot start (${e && e.message}); reinstall it: npm install -g socialync\n`);
      process.exitCode = 1;
    },
  );
}

async function start() {
  const { enableCompileCache } = require('node:module');
  // A folder of this user's (not the shared default in /tmp, where another account could
  // plant entries), unless NODE_COMPILE_CACHE names one.
  if (enableCompileCache) enableCompileCache(process.env.NODE_COMPILE_CACHE ? undefined : cacheDir());
  return require(bundle()).main(args);
}

/** The command's own bundle when it has one (the command words as src/commands/index.ts reads them), else the whole CLI. */
function bundle() {
  const words = args.filter((a) => !a.startsWith('-'));
  const own = { status: 'status', 'schedule list': 'schedule-list' }[words[0] === 'schedule' ? words.slice(0, 2).join(' ') : words[0]];
  return own ? `../dist/commands/${own}.cjs` : '../dist/cli.cjs';
}

function cacheDir() {
  const path = require('node:path');
  const home = process.env.HOME || require('node:os').homedir();
  return path.join(process.env.XDG_CACHE_HOME || path.join(home, '.cache'), 'socialync', 'compile-cache');
}
