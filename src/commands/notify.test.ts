import { afterEach, describe, expect, it } from 'vitest';
import { makeKit, type Kit } from '../../test/helpers/refresh-kit.js';
import { main } from '../main.js';
import { secretKeys } from '../secrets/types.js';

let kit: Kit | undefined;
afterEach(async () => {
  await kit?.cleanup();
  kit = undefined;
});

describe('socialync notify', () => {
  it('keeps the webhook URL and SMTP password in the secret store; list shows only what is not secret', async () => {
    kit = makeKit({ env: { SOCIALYNC_SMTP_PASSWORD: 'pa55-from-env' } });
    expect(await main(['notify', 'set', 'webhook', 'https://hooks.example.test/services/T0/B0/s3cr3tpath'], kit.deps)).toBe(0);
    kit = makeKit({ dir: kit.dir, env: { SOCIALYNC_SMTP_PASSWORD: 'pa55-from-env' } });
    expect(await main(['notify', 'set', 'email', '--to', 'me@example.test', '--from', 'bot@example.test', '--smtp-host', 'smtp.example.test', '--smtp-port', '465', '--smtp-user', 'bot'], kit.deps)).toBe(0);
    expect(kit.secrets.map.get(secretKeys.smtpPassword())).toBe('pa55-from-env');
    kit = makeKit({ dir: kit.dir });
    expect(await main(['notify', 'list'], kit.deps)).toBe(0);
    expect(kit.stdout()).toBe('webhook\thttps://hooks.example.test/…\nemail\tme@example.test via smtp.example.test:465 as bot\n');
    expect(JSON.stringify(kit.deps.config.read())).not.toMatch(/s3cr3tpath|pa55/);
  });

  it('refuses a plain-http webhook off loopback, and asks for the SMTP password only on a terminal', async () => {
    kit = makeKit();
    expect(await main(['notify', 'set', 'webhook', 'http://hooks.example.test/x'], kit.deps)).toBe(3);
    expect(kit.stderr()).toMatch(/must use https/);
    kit = makeKit({ dir: kit.dir });
    expect(await main(['notify', 'set', 'email', '--to', 'me@example.test', '--from', 'bot@example.test', '--smtp-host', 'h', '--smtp-user', 'bot'], kit.deps)).toBe(3);
    expect(kit.stderr()).toMatch(/SOCIALYNC_SMTP_PASSWORD/);
    kit = makeKit({ dir: kit.dir });
    expect(await main(['notify', 'test'], kit.deps)).toBe(3);
    expect(kit.stderr()).toMatch(/no notification channel is configured/);
  });
});
