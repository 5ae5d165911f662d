/**
 * Signed webhooks against a real receiver (node:http on 127.0.0.1, port 0) that checks with
 * the Node block of docs/notifications.md: a signed notice is accepted, a forgery and a replay
 * are refused; 5xx answers are retried with backoff, a 4xx is not; what a run could not deliver
 * within its budget is kept and delivered on the next run under the same id.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { makeKit, type Kit } from '../helpers/refresh-kit.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { runNotifySetWebhook, runNotifyTest } from '../../src/commands/notify.js';
import { sendToChannels } from '../../src/notify/index.js';
import { sampleNotice } from '../../src/notify/samples.js';
import { pendingNotices, redeliverPending } from '../../src/notify/pending.js';
import { NOTIFY_BUDGET_MS } from '../../src/notify/delivery.js';
import { main } from '../../src/main.js';
import { checkNotify } from '../../src/doctor/notify.js';
import type { DoctorContext } from '../../src/doctor/types.js';

let kit: Kit | undefined;
let hook: WebhookReceiver | undefined;
afterEach(async () => {
  await hook?.close();
  await kit?.cleanup();
  kit = hook = undefined;
});

async function signedSetup(): Promise<{ kit: Kit; hook: WebhookReceiver; secret: string }> {
  kit = makeKit();
  const placeholder = await startWebhookReceiver();
  const { signingSecret } = await runNotifySetWebhook(kit.deps, placeholder.url, { sign: true });
  await placeholder.close();
  hook = await startWebhookReceiver(signingSecret);
  await runNotifySetWebhook(kit.deps, hook.url);
  hook.now = kit.clock.now() / 1000;
  return { kit, hook, secret: signingSecret! };
}

describe('signed webhooks', () => {
  it('the documented check accepts a signed notice and refuses a forgery and a replay', async () => {
    const { kit, hook, secret } = await signedSetup();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(kit.deps.config.read())).not.toContain(secret);
    expect(await runNotifyTest(kit.deps, undefined, 'post_failed')).toEqual([{ channel: 'webhook', ok: true }]);
    const [d] = hook.accepted();
    expect(d!.headers['socialync-timestamp']).toBe(String(Math.floor(kit.clock.now() / 1000)));
    expect(d!.headers['socialync-signature']).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(d!.body).toMatchObject({ kind: 'post_failed', test: true, id: expect.any(String), posts: [expect.objectContaining({ fix: ['socialync connect tiktok --name example --retry-failed'] })] });

    // Forgeries: another body under the same headers; a later timestamp under the same signature; another secret.
    expect(await hook.replay({ headers: d!.headers, raw: d!.raw.replace('"post_failed"', '"recovered"') })).toBe(401);
    expect(await hook.replay({ headers: { ...d!.headers, 'socialync-timestamp': String(Number(d!.headers['socialync-timestamp']) + 60) }, raw: d!.raw })).toBe(401);
    const { signature } = await import('../../src/notify/sign.js');
    const t = Number(d!.headers['socialync-timestamp']);
    expect(await hook.replay({ headers: { ...d!.headers, 'socialync-signature': `v1=${signature('whsec_not-the-secret', t, d!.raw)}` }, raw: d!.raw })).toBe(401);
    // Replays: within the 300 s window the id gives it away; after it, the timestamp.
    expect(await hook.replay(d!)).toBe(409);
    hook.now = t + 301;
    expect(await hook.replay(d!)).toBe(401);
    hook.now = t + 300;
    expect(await hook.replay(d!)).toBe(409);
  });

  it('notify set webhook --sign prints the secret once on stdout; signing-secret shows it; list says signed', async () => {
    kit = makeKit({ env: { SOCIALYNC_WEBHOOK_URL: 'https://hooks.example.test/T0KEN' } });
    expect(await main(['notify', 'set', 'webhook', '--sign', '--kinds', 'post_failed,recovered'], kit.deps)).toBe(0);
    const secret = kit.stdout().trim();
    expect(secret).toMatch(/^whsec_/);
    expect(kit.stderr()).toContain('socialync notify signing-secret');
    kit = makeKit({ dir: kit.dir });
    expect(await main(['notify', 'signing-secret'], kit.deps)).toBe(0);
    expect(kit.stdout().trim()).toBe(secret);
    kit = makeKit({ dir: kit.dir });
    expect(await main(['notify', 'list', '--json'], kit.deps)).toBe(0);
    expect(JSON.parse(kit.stdout())).toEqual([{ channel: 'webhook', target: 'https://hooks.example.test/…', kinds: ['post_failed', 'recovered'], signed: true }]);
    // --sign again, without a URL: a new secret for the same webhook.
    kit = makeKit({ dir: kit.dir });
    expect(await main(['notify', 'set', 'webhook', '--sign'], kit.deps)).toBe(0);
    const rotated = kit.stdout().trim();
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(secret);
    expect(kit.secrets.map.get('notify.webhook.url')).toBe('https://hooks.example.test/T0KEN');
    kit = makeKit({ dir: kit.dir });
    expect(await main(['notify', 'test', '--kind', 'expiring'], kit.deps)).toBe(3);
    expect(kit.stderr()).toMatch(/no configured channel takes expiring notices/);
    kit = makeKit({ dir: kit.dir });
    expect(await main(['notify', 'set', 'webhook', '--kinds', 'bogus'], kit.deps)).toBe(3);
    expect(kit.stderr()).toMatch(/unknown notice kind "bogus".*\n.*reconnect_needed, expiring, post_failed, recovered/);
  });
});

describe('webhook delivery', () => {
  it('retries 5xx with growing waits under one id; a 4xx is not retried nor kept', async () => {
    const { kit, hook } = await signedSetup();
    hook.script.push(503, 502);
    expect(await runNotifyTest(kit.deps)).toEqual([{ channel: 'webhook', ok: true }]);
    expect(hook.requests.map((r) => r.status)).toEqual([503, 502, 200]);
    expect(new Set(hook.requests.map((r) => r.body.id)).size).toBe(1);
    expect(kit.clock.sleeps).toHaveLength(2);
    expect(kit.clock.sleeps[0]).toBeGreaterThanOrEqual(375);
    expect(kit.clock.sleeps[0]).toBeLessThanOrEqual(625);
    expect(kit.clock.sleeps[1]).toBeGreaterThanOrEqual(750);
    expect(kit.clock.sleeps[1]).toBeLessThanOrEqual(1250);

    hook.script.push(400);
    const r = await sendToChannels(kit.deps, sampleNotice(kit.clock.now(), 'reconnect_needed'));
    expect(r).toEqual([{ channel: 'webhook', ok: false, error: 'webhook answered HTTP 400' }]);
    expect(hook.requests).toHaveLength(4);
    expect(await pendingNotices(kit.deps)).toEqual([]);
  });

  it('what a run cannot deliver within its budget is kept, and the next run delivers it once under the same id', async () => {
    const { kit, hook } = await signedSetup();
    hook.script.push(...Array<number>(100).fill(503));
    const started = kit.clock.now();
    for (let i = 0; i < 6; i++) await sendToChannels(kit.deps, sampleNotice(kit.clock.now(), 'reconnect_needed'));
    // Six failing notices cost at most the run's budget (plus one attempt's timeout), not six times the retries.
    expect(kit.clock.now() - started).toBeLessThanOrEqual(NOTIFY_BUDGET_MS);
    expect(kit.stderr()).toMatch(/webhook notification failed: webhook answered HTTP 503 \(kept; sent again on the next run\)/);
    const kept = await pendingNotices(kit.deps);
    expect(kept).toHaveLength(6);
    const tried = hook.requests.length;
    expect(tried).toBeLessThan(6 * 4);

    // doctor names the failing channel, its last error and when, and the command that checks it.
    const doctor = async () => (await checkNotify({ deps: kit.deps } as DoctorContext))[0]!;
    expect(await doctor()).toMatchObject({
      id: 'notify.webhook',
      status: 'warn',
      title: 'webhook notifications failing: webhook answered HTTP 503 (2026-11-26 12:00 UTC, just now); 6 notices kept for the next run',
      fix: 'socialync notify test webhook',
    });

    // The receiver is back; the next run (later) sends each kept notice once.
    hook.script.length = 0;
    kit.clock.t += 10 * 60_000;
    hook.now = kit.clock.now() / 1000;
    expect(await redeliverPending(kit.deps)).toBe(6);
    const delivered = hook.accepted();
    expect(delivered.map((d) => d.body.id).sort()).toEqual(kept.map((k) => k.p.id).sort());
    expect(await pendingNotices(kit.deps)).toEqual([]);
    expect(await redeliverPending(kit.deps)).toBe(0);
    expect(hook.accepted()).toHaveLength(6);
    expect(await doctor()).toMatchObject({ status: 'ok', title: 'webhook notifications: last delivered just now', fix: null });
  });
});
