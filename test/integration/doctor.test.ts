/**
 * `socialync doctor`: every check has a failing and a passing case, run
 * against real files, a real SQLite database and the sandbox over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { runAppSet } from '../../src/commands/app.js';
import { runDoctor } from '../../src/doctor/run.js';
import { BEGIN, END } from '../../src/commands/cron.js';
import type { CronSystem } from '../../src/cron/system.js';
import type { DoctorReport } from '../../src/doctor/types.js';
import type { PlatformId } from '../../src/providers/types.js';
import { makeTestDeps, type TestDeps } from '../helpers/deps.js';
import { seedConnection } from '../../src/sandbox/seed.js';
import { KEYCHAIN_SERVICE, vaultKeyAccount } from '../../src/secrets/keychain.js';
import { keychainCall } from '../../src/secrets/keychain-call.js';
import { itWhen, secretServiceAvailable } from '../helpers/secret-service.js';

const ambient = await secretServiceAvailable();
let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ platforms: ['tiktok', 'linkedin', 'x'] });
});
afterAll(async () => sandbox?.close());

function fakeCron(crontab: string | Error = ''): CronSystem {
  const unitDir = mkdtempSync(join(tmpdir(), 'socialync-units-'));
  return {
    nodePath: process.execPath,
    binPath: '/opt/socialync/bin/socialync.cjs',
    unitDir,
    readCrontab: async () => {
      if (crontab instanceof Error) throw crontab;
      return crontab;
    },
    writeCrontab: async () => undefined,
    writeFile: async () => undefined,
    removeFile: async () => undefined,
    exec: async () => '',
  };
}
const INSTALLED = `${BEGIN}\n17 * * * * node socialync refresh\n${END}\n`;

async function profile(platforms: PlatformId[] = ['tiktok'], env: Record<string, string> = {}): Promise<TestDeps> {
  const t = makeTestDeps({ env: { ...sandbox.hostEnv(), ...env } });
  for (const p of platforms) {
    const a = sandbox.apps[p];
    await runAppSet(t.deps, { platform: p, clientId: a.clientId, clientSecret: a.clientSecret, port: 0, ...(a.clientType ? { clientType: a.clientType } : {}) });
  }
  return t;
}

const doctor = (t: TestDeps, o: Parameters<typeof runDoctor>[1] = {}) => runDoctor(t.deps, { cron: fakeCron(INSTALLED), timeoutMs: 3000, ...o });
const check = (r: DoctorReport, id: string) => {
  const c = r.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id} in ${r.checks.map((x) => x.id).join(', ')}`);
  return c;
};

describe('socialync doctor', () => {
  it('Node.js: fails below 20.18 with the install fix, passes on this Node', async () => {
    const t = await profile();
    expect(check(await doctor(t, { nodeVersion: '18.19.1' }), 'node')).toMatchObject({ status: 'fail', hint: expect.stringMatching(/install Node\.js 22/) });
    expect(check(await doctor(t), 'node').status).toBe('ok');
  });

  it('secret backend: a file backend without a key fails naming `secrets use-file`; with a key it verifies write/read/delete', async () => {
    const bad = makeTestDeps({ env: { SOCIALYNC_VAULT_KEY: '' } });
    const r = await doctor(bad);
    expect(check(r, 'secrets.backend')).toMatchObject({ status: 'fail', hint: expect.stringMatching(/socialync secrets use-file/) });
    expect(r.exitCode).toBe(1);
    const good = await profile();
    expect(check(await doctor(good), 'secrets.backend')).toMatchObject({ status: 'ok', title: expect.stringMatching(/write, read and delete work/) });
  });

  it('secret backend: the keychain without any session bus fails and refuses the kernel keyring', async () => {
    const runtime = mkdtempSync(join(tmpdir(), 'socialync-runtime-'));
    const t = makeTestDeps({ env: { SOCIALYNC_SECRET_BACKEND: 'keychain', DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(runtime, 'nobus')}`, XDG_RUNTIME_DIR: runtime } });
    const c = check(await doctor(t, { timeoutMs: 2000 }), 'secrets.backend');
    expect(c.status).toBe('fail');
    expect((c.hint ?? c.fix)).toMatch(/Secret Service|secrets use-file/);
  });

  itWhen(ambient)('secret backend: the keychain with a running Secret Service passes, and says it is not the kernel keyring', async () => {
    const t = makeTestDeps({ env: { SOCIALYNC_SECRET_BACKEND: 'keychain', SOCIALYNC_VAULT_KEY: '', DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS! } });
    try {
      const r = await doctor(t);
      expect(check(r, 'secrets.backend')).toMatchObject({ status: 'ok', title: expect.stringMatching(/keychain .*write, read and delete work/) });
      expect(check(r, 'secrets.service')).toMatchObject({ status: 'ok', title: expect.stringMatching(/Secret Service running .*not the kernel keyring/) });
    } finally {
      await keychainCall({ service: KEYCHAIN_SERVICE, ops: [{ op: 'delete', account: vaultKeyAccount(t.home) }], env: process.env, timeoutMs: 5000 });
    }
  });

  it('permissions: a 0644 vault file fails with the chmod that fixes it; 0600 passes', async () => {
    const t = await profile();
    const vault = join(t.home, 'vault');
    const file = readdirSync(vault).map((f) => join(vault, f)).find((f) => !f.includes('.tmp'))!;
    expect(check(await doctor(t), 'permissions').status).toBe('ok');
    chmodSync(file, 0o644);
    const c = check(await doctor(t), 'permissions');
    expect(c.status).toBe('fail');
    expect(c.hint).toContain(`chmod 600 ${file}`);
    chmodSync(t.home, 0o755);
    expect(check(await doctor(t), 'permissions').hint).toContain(`chmod 700 ${t.home}`);
  });

  it('state database: a corrupted file fails with a fix that keeps a copy first (never move-aside); a newer schema fails with upgrade; a good one passes', async () => {
    const t = await profile();
    await (await t.deps.store()).listConnections();
    await t.deps.close();
    let r = await doctor(makeTestDeps({ home: t.home, env: t.env as Record<string, string> }));
    expect(check(r, 'state.integrity').status).toBe('ok');
    expect(check(r, 'state.schema').status).toBe('ok');

    const corrupt = makeTestDeps();
    writeFileSync(join(corrupt.home, 'state.db'), Buffer.alloc(8192, 'garbage!'));
    r = await doctor(corrupt);
    expect(check(r, 'state.integrity')).toMatchObject({ status: 'fail', title: expect.stringMatching(/corrupted: SQLite says/), hint: expect.stringMatching(/^keep a copy first: mkdir -p .*cp -p .*state\.db/) });
    expect(check(r, 'state.integrity').hint).not.toMatch(/\bmv\b|reconnect/);

    const newer = makeTestDeps();
    const { openSqliteStore } = await import('../../src/store/sqlite.js');
    const s = openSqliteStore(join(newer.home, 'state.db'));
    s.db.pragma('user_version = 99');
    await s.close();
    expect(check(await doctor(newer), 'state.schema')).toMatchObject({ status: 'fail', hint: expect.stringMatching(/npm install -g socialync/) });
  });

  it('config: invalid JSON, wrong types and secrets in the file fail; unknown keys warn; a valid file passes', async () => {
    const t = await profile();
    expect(check(await doctor(t), 'config').status).toBe('ok');
    const file = join(t.home, 'config.json');
    const write = (v: unknown) => writeFileSync(file, typeof v === 'string' ? v : JSON.stringify(v), { mode: 0o600 });
    const fresh = () => makeTestDeps({ home: t.home, env: t.env as Record<string, string> });
    write('{ "apps": ');
    expect(check(await doctor(fresh()), 'config')).toMatchObject({ status: 'fail', title: expect.stringMatching(/not valid JSON/) });
    write({ warnDays: 'soon' });
    expect(check(await doctor(fresh()), 'config')).toMatchObject({ status: 'fail', title: expect.stringMatching(/"warnDays" must be a number/) });
    write({ apps: { x: { clientId: 'a', clientSecret: 'shh' } } });
    expect(check(await doctor(fresh()), 'config').title).toMatch(/apps\.x\.clientSecret": secrets must not be kept/);
    write({ apps: { twitter: { clientId: 'a' } } });
    expect(check(await doctor(fresh()), 'config').title).toMatch(/apps\.twitter": unknown platform/);
    write({ warnDayz: 3 });
    expect(check(await doctor(fresh()), 'config')).toMatchObject({ status: 'warn', title: expect.stringMatching(/unknown key "warnDayz"/) });
  });

  it('app credentials: a missing client secret fails naming `app set`; a stored one passes', async () => {
    const t = await profile(['tiktok', 'linkedin']);
    expect(check(await doctor(t), 'apps.tiktok').status).toBe('ok');
    await (await t.deps.secrets()).delete('app.linkedin.client_secret');
    const c = check(await doctor(t), 'apps.linkedin');
    expect(c).toMatchObject({ status: 'fail', title: expect.stringMatching(/client secret is missing/) });
    expect((c.hint ?? c.fix)).toMatch(/socialync app set linkedin/);
  });

  it('redirect ports: a busy fixed port fails with the exact fix; a free one passes', async () => {
    const t = await profile(['linkedin']);
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    await t.deps.config.set('apps.linkedin.redirectPort', port);
    try {
      const c = check(await doctor(t), 'ports.linkedin');
      expect(c).toMatchObject({ status: 'fail', title: expect.stringMatching(new RegExp(`port ${port} on 127.0.0.1 is in use`)) });
      expect((c.hint ?? c.fix)).toMatch(/socialync app set linkedin --port <free port>/);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
    expect(check(await doctor(t), 'ports.linkedin').status).toBe('ok');
  });

  it('clock: a 10-minute skew in the platform Date header fails with the time-sync fix; no skew passes', async () => {
    const t = await profile();
    expect(check(await doctor(t), 'clock.tiktok').status).toBe('ok');
    sandbox.control.clock({ dateSkewMs: 10 * 60_000 });
    try {
      const c = check(await doctor(t), 'clock.tiktok');
      expect(c).toMatchObject({ status: 'fail', title: expect.stringMatching(/clock is 10 min behind/) });
      expect((c.hint ?? c.fix)).toMatch(/timedatectl set-ntp true/);
      sandbox.control.clock({ dateSkewMs: -90_000 });
      expect(check(await doctor(t), 'clock.tiktok')).toMatchObject({ status: 'warn', title: expect.stringMatching(/ahead of/) });
    } finally {
      sandbox.control.clock({ dateSkewMs: 0 });
    }
  });

  it('reachability: a refused endpoint fails; the sandbox passes; --offline skips the network', async () => {
    const t = await profile();
    expect(check(await doctor(t), 'network.tiktok').status).toBe('ok');
    const dead: Server = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', () => r()));
    const port = (dead.address() as { port: number }).port;
    await new Promise((r) => dead.close(r));
    const broken = makeTestDeps({ home: t.home, env: { ...(t.env as Record<string, string>), SOCIALYNC_TIKTOK_API_URL: `http://127.0.0.1:${port}` } });
    const c = check(await doctor(broken), 'network.tiktok');
    expect(c).toMatchObject({ status: 'fail', title: expect.stringMatching(/unreachable: connection refused/) });
    // TLS: a server whose certificate nobody trusts; timeout: a server that never answers.
    const { selfSignedCert } = await import('../../src/auth/cert.js');
    const https = await import('node:https');
    const tls = https.createServer(await selfSignedCert({ now: () => Date.now() }), (_q, r) => r.end());
    const http = await import('node:http');
    const silent = http.createServer(() => undefined);
    await Promise.all([tls, silent].map((srv) => new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()))));
    try {
      const at = (srv: { address(): unknown }) => (srv.address() as { port: number }).port;
      const tlsDeps = makeTestDeps({ home: t.home, env: { ...(t.env as Record<string, string>), SOCIALYNC_TIKTOK_API_URL: `https://127.0.0.1:${at(tls)}` } });
      expect(check(await doctor(tlsDeps), 'network.tiktok')).toMatchObject({ status: 'fail', title: expect.stringMatching(/TLS failed/), hint: expect.stringMatching(/NODE_EXTRA_CA_CERTS/) });
      const slowDeps = makeTestDeps({ home: t.home, env: { ...(t.env as Record<string, string>), SOCIALYNC_TIKTOK_API_URL: `http://127.0.0.1:${at(silent)}` } });
      expect(check(await doctor(slowDeps, { timeoutMs: 300 }), 'network.tiktok')).toMatchObject({ status: 'fail', title: expect.stringMatching(/no answer in time/) });
    } finally {
      tls.closeAllConnections();
      silent.closeAllConnections();
      await Promise.all([tls, silent].map((srv) => new Promise((r) => srv.close(r))));
    }
    const off = await doctor(broken, { offline: true });
    expect(check(off, 'network').status).toBe('skip');
    expect(off.checks.some((x) => x.id === 'network.tiktok')).toBe(false);
  });

  it('connections: a live who-am-I passes; a revoked connection fails with `connect <platform> --name <n>`', async () => {
    const t = await profile();
    await seedConnection(t.deps, 'tiktok', 'dora');
    for (const n of ['u1', 'u2', 'u3', 'u4', 'u5', 'u6']) await seedConnection(t.deps, 'tiktok', n);
    const first = await doctor(t);
    expect(check(first, 'connection.tiktok/dora')).toMatchObject({ status: 'ok', title: expect.stringMatching(/live check ok \(Dora\)/) });
    expect(first.checks.filter((c) => c.group === 'connections').map((c) => [c.id, c.status])).toEqual(
      ['dora', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6'].map((n) => [`connection.tiktok/${n}`, 'ok']),
    );
    sandbox.control.platform('tiktok').revoke('dora');
    const r = await doctor(t);
    expect(check(r, 'connection.tiktok/dora')).toMatchObject({ status: 'fail', fix: 'socialync connect tiktok --name dora', hint: null });
    expect(r.exitCode).toBe(1);
    // Offline: the live check is skipped and the stored health (still healthy) is reported.
    expect(check(await doctor(t, { offline: true }), 'connection.tiktok/dora').title).toMatch(/live check skipped/);
  });

  it('scheduler: with connections and nothing running refresh it fails naming `cron install`; an installed entry with recent refresh passes', async () => {
    const t = await profile();
    await seedConnection(t.deps, 'tiktok', 'erin');
    const none = await doctor(t, { cron: fakeCron(Object.assign(new Error('spawn crontab ENOENT'), { code: 'ENOENT' })) });
    expect(check(none, 'scheduler')).toMatchObject({ status: 'fail', fix: 'socialync cron install' });
    const stale = check(await doctor(t), 'scheduler');
    expect(stale).toMatchObject({ status: 'warn', title: expect.stringMatching(/no refresh recorded/) });
    expect(await t.run(['refresh', '--force'])).toBe(0);
    expect(check(await doctor(t), 'scheduler')).toMatchObject({ status: 'ok', title: expect.stringMatching(/^crontab entry runs `socialync refresh`; last refresh: \d+ minutes? ago$/) });
    // The test profile keeps its vault key in SOCIALYNC_VAULT_KEY, which a cron job would not get.
    expect(check(await doctor(t), 'scheduler.vaultkey')).toMatchObject({ status: 'fail', hint: expect.stringMatching(/socialync secrets use-file/) });
    const withFile = makeTestDeps({ env: { SOCIALYNC_VAULT_KEY: '' } });
    writeFileSync(join(withFile.home, 'vault.key'), 'ab'.repeat(32) + '\n', { mode: 0o600 });
    const ok = await doctor(withFile);
    expect(check(ok, 'secrets.backend').status).toBe('ok');
    expect(ok.checks.some((c) => c.id === 'scheduler.vaultkey')).toBe(false);
    const units = fakeCron('');
    mkdirSync(units.unitDir, { recursive: true });
    writeFileSync(join(units.unitDir, 'socialync-refresh.timer'), '[Timer]\n');
    expect(check(await doctor(t, { cron: units }), 'scheduler').title).toMatch(/^systemd user timer runs/);
  });

  it('the CLI prints ok/warn/fail lines with fixes, exits 1 on a failure and prints DoctorReport JSON', async () => {
    const t = await profile(['tiktok'], { SOCIALYNC_TIKTOK_CLIENT_SECRET: '' });
    await (await t.deps.secrets()).delete('app.tiktok.client_secret');
    expect(await t.run(['doctor', '--offline'])).toBe(1);
    expect(t.stdout()).toMatch(/^ {2}fail {2}tiktok: client id .*client secret is missing$/m);
    expect(t.stdout()).toMatch(/^ {8}fix: run: socialync app set tiktok --client-secret-stdin/m);
    expect(t.stdout()).toMatch(/^ {2}ok {4}Node\.js /m);
    expect(t.stdout()).toMatch(/\d+ failed, \d+ warnings?, \d+ ok/);
    const before = t.stdout().length;
    expect(await t.run(['doctor', '--offline', '--json'])).toBe(1);
    const r = JSON.parse(t.stdout().slice(before)) as DoctorReport;
    expect(r).toMatchObject({ exitCode: 1, ok: false, offline: true });
    expect(r.counts.fail).toBeGreaterThan(0);
    for (const c of r.checks) {
      expect(['ok', 'warn', 'fail', 'skip']).toContain(c.status);
      if (c.status === 'fail') expect(c.fix ?? c.hint, c.id).toBeTruthy();
    }
  });
});
