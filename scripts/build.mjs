// Build with esbuild into dist/ (type checking is `npm run typecheck`, tsc --noEmit):
// - dist/cli.cjs: the CLI as one CommonJS file, and dist/fast.cjs, the small one for the
//   hot read-only commands. bin/socialync.cjs runs them through vm.Script with a V8 code
//   cache, so a command starts without the ES module loader and without recompiling
//   (start-up is a benchmark target). Large libraries used by only some commands stay
//   external and load with import() on first use.
// - dist/testkit.js (+ chunks): internals for benchmarks and scripts, as ES modules.
import { build } from 'esbuild';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';

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
  external: ['@napi-rs/keyring', 'jq-wasm', 'mediainfo.js', 'undici', 'nodemailer', 'selfsigned', 'ora', '@inquirer/prompts', 'cli-table3', 'open', 'conf', 'twitter-text', 'pg'],
  legalComments: 'none',
  // Smaller source parses faster (the run-time bundles also minify identifiers, below).
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
};

// The run-time bundles: dist/cli.cjs is the whole CLI; dist/fast.cjs runs only `status` and
// `schedule list` in their plain spellings, without commander (src/fast.ts), and is a third of
// the size. The shim tries fast.cjs first for those two and falls back to cli.cjs.
for (const [entry, outfile] of [['src/main.ts', 'dist/cli.cjs'], ['src/fast.ts', 'dist/fast.cjs']]) {
  await build({
    ...common,
    entryPoints: [entry],
    outfile,
    format: 'cjs',
    // Identifiers are minified (less to read and deserialize at start-up); the map, read only by
    // --debug's stack traces (src/core/stack.ts), gives their frames src/ files and lines.
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
  const code = readFileSync(outfile, 'utf8').replace(/\bimport\((["'])/g, '__sImp($1');
  // The shim keys its V8 code cache by this (V8 itself only checks the source's length, so a
  // same-size build with the same mtime could otherwise run the previous build's bytecode).
  writeFileSync(outfile, `${code}//socialync-build:${createHash('sha256').update(code).digest('hex').slice(0, 16)}\n`);
}

await build({
  ...common,
  entryPoints: { testkit: 'src/testkit.ts' },
  outdir: 'dist',
  splitting: true,
  format: 'esm',
  chunkNames: 'chunks/[name]-[hash]',
  banner: { js: "import { createRequire as __socialyncRequire } from 'node:module'; const require = __socialyncRequire(import.meta.url);" },
});
