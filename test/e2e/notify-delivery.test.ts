/**
 * Delivery through the built CLI: a webhook that never answers holds `refresh` up for the
 * notification budget at most, the notice is kept, and the next run delivers it once (same id)
 * when the receiver works again; doctor shows the failing channel meanwhile.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { cliEnv, runCli } from '../helpers/cli.js';
import { startPublishProfile, type PublishProfile } from '../helpers/publish-sandbox.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { NOTIFY_BUDGET_MS } from '../../src/notify/delivery.js';

let pp: PublishProfile;
let env: NodeJS.ProcessEnv;
let silent: Server;
let hook: WebhookReceiver;
const held: { destroy(): void }[] = [];

beforeAll(async () => {
  pp = await startPublishProfile({ platforms: ['x'] });
  env = cliEnv({ ...pp.env, TZ: 'UTC' });
  // Takes the request and never answers.
  silent = createServer((req) => held.push(req.socket));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  hook = await startWebhookReceiver();
}, 60_000);
afterAll(async () => {
  for (const s of held) s.destroy();
  await new Promise<void>((r) => silent.close(() => r()));
  await hook?.close();
  await pp?.close();
});

describe('webhook delivery (built CLI)', () => {
  it('a receiver that never answers delays refresh by the budget at most; the notice is kept and delivered on the next run', async () => {
    const silentUrl = `http://127.0.0.1:${(silent.address() as { port: number }).port}/hook`;
    expect((await runCli(['notify', 'set', 'webhook', '--url-stdin'], env, silentUrl)).code).toBe(0);
    await fetch(`${pp.sandbox.origins.x}/__sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: '/2/oauth2/token', method: 'POST', status: 400, body: { error: 'invalid_request', error_description: 'Value passed for the token was invalid.' }, count: 1 }),
    });
    const started = performance.now();
    const r = await runCli(['refresh', '--force'], env);
    const took = performance.now() - started;
    expect(r.code, r.stderr).toBe(4);
    expect(took).toBeLessThan(NOTIFY_BUDGET_MS + 8_000);
    expect(held.length).toBeGreaterThanOrEqual(1);
    expect(r.stderr).toMatch(/warning: webhook notification failed: .*\(kept; sent again on the next run\)/);

    const doctor = await runCli(['doctor', '--offline', '--json'], env);
    const check = (JSON.parse(doctor.stdout) as { checks: { id: string; status: string; title: string; fix: string | null }[] }).checks.find((c) => c.id === 'notify.webhook');
    expect(check).toMatchObject({ status: 'warn', title: expect.stringMatching(/^webhook notifications failing: .*; 1 notice kept for the next run$/), fix: 'socialync notify test webhook' });

    // The receiver works again (a new URL here); the next run delivers the kept notice.
    expect((await runCli(['notify', 'set', 'webhook', '--url-stdin'], env, hook.url)).code).toBe(0);
    expect((await runCli(['refresh'], env)).code).toBe(4);
    expect(hook.accepted().map((d) => [d.body.kind, d.body.platform, d.body.account])).toEqual([['reconnect_needed', 'x', 'alice']]);
    expect((await runCli(['refresh'], env)).code).toBe(4);
    expect(hook.accepted()).toHaveLength(1);
  }, 90_000);
});
