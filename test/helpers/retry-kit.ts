/**
 * Retry scenarios kit: the full sandbox with its consent page (not demo, so a reconnect can log
 * in as any account), a profile with quick publish retry settings, seeded connections, a local
 * webhook receiver registered as the notification channel, and `cli()` running socialync
 * in-process (a fresh Deps per run, like a fresh process) with a FakeBrowser for `connect`.
 */
import { createServer, type Server } from 'node:http';
import { PassThrough, Writable } from 'node:stream';
import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createDeps, type Deps } from '../../src/deps.js';
import { createIO } from '../../src/core/io.js';
import { main } from '../../src/main.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { makeSandboxProfile } from '../../src/commands/sandbox.js';
import { runNotifySetWebhook } from '../../src/commands/notify.js';
import type { PlatformId } from '../../src/providers/types.js';
import type { Connection } from '../../src/store/types.js';
import { FakeBrowser } from './fake-browser.js';
import { seedPublishConnection } from './publish-sandbox.js';

export interface Hook {
  text: string;
  kind: string;
  platform?: string;
  account?: string;
  post?: HookPost;
  posts?: HookPost[];
  recovered?: { what: 'connection' } | { what: 'post'; postId: number; published: { platform: string; account: string; url: string | null }[] };
}

interface HookPost {
  id: number;
  text: string;
  failed: { platform: string; account: string; reason: string | null }[];
  published: { platform: string; account: string }[];
  fix: string[];
}

export interface RetryKit {
  sandbox: Sandbox;
  home: string;
  deps: Deps;
  hooks: Hook[];
  conns: Record<string, Connection>;
  cli(argv: string[], o?: { account?: string }): Promise<{ code: number; stdout: string; stderr: string }>;
  posts(p: PlatformId): Promise<{ id: string; text: string; account: string }[]>;
  close(): Promise<void>;
}

const sink = (buf: { text: string }) => new Writable({ write: (c, _e, cb) => ((buf.text += c), cb()) });

export async function startRetryKit(accounts: Partial<Record<PlatformId, string[]>>, publish: Record<string, number> = {}): Promise<RetryKit> {
  const hooks: Hook[] = [];
  const web: Server = createServer((req, res) => {
    let b = '';
    req.on('data', (d) => (b += d));
    req.on('end', () => (hooks.push(JSON.parse(b) as Hook), res.end('ok')));
  });
  await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
  const sandbox = await startSandbox({});
  const quiet = () => createIO({ stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), env: {} });
  const profile = await makeSandboxProfile(createDeps({ io: quiet(), env: { PATH: process.env.PATH ?? '' } }), sandbox);
  const cfgFile = join(profile.dir, 'config.json');
  const cfg = JSON.parse(readFileSync(cfgFile, 'utf8')) as Record<string, unknown>;
  cfg.publish = { backoffBaseMs: 50, backoffMaxMs: 200, claimTtlMs: 3000, pollIntervalMs: 100, ...publish };
  writeFileSync(cfgFile, JSON.stringify(cfg, null, 2), { mode: 0o600 });
  const env = { SOCIALYNC_HOME: profile.dir };
  const deps = createDeps({ io: quiet(), env });
  const conns: Record<string, Connection> = {};
  for (const [p, names] of Object.entries(accounts) as [PlatformId, string[]][]) {
    for (const n of names) conns[`${p}/${n}`] = await seedPublishConnection(deps, p, n);
  }
  await runNotifySetWebhook(deps, `http://127.0.0.1:${(web.address() as { port: number }).port}/hook`);
  return {
    sandbox,
    home: profile.dir,
    deps,
    hooks,
    conns,
    async cli(argv, o = {}) {
      const out = { text: '' };
      const err = { text: '' };
      const io = createIO({ stdin: new PassThrough(), stdout: sink(out), stderr: sink(err), env: { NO_COLOR: '1' } });
      const browser = new FakeBrowser({ account: o.account ?? 'alice' });
      const code = await main(argv, createDeps({ io, env, browser }));
      await browser.done;
      return { code, stdout: out.text, stderr: err.text };
    },
    async posts(p) {
      return ((await (await fetch(`${sandbox.origins[p]}/__publish/v1/posts`)).json()) as { posts: never[] }).posts;
    },
    async close() {
      await deps.close();
      await sandbox.close();
      await new Promise<void>((r) => web.close(() => r()));
      rmSync(profile.dir, { recursive: true, force: true });
    },
  };
}
