/**
 * The SQLite addon is built for one Node.js ABI. Run with a Node.js of another ABI, the built
 * CLI must refuse with a message naming the fix (npm rebuild better-sqlite3), not call the
 * database corrupted or crash. SOCIALYNC_FOREIGN_NODE names such a Node.js: .ci/run sets it to
 * Node 24 for the Node 20 run, scripts/test-node.sh to the host's Node for the 22 and 24 runs.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, cliEnv } from '../helpers/cli.js';
import { missingPart } from '../helpers/system-part.js';

const foreign = process.env.SOCIALYNC_FOREIGN_NODE;
const abi = (node: string) => spawnSync(node, ['-p', 'process.versions.modules'], { encoding: 'utf8' }).stdout.trim();
// Under CI, .ci/run and scripts/test-node.sh set it.
if (!foreign) missingPart('the foreign-ABI test needs SOCIALYNC_FOREIGN_NODE, a Node.js of another major version (e.g. bash scripts/node-runtime.sh 24)');

describe.skipIf(!foreign)('the built CLI on a Node.js its SQLite addon was not built for', () => {
  it('refuses with exit 1 and names npm rebuild better-sqlite3 (status, schedule list, schedule add)', () => {
    expect(abi(foreign!), 'SOCIALYNC_FOREIGN_NODE must have another ABI than this Node.js').not.toBe(process.versions.modules);
    const home = mkdtempSync(join(tmpdir(), 'socialync-abi-'));
    try {
      for (const argv of [['status'], ['schedule', 'list'], ['schedule', 'list', '--all', '--json'], ['schedule', 'add', '--to', 'x', '--at', '+1h', '--text', 'hi']]) {
        const r = spawnSync(foreign!, [BIN, ...argv], { env: cliEnv({ SOCIALYNC_HOME: home }), encoding: 'utf8' });
        expect(r.status, `${argv.join(' ')}: ${r.stderr}`).toBe(1);
        expect(r.stderr).toMatch(new RegExp(`^error: the SQLite addon \\(better-sqlite3\\) does not load in Node.js ${versionRe(foreign!)}: it was built for NODE_MODULE_VERSION ${process.versions.modules}, this one needs ${abi(foreign!)}\\n`));
        expect(r.stderr).toMatch(/ {2}rebuild it for this Node\.js: cd ".+" && npm rebuild better-sqlite3/);
        expect(r.stderr).not.toMatch(/corrupt|mv |Error:|\n\s+at /);
      }
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

function versionRe(node: string): string {
  return spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim().replace(/\./g, '\\.');
}
