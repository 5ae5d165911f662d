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

// commander requires child_process at load time, only to run `git-style` executable
// subcommands, which socialync has none of; loading it (and the socket and stream modules
// it pulls in) costs every command several milliseconds. Require it on first use instead.
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, (args) => {
      const from = "const childProcess = require('node:child_process');";
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes(from)) throw new Error(`commander changed: "${from}" not found in ${args.path}`);
      return { contents: source.replace(from, "const childProcess = { spawn: (...a) => require('node:child_process').spawn(...a) };"), loader: 'js' };
    });
  },
};

const common = {
  bundle: true,
  plugins: [lazyChildProcess],
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
  // Identifiers are minified (less to read and deserialize at start-up); the map, read only by
  // --debug's stack traces (src/core/stack.ts), gives the source's names back.
  minifyIdentifiers: true,
  sourcemap: 'external',
  sourcesContent: false,
  define: { 'import.meta.url': '__socialyncMeta.url', 'import.meta.dirname': '__dirname', 'import.meta.filename': '__filename' },
  banner: {
    js:
      // The module URL only when asked for (pathToFileURL costs every command otherwise).
      "var __socialyncMeta = { get url() { return require('node:url').pathToFileURL(__filename).href; } };\n" +
      // Code run from a V8 code cache has no dynamic-import callback (Node 20), so the external
      // libraries are imported by the shim, which is an ordinary module.
      'var __sImp = globalThis.__socialyncImport || ((s) => import(s));',
  },
});
// The only import() calls left in the bundle are the external libraries' (esbuild turns the
// bundle's own lazy imports into plain function calls). The replacement has the same length,
// so the source map's columns stay true.
const cli = readFileSync('dist/cli.cjs', 'utf8');
const rewritten = cli.replace(/\bimport\((["'])/g, '__sImp($1');
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
