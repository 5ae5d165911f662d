/**
 * Where better-sqlite3's compiled addon is. It is given to better-sqlite3 explicitly, so the
 * bundled build needs no `bindings` lookup; the folders npm puts it in (this package's
 * node_modules, or a parent's when socialync is itself a dependency) are looked at first,
 * which spares every command node's resolver (package.json reads and realpath calls).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const ADDON = join('better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
let found: string | undefined;

export function sqliteAddonPath(): string {
  if (found) return found;
  let dir = import.meta.dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'node_modules', ADDON);
    if (existsSync(candidate)) return (found = candidate);
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return (found = createRequire(import.meta.url).resolve(`better-sqlite3/build/Release/better_sqlite3.node`));
}
