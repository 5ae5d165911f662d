/**
 * Shared set-up of the refresh fault tests: the sandbox's X, TikTok and YouTube, a sandbox
 * profile (file vault) with rotating connections, a bystander connection and a scheduled
 * post, and a snapshot of everything a fault must leave intact.
 */
import { PassThrough } from 'node:stream';
import { readdirSync, rmSync } from 'node:fs';
import { createDeps, type Deps } from '../../../src/deps.js';
import { createIO } from '../../../src/core/io.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/server.js';
import { makeSandboxProfile } from '../../../src/commands/sandbox.js';
import { seedConnection } from '../../../src/sandbox/seed.js';
import { loadTokens } from '../../../src/auth/tokens.js';
import { postStoreFor } from '../../../src/store/posts.js';
import type { PlatformId } from '../../../src/providers/types.js';
import { cliEnv } from '../../helpers/cli.js';

export interface FaultProfile {
  sandbox: Sandbox;
  home: string;
  env: NodeJS.ProcessEnv;
  deps(): Deps;
  close(): Promise<void>;
}

export async function startFaultProfile(seed: { platform: PlatformId; account: string; name?: string }[]): Promise<FaultProfile> {
  const sandbox = await startSandbox({ platforms: ['x', 'tiktok', 'youtube'] });
  const io = () => createIO({ stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), env: {} });
  const profile = await makeSandboxProfile(createDeps({ io: io(), env: { PATH: process.env.PATH } }), sandbox);
  const home = profile.dir;
  const deps = () => createDeps({ io: io(), env: { SOCIALYNC_HOME: home } });
  const d = deps();
  // Every X and TikTok connection is due at once (their tokens live 2 h).
  await d.config.set('refreshThresholdMinutes', { x: 180, tiktok: 180 });
  for (const s of seed) await seedConnection(d, s.platform, s.account, s.name ?? s.account);
  const yt = await seedConnection(d, 'youtube', 'bystander');
  await postStoreFor(await d.store()).createPost(
    { text: 'kept through every fault', options: {}, overrides: {}, scheduledAt: Date.now() + 86_400_000, tz: 'UTC', localTime: 'tomorrow', media: [], targets: [{ platform: 'youtube', connectionId: yt.id }] },
    Date.now(),
  );
  await d.close();
  // No per-user runtime folder: copies set aside go to <home>/recovery only (deterministic).
  const env = cliEnv({ SOCIALYNC_HOME: home });
  delete env.XDG_RUNTIME_DIR;
  return {
    sandbox,
    home,
    env,
    deps,
    async close() {
      await sandbox.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

export interface ConnState {
  platform: PlatformId;
  name: string;
  health: string;
  reason: string | null;
  /** valid: both tokens work at the sandbox; otherwise why not. */
  tokens: string;
}

/** Every connection with its health and whether the sandbox accepts its stored tokens; the posts' texts and states. */
export async function snapshot(p: FaultProfile): Promise<{ conns: ConnState[]; posts: string[] }> {
  const deps = p.deps();
  try {
    const conns: ConnState[] = [];
    for (const c of await (await deps.store()).listConnections()) {
      const t = await loadTokens(deps, c).catch(() => undefined);
      const a = t ? p.sandbox.control.validate(t.accessToken) : { valid: false, reason: 'missing' };
      const r = t?.refreshToken ? p.sandbox.control.validate(t.refreshToken) : { valid: true };
      conns.push({ platform: c.platform, name: c.name, health: c.health, reason: c.reason, tokens: a.valid && r.valid ? 'valid' : `access=${a.reason ?? 'ok'} refresh=${r.reason ?? 'ok'}` });
    }
    const posts = postStoreFor(await deps.store());
    const list = await posts.listSummaries();
    return { conns, posts: list.map((s) => `${s.text}: ${s.targets.map((t) => `${t.platform}:${t.state}`).join(',')}`) };
  } finally {
    await deps.close();
  }
}

export function filesIn(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Reuse and refusal counters of the sandbox's rotating platforms. */
export function reuseStats(p: FaultProfile): { refreshes: number; reused: number } {
  const s = ['x', 'tiktok'].map((id) => p.sandbox.control.platform(id as PlatformId).stats());
  return { refreshes: s.reduce((n, x) => n + x.refreshes, 0), reused: s.reduce((n, x) => n + x.reusedRefreshTokens, 0) };
}
