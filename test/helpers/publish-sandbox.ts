/**
 * A sandbox profile ready for publishing tests: every platform's sandbox, a
 * profile (apps + endpoints) in a temp SOCIALYNC_HOME, quick publish retry
 * settings, and one connection per platform seeded through the sandbox OAuth
 * (Facebook: with its first Page selected, as `connect` does).
 */
import { PassThrough } from 'node:stream';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDeps, type Deps } from '../../src/deps.js';
import { createIO } from '../../src/core/io.js';
import type { SandboxOptions } from '../../src/sandbox/common.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { makeSandboxProfile } from '../../src/commands/sandbox.js';
import { seedPublishConnection } from '../../src/sandbox/seed-page.js';
import type { PlatformId } from '../../src/providers/types.js';
import type { Connection } from '../../src/store/types.js';

export { seedPublishConnection };

export interface PublishProfile {
  sandbox: Sandbox;
  home: string;
  /** Environment for a child `node bin/socialync.cjs` (SOCIALYNC_HOME only). */
  env: Record<string, string>;
  deps: Deps;
  out(): string;
  conns: Partial<Record<PlatformId, Connection>>;
  close(): Promise<void>;
}

export async function startPublishProfile(o: { platforms?: PlatformId[]; publish?: Record<string, number>; sandbox?: SandboxOptions } = {}): Promise<PublishProfile> {
  const sandbox = await startSandbox({ demo: true, ...(o.sandbox ?? {}) });
  let text = '';
  const stdout = new PassThrough();
  stdout.on('data', (d) => (text += d));
  const io = createIO({ stdin: new PassThrough(), stdout, stderr: new PassThrough(), env: {} });
  const base = createDeps({ io, env: { PATH: process.env.PATH ?? '' } });
  const profile = await makeSandboxProfile(base, sandbox);
  const cfgFile = join(profile.dir, 'config.json');
  const cfg = JSON.parse(readFileSync(cfgFile, 'utf8')) as Record<string, unknown>;
  cfg.publish = { backoffBaseMs: 50, backoffMaxMs: 200, claimTtlMs: 3000, pollIntervalMs: 100, ...(o.publish ?? {}) };
  writeFileSync(cfgFile, JSON.stringify(cfg, null, 2), { mode: 0o600 });
  const env = { SOCIALYNC_HOME: profile.dir };
  const deps = createDeps({ io, env });
  const conns: PublishProfile['conns'] = {};
  for (const p of o.platforms ?? sandbox.platforms) conns[p] = await seedPublishConnection(deps, p, 'alice');
  return {
    sandbox,
    home: profile.dir,
    env,
    deps,
    out: () => text,
    conns,
    async close() {
      await deps.close();
      await sandbox.close();
    },
  };
}

/** Posts recorded by the sandbox's publishing routes of one platform. */
export async function sandboxPosts(sandbox: Sandbox, p: PlatformId): Promise<{ id: string; text: string; title?: string; media: { bytes: number }[] }[]> {
  const res = await fetch(`${sandbox.origins[p]}/__publish/v1/posts`);
  return ((await res.json()) as { posts: never[] }).posts;
}
