/**
 * Issue 11 item 4 through the built CLI: a lock or publish claim whose owner was killed is
 * taken over at once; one held by a live process (here: another machine) is shown with who
 * holds it and until when, in `status`, `schedule show` and the refresh's waiting message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { runCli, startCli } from '../../helpers/cli.js';
import { postStoreFor } from '../../../src/store/posts.js';
import { snapshot, startFaultProfile, type FaultProfile } from './refresh-fault-kit.js';

let p: FaultProfile;

beforeAll(async () => {
  p = await startFaultProfile([
    { platform: 'x', account: 'alice' },
    { platform: 'x', account: 'bob' },
  ]);
}, 120_000);

afterAll(async () => {
  await p?.close();
});

const deadPid = () => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);

async function connId(name: string): Promise<string> {
  const d = p.deps();
  try {
    return (await (await d.store()).findConnection('x', name))!.id;
  } finally {
    await d.close();
  }
}

describe('lock owners that died, and live ones', () => {
  it('a refresh killed while holding the lock (60 s lease) does not delay the next one', async () => {
    p.sandbox.control.latency(3000);
    const run = startCli(['refresh', 'x', '--account', 'alice', '--force'], p.env);
    await new Promise((r) => setTimeout(r, 1200)); // inside the 3 s token call, lock held
    const held = await runCli(['status', '--json'], p.env);
    expect(JSON.parse(held.stdout).find((e: { account: string }) => e.account === 'alice').refreshLock).toMatchObject({ holder: expect.stringMatching(/^pid \d+ on this machine/), ownerGone: false });
    run.child.kill('SIGKILL');
    await run.done;
    p.sandbox.control.latency(0);
    // The platform finishes the request the dead client sent (the sandbox rotates the token at 3 s).
    await new Promise((r) => setTimeout(r, 2500));
    const t0 = Date.now();
    const next = await runCli(['refresh', 'x', '--account', 'alice', '--force', '--json'], p.env);
    expect(Date.now() - t0).toBeLessThan(10_000);
    // The sandbox rotated the token after the client died: the one retry is refused, and said so.
    expect(next.code).toBe(4);
    expect(JSON.parse(next.stdout).results[0]).toMatchObject({ status: 'reconnect_needed', reason: 'refresh_interrupted', fix: 'socialync connect x --name alice' });
    expect(JSON.parse(next.stdout).results[0].message).toMatch(/^refresh interrupted: the platform may have rotated the token/);
  }, 60_000);

  it('a live holder on another machine is named with its expiry in status and while waiting; a dead one on this machine is taken over at once', async () => {
    const bob = await connId('bob');
    const until = Date.now() + 60_000;
    const d = p.deps();
    const store = await d.store();
    await store.tryLock(`refresh:${bob}`, 'otherhost/4242/99/abcd:1', 60_000, until - 60_000);
    const status = await runCli(['status', 'x'], p.env);
    expect(status.stderr).toContain(`x/bob: being refreshed by pid 4242 on otherhost until ${new Date(until).toISOString()}`);
    const waited = await runCli(['refresh', 'x', '--account', 'bob', '--force'], { ...p.env, SOCIALYNC_REFRESH_LOCK_TTL_MS: '1500' });
    expect(waited.code).toBe(6);
    expect(waited.stderr).toContain(`x/bob: waiting for the refresh lock, held by pid 4242 on otherhost until ${new Date(until).toISOString()}`);
    expect(waited.stderr).toContain(`x/bob: temporary failure: the refresh lock is held by pid 4242 on otherhost until ${new Date(until).toISOString()}; try again later`);
    // The same lock held by a process of this machine that is gone: shown as such, then taken over.
    await store.releaseLock(`refresh:${bob}`, 'otherhost/4242/99/abcd:1');
    const dead = `${hostname()}/${deadPid()}/1/dead:1`;
    await store.tryLock(`refresh:${bob}`, dead, 60_000, Date.now());
    await d.close();
    const gone = await runCli(['status', 'x', '--json'], p.env);
    expect(JSON.parse(gone.stdout).find((e: { account: string }) => e.account === 'bob').refreshLock).toMatchObject({ ownerGone: true });
    const t0 = Date.now();
    const ok = await runCli(['refresh', 'x', '--account', 'bob', '--force'], p.env);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toBe('');
    expect(Date.now() - t0).toBeLessThan(10_000);
    const snap = await snapshot(p);
    expect(snap.conns.filter((c) => c.name !== 'alice')).toEqual([
      { platform: 'x', name: 'bob', health: 'healthy', reason: null, tokens: 'valid' },
      { platform: 'youtube', name: 'bystander', health: 'healthy', reason: null, tokens: 'valid' },
    ]);
    expect(snap.posts).toEqual(['kept through every fault: youtube:scheduled']);
  }, 60_000);

  it('a post left "publishing" by a killed process shows who held it, and the next publish takes it over at once', async () => {
    const d = p.deps();
    const posts = postStoreFor(await d.store());
    const [summary] = await posts.listSummaries();
    const [target] = await posts.targets(summary!.id);
    const live = 'otherhost/4242/99/pub';
    await posts.claim(target!.id, live, 600_000, Date.now() - 86_400_000 * 2);
    // Claimed long ago but its lease is still running (10 minutes from then would be over: renew it now).
    await posts.heartbeat(target!.id, live, 600_000, Date.now());
    const shown = await runCli(['schedule', 'show', String(summary!.id)], p.env);
    expect(shown.stdout).toMatch(/being published by pid 4242 on otherhost until \d{4}-\d\d-\d\dT/);
    const dead = `${hostname()}/${deadPid()}/1/pub`;
    expect(await posts.updateTarget(target!.id, live, { claimedBy: dead }, Date.now())).toBe(true);
    await d.close();
    const gone = await runCli(['schedule', 'show', String(summary!.id), '--json'], p.env);
    expect(JSON.parse(gone.stdout).targets[0]).toMatchObject({ state: 'publishing', claim: { ownerGone: true } });
    const shownGone = await runCli(['schedule', 'show', String(summary!.id)], p.env);
    expect(shownGone.stdout).toMatch(/being published by pid \d+ on this machine \(.*\), which no longer runs; the next run takes it over at once/);
    const t0 = Date.now();
    const pub = await runCli(['publish', '--json'], p.env);
    expect(Date.now() - t0).toBeLessThan(30_000);
    const after = JSON.parse((await runCli(['schedule', 'show', String(summary!.id), '--json'], p.env)).stdout);
    // Taken over and reconciled (the dead process may have sent it): no longer "publishing".
    expect(after.targets[0].state, pub.stderr).not.toBe('publishing');
    expect(after.targets[0].claim).toBeNull();
  }, 60_000);
});
