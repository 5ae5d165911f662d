// Build: one esbuild bundle (ESM, code-split) into dist/. Bundling keeps
// start-up fast (one file read instead of hundreds); heavy modules stay in
// lazily loaded chunks. Type checking is `npm run typecheck` (tsc --noEmit).
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

// Clean only for install/pack: a plain rebuild overwrites in place, so a test
// running the CLI meanwhile never finds dist/ missing.
if (['prepare', 'prepack'].includes(process.env.npm_lifecycle_event ?? '')) rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: { main: 'src/main.ts', version: 'src/version.ts', testkit: 'src/testkit.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.18',
  // Native addon loaders that must resolve files next to their own package.
  external: ['@napi-rs/keyring'],
  chunkNames: 'chunks/[name]-[hash]',
  banner: { js: "import { createRequire as __socialyncRequire } from 'node:module'; const require = __socialyncRequire(import.meta.url);" },
  legalComments: 'none',
  // Smaller source parses faster at start-up; names are kept so stack traces stay readable.
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
});
