// Build with esbuild into dist/ (type checking is `npm run typecheck`, tsc --noEmit):
// - dist/cli.cjs: the CLI as one CommonJS file. bin/socialync.cjs runs it through
//   vm.Script with a V8 code cache, so a command starts without the ES module loader
//   and without recompiling (start-up is a benchmark target). Large libraries used by
//   only some commands stay external and load with import() on first use.
// - dist/testkit.js (+ chunks): internals for benchmarks and scripts, as ES modules.
import { build } from 'esbuild';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

// Clean only for install/pack: a plain rebuild overwrites in place, so a test
// running the CLI meanwhile never finds dist/ missing.
if (['prepare', 'prepack'].includes(process.env.npm_lifecycle_event ?? '')) rmSync('dist', { recursive: true, force: true });

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20.18',
  // Native addon loaders must resolve files next to their own package; the large libraries
  // used only by some commands load from node_modules on first use (runtime dependencies).
  external: ['@napi-rs/keyring', 'undici', 'nodemailer', 'selfsigned', 'ora', '@inquirer/prompts', 'cli-table3', 'open', 'conf'],
  legalComments: 'none',
  // Smaller source parses faster; names are kept so stack traces stay readable.
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
};

await build({
  ...common,
  entryPoints: ['src/main.ts'],
  outfile: 'dist/cli.cjs',
  format: 'cjs',
  define: { 'import.meta.url': '__socialyncModuleUrl' },
  banner: {
    js:
      "var __socialyncModuleUrl = require('node:url').pathToFileURL(__filename).href;\n" +
      // Code run from a V8 code cache has no dynamic-import callback (Node 20), so the external
      // libraries are imported by the shim, which is an ordinary module.
      'var __socialyncImport = globalThis.__socialyncImport || ((s) => import(s));',
  },
});
// The only import() calls left in the bundle are the external libraries' (esbuild turns the
// bundle's own lazy imports into plain function calls).
const cli = readFileSync('dist/cli.cjs', 'utf8');
const rewritten = cli.replace(/\bimport\((["'])/g, '__socialyncImport($1');
writeFileSync('dist/cli.cjs', rewritten);

await build({
  ...common,
  entryPoints: { testkit: 'src/testkit.ts' },
  outdir: 'dist',
  splitting: true,
  format: 'esm',
  chunkNames: 'chunks/[name]-[hash]',
  banner: { js: "import { createRequire as __socialyncRequire } from 'node:module'; const require = __socialyncRequire(import.meta.url);" },
});
