import { printJson } from '../core/json.js';
import type { Command } from 'commander';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandContext } from '../program.js';
import { createDeps, type Deps } from '../deps.js';
import { ensurePrivateDir } from '../core/paths.js';
import { ExitCode } from '../core/errors.js';
import { PLATFORMS, type PlatformId } from '../providers/types.js';
import { runAppSet } from './app.js';
import { loadProvider } from '../providers/registry.js';
import { runConnect } from './connect.js';
import { runStatus } from './status.js';
import { registerSandboxControl } from './sandbox-control.js';
import { DEMO_PAGE } from '../sandbox/facebook.js';

export interface SandboxProfile {
  dir: string;
  env: NodeJS.ProcessEnv;
}

export function registerSandbox(program: Command, { deps, setExitCode }: CommandContext): void {
  const sb = program
    .command('sandbox')
    .description('try socialync against the built-in simulator of every platform (no real accounts)')
    .addHelpText('after', `
Examples:
  $ socialync sandbox demo
  $ socialync sandbox serve --auto-approve
  $ socialync sandbox revoke tiktok          (against a running sandbox serve)`);
  sb.command('demo')
    .description('start the sandbox, connect every platform in a throwaway profile, then show status')
    .option('--dir <dir>', 'profile folder to use (default: a new temporary folder)')
    .option('--browser', 'open each consent page in your browser and click Approve yourself')
    .option('--json', 'print JSON (fields: docs/json.md)')
    .addHelpText('after', `
Examples:
  $ socialync sandbox demo
  $ socialync sandbox demo --browser --dir ./try-socialync`)
    .action(async (o: { dir?: string; browser?: boolean; json?: boolean; jq?: string }) => {
      const code = await runSandboxDemo(deps, { ...(o.dir ? { dir: o.dir } : {}), browser: Boolean(o.browser), json: Boolean(o.json) });
      setExitCode(code);
    });
  sb.command('serve')
    .description('run the sandbox in the foreground with a profile pointed at it (use it from another terminal)')
    .option('--dir <dir>', 'profile folder to use (default: a new temporary folder, removed when the sandbox stops)')
    .option('--auto-approve', 'approve consent pages automatically (as the sandbox account alice)')
    .option('--keep', 'keep the temporary profile when the sandbox stops')
    .addHelpText('after', `
Examples:
  $ socialync sandbox serve --auto-approve --dir ./sandbox-profile
  $ SOCIALYNC_HOME=./sandbox-profile socialync connect tiktok     (in another terminal)
  $ SOCIALYNC_HOME=./sandbox-profile socialync sandbox revoke tiktok`)
    .action(async (o: { dir?: string; autoApprove?: boolean; keep?: boolean }) => {
      const { startSandbox } = await import('../sandbox/server.js');
      const { terminationSignal } = await import('../publish/run.js');
      const term = terminationSignal();
      const sandbox = await startSandbox({ demo: Boolean(o.autoApprove) });
      try {
        const profile = await makeSandboxProfile(deps, sandbox, o.dir);
        deps.io.err(`Sandbox running (${sandbox.platforms.length} platforms). In another terminal:`);
        deps.io.out(profileShellLine(deps, profile.dir));
        deps.io.err(serveGuide(o.dir !== undefined || Boolean(o.keep)));
        await new Promise<void>((resolve) => term.signal.addEventListener('abort', () => resolve(), { once: true }));
        if (!o.dir && !o.keep) {
          rmSync(profile.dir, { recursive: true, force: true });
          deps.io.info(`Sandbox stopped; profile ${profile.dir} removed.`);
        } else deps.io.info(`Sandbox stopped; profile kept in ${profile.dir}.`);
      } finally {
        term.dispose();
        await sandbox.close();
      }
    });
  registerSandboxControl(sb, { deps, setExitCode });
}

/**
 * The line to paste in the other terminal. A vault key exported for the real profile would be
 * taken for the sandbox profile's (and fail to open it): it is unset for that shell.
 */
function profileShellLine(deps: Deps, dir: string): string {
  const clash = ['SOCIALYNC_VAULT_KEY', 'SOCIALYNC_VAULT_KEY_FILE', 'SOCIALYNC_SECRET_BACKEND'].filter((k) => deps.env[k]);
  return `export SOCIALYNC_HOME='${dir.replace(/'/g, `'\\''`)}'${clash.length ? `; unset ${clash.join(' ')}` : ''}`;
}

function serveGuide(kept: boolean): string {
  return `then: socialync connect tiktok, socialync status, ...

Make happen what happens to real connections (in that terminal), then run socialync refresh
and socialync status to see what socialync makes of it:
  socialync sandbox expire tiktok                   the access token expires (refresh renews it)
  socialync sandbox expire x --refresh-token        the refresh token expires: reconnect needed
  socialync sandbox revoke linkedin                 the user removed the app: reconnect needed
  socialync sandbox password-change facebook        the password changed (Meta error 460)

Press Ctrl-C to stop${kept ? '' : ' (the profile is removed; --keep keeps it)'}.`;
}

/** Platforms that take media only from a public URL (no upload endpoint) get their own demo post. */
const fetchedMediaPosts: Partial<Record<PlatformId, { text: string }>> = {
  threads: { text: 'Hello from the socialync sandbox demo' },
};

/** Pinterest pins go to a board: the sandbox account's first one (docs/platforms/pinterest.md#boards). */
async function demoBoards(deps: Deps, platforms: PlatformId[]): Promise<string[]> {
  if (!platforms.includes('pinterest')) return [];
  const conn = (await (await deps.store()).listConnections()).find((c) => c.platform === 'pinterest');
  const { firstBoardOf } = await import('../sandbox/pinterest-publish.js');
  return conn ? [`pinterest.board=${firstBoardOf(conn.accountId)}`] : [];
}

/** Schedules one post with a video to every platform for "now", then runs one publish tick. */
async function demoPublish(deps: Deps, dir: string, platforms: PlatformId[]): Promise<number> {
  const { io } = deps;
  const video = join(dir, 'demo-video.mp4');
  // A real MP4 head (scheduling probes the file) whose samples are random bytes: the sandbox
  // checks sizes, chunking and checksums, not the picture.
  const { mp4OfSize } = await import('../sandbox/sample-media.js');
  writeFileSync(video, mp4OfSize({ seconds: 10, width: 1080, height: 1920, fps: 30 }, 3 * 1024 * 1024, (n) => deps.random.bytes(n)));
  const { runScheduleAdd } = await import('./schedule-add.js');
  const urlOnly = platforms.filter((p) => p in fetchedMediaPosts);
  const added = await runScheduleAdd(deps, {
    to: platforms.filter((p) => !urlOnly.includes(p)).join(','),
    at: 'now',
    text: 'Hello from the socialync sandbox demo',
    title: 'socialync sandbox demo',
    media: [video],
    set: ['tiktok.privacy=SELF_ONLY', 'youtube.privacy=private', ...(await demoBoards(deps, platforms))],
  });
  io.info(`✓ socialync schedule add: post ${added.id} to ${added.targets.map((t) => t.platform).join(', ')} with a 3 MB video`);
  for (const [p, post] of Object.entries(fetchedMediaPosts).filter(([p]) => urlOnly.includes(p as PlatformId))) {
    const more = await runScheduleAdd(deps, { to: p, at: 'now', ...post });
    io.info(`✓ socialync schedule add: post ${more.id} to ${p} (${p} fetches media from public URLs and has no upload, so the demo posts text there)`);
  }
  const { runPublish } = await import('./publish.js');
  const report = await runPublish(deps, {});
  const ok = report.results.filter((r) => r.outcome === 'published');
  io.info(`✓ socialync publish: ${ok.length} of ${report.results.length} published (${ok.map((r) => r.platform).join(', ')})`);
  for (const r of report.results) if (r.outcome !== 'published') io.err(`✗ ${r.platform}: ${r.outcome}: ${r.message ?? ''}`);
  return report.results.length - ok.length;
}

type StartedSandbox = Awaited<ReturnType<typeof import('../sandbox/server.js').startSandbox>>;

/** A throwaway profile whose endpoints and apps point at the sandbox; secrets in an explicit file vault. */
export async function makeSandboxProfile(deps: Deps, sandbox: StartedSandbox, dir?: string): Promise<SandboxProfile> {
  const home = dir ?? mkdtempSync(join(tmpdir(), 'socialync-sandbox-'));
  ensurePrivateDir(home);
  const keyFile = join(home, 'vault.key');
  writeFileSync(keyFile, deps.random.bytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'w' });
  // Self-contained: SOCIALYNC_HOME alone selects this profile; its config names the file backend
  // explicitly and the key file sits at the default place (<home>/vault.key, 0600).
  const env: NodeJS.ProcessEnv = { ...deps.env, SOCIALYNC_HOME: home };
  for (const k of Object.keys(env)) if (/^SOCIALYNC_[A-Z]+_[A-Z]+_URL$/.test(k) || /_CLIENT_(ID|SECRET)$/.test(k)) delete env[k];
  for (const k of ['SOCIALYNC_VAULT_KEY', 'SOCIALYNC_VAULT_KEY_FILE', 'SOCIALYNC_SECRET_BACKEND']) delete env[k];
  const pdeps = createDeps({ io: deps.io, env, clock: deps.clock });
  await pdeps.config.set('secrets', { backend: 'file' });
  await pdeps.config.set('endpoints', sandbox.endpoints());
  await pdeps.config.set('sandbox', { demo: true });
  for (const p of sandbox.platforms) {
    // Mastodon registers its app on the (sandbox) server at connect: nothing to set up.
    if ((await loadProvider(p)).descriptor.perConnectionHost) continue;
    const app = sandbox.apps[p];
    // The sandbox accepts any loopback redirect, so its apps never need the fixed ports that real
    // platforms register (8741-8745, 8976): another program may hold them.
    await runAppSet(pdeps, { platform: p, clientId: app.clientId, clientSecret: app.clientSecret, port: 0, ...(app.clientType ? { clientType: app.clientType } : {}) });
  }
  await pdeps.close();
  return { dir: home, env };
}

export async function runSandboxDemo(deps: Deps, o: { dir?: string; browser: boolean; json: boolean; jq?: string }): Promise<number> {
  const { io } = deps;
  const { startSandbox } = await import('../sandbox/server.js');
  const { createSandboxBrowser } = await import('../sandbox/browser.js');
  const sandbox = await startSandbox({ demo: !o.browser });
  try {
    const profile = await makeSandboxProfile(deps, sandbox, o.dir);
    io.info(`Sandbox profile: ${profile.dir} (secrets in an encrypted file vault; key file ${join(profile.dir, 'vault.key')})`);
    const pdeps = createDeps({ io, env: profile.env, clock: deps.clock, browser: o.browser ? deps.browser : createSandboxBrowser() });
    let failed = 0;
    try {
      for (const p of PLATFORMS.filter((x): x is PlatformId => sandbox.platforms.includes(x))) {
        try {
          // Auto-approved as alice, who manages two Facebook Pages: the demo names one rather than ask.
          await runConnect(pdeps, { platform: p, browser: true, timeoutSec: o.browser ? 300 : 30, ...(p === 'facebook' && !o.browser ? { page: DEMO_PAGE } : {}) });
        } catch (e) {
          failed++;
          io.err(`✗ ${p}: ${(e as Error).message}`);
        }
      }
      if (!failed) {
        // What cron does every hour: refresh by each platform's own rules (forced here, so every
        // mechanism runs once: rotation, re-exchange, ig_refresh_token where the token is old enough).
        const { runRefresh } = await import('./refresh.js');
        const r = await runRefresh(pdeps, { force: true });
        const counts = Object.entries(r.counts).map(([k, v]) => `${v} ${k.replace(/_/g, ' ')}`).join(', ');
        io.info(`✓ socialync refresh --force: ${counts}`);
        failed += await demoPublish(pdeps, profile.dir, sandbox.platforms);
      }
      const entries = await runStatus(pdeps, {});
      if (o.json) await printJson(io, entries, o.jq);
      else {
        const { renderStatus } = await import('./status.js');
        await renderStatus(pdeps, entries);
      }
      io.info(`\nLook around: SOCIALYNC_HOME='${profile.dir}' socialync status   (the sandbox itself stops now; use "socialync sandbox serve" to keep one running)`);
    } finally {
      await pdeps.close();
    }
    return failed ? ExitCode.partial : ExitCode.ok;
  } finally {
    await sandbox.close();
  }
}
