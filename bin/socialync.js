#!/usr/bin/env node
// Shim: the only place that touches process.exitCode. `--version` answers
// without loading the program, so scripts that probe it stay fast.
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  const { VERSION } = await import('../dist/version.js');
  process.stdout.write(VERSION + '\n');
} else {
  const { main } = await import('../dist/main.js');
  process.exitCode = await main(args);
}
