/**
 * better-sqlite3's compiled addon, loaded once per process and handed to better-sqlite3 as
 * an object. The folders npm puts it in (this package's node_modules, or a parent's when
 * socialync is itself a dependency) are looked at first, and the file is loaded with
 * process.dlopen: every command that opens the database is spared node's resolver
 * (package.json reads, realpath calls) and the `bindings` lookup.
 */
import { existsSync } from 'node:fs';
import { CliError, ExitCode } from '../core/errors.js';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const ADDON = join('better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
let path: string | undefined;
let addon: object | undefined;

function sqliteAddonPath(): string {
  if (path) return path;
  let dir = import.meta.dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'node_modules', ADDON);
    if (existsSync(candidate)) return (path = candidate);
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return (path = createRequire(import.meta.url).resolve('better-sqlite3/build/Release/better_sqlite3.node'));
}

/**
 * The loaded addon. Typed as the path string @types/better-sqlite3 declares; better-sqlite3
 * itself takes either. When it does not load in this Node.js (typically NODE_MODULE_VERSION
 * after a Node upgrade), the error says so and how to reinstall: the data is not at fault.
 */
export function sqliteAddon(): string {
  if (!addon) {
    let file = '(not found)';
    try {
      file = sqliteAddonPath();
      const m = { exports: {} as object };
      process.dlopen(m, file);
      addon = m.exports;
    } catch (e) {
      throw addonLoadError(file, e);
    }
  }
  return addon as unknown as string;
}

/**
 * The addon is built for one Node.js ABI (NODE_MODULE_VERSION): run with another Node.js (say 24
 * after installing with 20), it does not load. Says so, and names the rebuild that fixes it; the
 * data is not at fault.
 */
export function addonLoadError(file: string, cause: unknown): CliError {
  const text = cause instanceof Error ? cause.message : String(cause);
  const abi = /NODE_MODULE_VERSION (\d+)[\s\S]*NODE_MODULE_VERSION (\d+)/.exec(text);
  const why = abi ? `it was built for NODE_MODULE_VERSION ${abi[1]}, this one needs ${abi[2]}` : text.split('\n')[0]!.replace(/^Error: /, '');
  const at = file.lastIndexOf(join('node_modules', ADDON));
  const pkg = at > 0 ? file.slice(0, at - 1) : '.';
  return new CliError(`the SQLite addon (better-sqlite3) does not load in Node.js ${process.version}: ${why}`, {
    exitCode: ExitCode.failed,
    hint: `rebuild it for this Node.js: cd "${pkg}" && npm rebuild better-sqlite3 (a global install: npm install -g socialync; or run socialync with the Node.js it was installed with). Your data and secrets are not affected`,
    cause,
  });
}
