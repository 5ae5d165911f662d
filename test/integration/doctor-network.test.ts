/**
 * `doctor` checks each host once (issue 13 item 13): Facebook and Instagram with Facebook Login
 * share graph.facebook.com and www.facebook.com; the shared sandbox server gets one probe, not
 * one per platform, and its clock is reported once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { runAppSet } from '../../src/commands/app.js';
import { runDoctor } from '../../src/doctor/run.js';
import { makeTestDeps } from '../helpers/deps.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ platforms: ['facebook', 'instagram'] });
});
afterAll(async () => sandbox?.close());

describe('doctor network', () => {
  it('probes a host shared by two platforms once and reports its clock once', async () => {
    const t = makeTestDeps({ env: sandbox.hostEnv() });
    for (const p of ['facebook', 'instagram'] as const) {
      const a = sandbox.apps[p];
      await runAppSet(t.deps, { platform: p, clientId: a.clientId, clientSecret: a.clientSecret, port: 0, ...(p === 'instagram' ? { login: 'facebook' as const } : {}) });
    }
    const before = sandbox.control.platform('facebook').stats().requests;
    const r = await runDoctor(t.deps, { timeoutMs: 3000, cron: { nodePath: '', binPath: '', unitDir: '/nonexistent', readCrontab: async () => '', writeCrontab: async () => undefined, writeFile: async () => undefined, removeFile: async () => undefined, exec: async () => '' } });
    const net = r.checks.filter((c) => c.group === 'network');
    expect(net.map((c) => [c.id, c.status]).sort()).toEqual([['network.facebook', 'ok'], ['network.instagram', 'ok']]);
    const origin = sandbox.origins.facebook;
    const probedHere = net.flatMap((c) => c.detail).filter((d) => d.startsWith(origin));
    expect(new Set(net.filter((c) => c.detail.some((d) => d.startsWith(origin))).map((c) => c.id)).size).toBe(2); // listed under both platforms ...
    expect(probedHere.length).toBeGreaterThan(2); // (several hosts of each on that server)
    expect(sandbox.control.platform('facebook').stats().requests - before).toBe(1); // ... but asked once
    const clocks = r.checks.filter((c) => c.group === 'clock').map((c) => c.title);
    expect(clocks.filter((x) => x.includes(new URL(origin).host))).toHaveLength(1);
  });
});
