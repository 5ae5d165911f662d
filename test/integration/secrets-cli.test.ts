import { describe, expect, it } from 'vitest';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { makeTestDeps } from '../helpers/deps.js';

describe('socialync secrets', () => {
  it('use-file creates a 0600 key file and selects the file backend in config; where reports it', async () => {
    const t = makeTestDeps({ env: { SOCIALYNC_SECRET_BACKEND: '', SOCIALYNC_VAULT_KEY: '' } });
    expect(await t.run(['secrets', 'use-file']), t.stderr()).toBe(0);
    const keyFile = join(t.home, 'vault.key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(t.stderr()).toMatch(/encrypted-file backend; key file .*vault\.key \(created, mode 0600\)/);
    expect(await t.run(['secrets', 'where', '--json'])).toBe(0);
    expect(JSON.parse(t.stdout())).toMatchObject({ backend: 'file' });
    // The store really works with it: an app secret round-trips.
    t.stdin.end('s3cret-value');
    expect(await t.run(['app', 'set', 'tiktok', '--client-id', 'ck', '--client-secret-stdin']), t.stderr()).toBe(0);
    expect(await (await t.deps.secrets()).get('app.tiktok.client_secret')).toBe('s3cret-value');
  });
});
