import { describe, expect, it } from 'vitest';
import { makeTestDeps } from '../helpers/deps.js';

describe('socialync notify set webhook', () => {
  it('takes the URL from stdin or the environment so it never sits in argv; refuses when none is given off a terminal', async () => {
    const t = makeTestDeps();
    t.stdin.end('https://hooks.example.test/services/T0/B0/s3cr3t-from-stdin\n');
    expect(await t.run(['notify', 'set', 'webhook', '--url-stdin']), t.stderr()).toBe(0);
    expect(await (await t.deps.secrets()).get('notify.webhook.url')).toBe('https://hooks.example.test/services/T0/B0/s3cr3t-from-stdin');
    expect(t.stderr()).not.toContain('s3cr3t');

    const e = makeTestDeps({ home: t.home, env: { SOCIALYNC_VAULT_KEY: t.env.SOCIALYNC_VAULT_KEY!, SOCIALYNC_WEBHOOK_URL: 'https://hooks.example.test/from-env' } });
    expect(await e.run(['notify', 'set', 'webhook'])).toBe(0);
    expect(await (await e.deps.secrets()).get('notify.webhook.url')).toBe('https://hooks.example.test/from-env');

    const none = makeTestDeps();
    expect(await none.run(['notify', 'set', 'webhook'])).toBe(3);
    expect(none.stderr()).toMatch(/a webhook URL is needed\n.*--url-stdin or set SOCIALYNC_WEBHOOK_URL/);
  });
});
