// Builds bench/floor-program.cjs once per run into a temporary folder (see its header).
import { build } from 'esbuild';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
let built;

/** argv and env to run the floor of `command` ('status' or 'list'), with node `node`. */
export async function floorRun(node, command, env) {
  built ??= await buildFloor();
  const addon = createRequire(join(ROOT, 'package.json')).resolve('better-sqlite3/build/Release/better_sqlite3.node');
  return { argv: [node, built, command], env: { ...env, FLOOR_SQLITE_ADDON: addon } };
}

/** The bundle, and a first file that turns Node's compile cache on before requiring it, as bin/socialync.cjs does. */
async function buildFloor() {
  const dir = mkdtempSync(join(tmpdir(), 'socialync-floor-'));
  // `bindings` is what better-sqlite3 calls only without nativeBinding: left out, as it is never run.
  await build({ entryPoints: [join(ROOT, 'bench', 'floor-program.cjs')], outfile: join(dir, 'bundle.cjs'), bundle: true, platform: 'node', target: 'node20.18', format: 'cjs', minify: true, external: ['bindings'], logLevel: 'warning' });
  const shim = "require('node:module').enableCompileCache?.(require('node:path').join(require('node:os').tmpdir(), 'socialync-floor-cache')); require('./bundle.cjs');";
  writeFileSync(join(dir, 'floor.cjs'), `${shim}\n`);
  return join(dir, 'floor.cjs');
}
