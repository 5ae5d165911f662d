// Build with esbuild into dist/ (type checking is `npm run typecheck`, tsc --noEmit):
// - dist/cli.cjs: the whole CLI, and dist/commands/<name>.cjs: the same program with one
//   command only (src/entries/), for the commands with start-up targets. CommonJS, so no
//   command starts the ES module loader; bin/socialync.cjs requires one of them. Large
//   libraries used by only some commands stay external and load with import() on first use.
//   Identifiers are minified; the source maps are read only by --debug (src/core/stack.ts).
// - dist/testkit.js (+ chunks): internals for benchmarks and scripts, as ES modules.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

// Clean only for install/pack: a plain rebuild overwrites in place, so a test
// running the CLI meanwhile never finds dist/ missing.
if (['prepare', 'prepack'].includes(process.env.npm_lifecycle_event ?? '')) rmSync('dist', { recursive: true, force: true });

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20.18',
  // Native addon loaders must resolve files next to their own package; the large libraries
  // used only by some commands load from node_modules on first use (runtime dependencies).
  external: ['@napi-rs/keyring', 'jq-wasm', 'mediainfo.js', 'undici', 'nodemailer', 'selfsigned', 'ora', '@inquirer/prompts', 'cli-table3', 'open', 'conf', 'twitter-text', '@atproto/oauth-client-node', '@atproto/api', 'pg'],
  legalComments: 'none',
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
};

await build({
  ...common,
  entryPoints: { cli: 'src/main.ts', 'commands/status': 'src/entries/status.ts', 'commands/schedule-list': 'src/entries/schedule-list.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  format: 'cjs',
  minifyIdentifiers: true,
  sourcemap: 'external',
  sourcesContent: false,
  define: { 'import.meta.url': '__importMetaUrl', 'import.meta.dirname': '__dirname', 'import.meta.filename': '__filename' },
  banner: { js: "var __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
});

await build({
  ...common,
  entryPoints: { testkit: 'src/testkit.ts' },
  outdir: 'dist',
  splitting: true,
  format: 'esm',
  chunkNames: 'chunks/[name]-[hash]',
  banner: { js: "import { createRequire as __socialyncRequire } from 'node:module'; const require = __socialyncRequire(import.meta.url);" },
});
