// The floor of `status` and `schedule list` (BENCHMARKS.md "The floor"): commander parses the
// argv, better-sqlite3 opens the state database (its addon loaded as socialync loads it, with
// process.dlopen) and runs one query, one write prints the rows. No socialync code at all: what
// any CLI built on these two libraries pays before doing anything of its own. bench/floor.js
// bundles it as socialync's own bundles are built (esbuild, CommonJS, minified).
const { Command } = require('commander');
const Database = require('better-sqlite3');
const { join } = require('node:path');

const QUERIES = {
  status: 'SELECT platform, name, health, access_expires_at FROM connections ORDER BY platform, name',
  list: "SELECT id, scheduled_at, status, text FROM posts WHERE scheduled_at >= ? ORDER BY scheduled_at, id LIMIT 30",
};

function print(query, params) {
  const addon = { exports: {} };
  process.dlopen(addon, process.env.FLOOR_SQLITE_ADDON);
  const db = new Database(join(process.env.SOCIALYNC_HOME, 'state.db'), { nativeBinding: addon.exports, fileMustExist: true, readonly: true });
  const rows = db.prepare(query).raw().all(...params);
  process.stdout.write(rows.map((r) => r.join('\t')).join('\n') + '\n');
}

const program = new Command('floor').option('-q, --quiet').option('--json').version('0.0.0');
program.command('status').option('-v, --verbose').action(() => print(QUERIES.status, []));
program.command('list').option('--limit <n>').action(() => print(QUERIES.list, [Date.now()]));
program.parse();
