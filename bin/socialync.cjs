#!/usr/bin/env node
// Shim: the only place that touches process.exitCode. CommonJS, so that
// `--version` answers from package.json without starting the ES module loader
// (scripts that probe it stay fast); everything else loads the bundled program.
'use strict';
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(require('../package.json').version + '\n');
} else {
  import('../dist/main.js').then(
    async ({ main }) => {
      process.exitCode = await main(args);
    },
    (e) => {
      process.stderr.write(`socialync: cannot load its program (${e && e.message}); reinstall it: npm install -g socialync\n`);
      process.exitCode = 1;
    },
  );
}
