import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSecretStore } from './open.js';
import { runSecretsUseFile } from './file-key.js';
import { verifySecretBackend } from './verify.js';
import { fileNameFor } from './vault.js';
import { redactText } from '../core/redact.js';
import { cliRejection, runStoreProcesses, tempHome } from '../../test/helpers/secret-service.js';

const homes: Array<ReturnType<typeof tempHome>> = [];
function home(env: NodeJS.ProcessEnv = {}) {
  const h = tempHome({ SOCIALYNC_SECRET_BACKEND: 'file', ...env });
  homes.push(h);
  return h;
}
afterEach(() => {
  for (const h of homes.splice(0)) h.cleanup();
});

const mode = (p: string) => statSync(p).mode & 0o777;
const HEX_A = 'a'.repeat(64);
const HEX_B = 'b'.repeat(64);

describe('file backend', () => {
  it('round-trips secrets through a 0600 key file made by `secrets use-file`, across store instances', async () => {
    const h = home();
    const made = await runSecretsUseFile(h);
    expect(made).toEqual({ keyFile: h.paths.keyFile, created: true });
    expect(mode(h.paths.keyFile)).toBe(0o600);
    expect(h.config.get('secrets.backend')).toBe('file');

    const s1 = await openSecretStore(h);
    await s1.set('conn.6f1c2a9e-0000-4000-8000-000000000001', 'tok-access-123456');
    await s1.set('app.tiktok.client_secret', 'client-secret-xyz');
    await s1.set('notify.smtp.password', 'pässwörd ✓ with unicode');
    const s2 = await openSecretStore(h);
    expect(await s2.get('conn.6f1c2a9e-0000-4000-8000-000000000001')).toBe('tok-access-123456');
    expect(await s2.get('app.tiktok.client_secret')).toBe('client-secret-xyz');
    expect(await s2.get('notify.smtp.password')).toBe('pässwörd ✓ with unicode');
    expect(await s2.get('app.x.client_secret')).toBeUndefined();
    await s2.delete('app.tiktok.client_secret');
    await s2.delete('app.tiktok.client_secret'); // deleting twice is fine
    expect(await s1.get('app.tiktok.client_secret')).toBeUndefined();
    expect(s2.describe()).toMatchObject({ backend: 'file', location: expect.stringContaining(h.paths.vaultDir) });
    // A second use-file keeps the existing key (and so the secrets).
    expect(await runSecretsUseFile(h)).toEqual({ keyFile: h.paths.keyFile, created: false });
    expect(await (await openSecretStore(h)).get('notify.smtp.password')).toBe('pässwörd ✓ with unicode');
  });

  it('stores only ciphertext, with folders 0700 and files 0600, and leaves no temp files', async () => {
    const h = home({ SOCIALYNC_VAULT_KEY: HEX_A });
    const s = await openSecretStore(h);
    await Promise.all(Array.from({ length: 40 }, (_, i) => s.set(`conn.k${i % 5}`, `secret-value-${i}`)));
    expect(mode(h.paths.vaultDir)).toBe(0o700);
    const files = readdirSync(h.paths.vaultDir);
    expect(files.filter((f) => f.startsWith('.'))).toEqual([]);
    expect(files.sort()).toEqual(['conn.k0.sec', 'conn.k1.sec', 'conn.k2.sec', 'conn.k3.sec', 'conn.k4.sec', 'keycheck']);
    for (const f of files) {
      expect(mode(join(h.paths.vaultDir, f))).toBe(0o600);
      expect(readFileSync(join(h.paths.vaultDir, f)).toString('latin1')).not.toContain('secret-value');
    }
    // Values read or written are registered for redaction in logs.
    expect(redactText('token secret-value-3 leaked')).toBe('token [redacted] leaked');
  });

  it('maps unusual key names to safe file names', async () => {
    const h = home({ SOCIALYNC_VAULT_KEY: HEX_A });
    const s = await openSecretStore(h);
    for (const k of ['../escape', '.hidden', 'with space/slash', 'ü']) {
      await s.set(k, `v-${k}`);
      expect(await s.get(k)).toBe(`v-${k}`);
    }
    expect(fileNameFor('../escape')).toBe('%2E.%2Fescape.sec');
    expect(readdirSync(h.paths.vaultDir).every((f) => !f.includes('/') && !f.startsWith('.'))).toBe(true);
  });

  it('refuses a wrong key with a clear message and no secret in it', async () => {
    const h = home({ SOCIALYNC_VAULT_KEY: HEX_A });
    await (await openSecretStore(h)).set('conn.a', 'the-real-token-value');
    const e = await cliRejection(openSecretStore({ ...h, env: { ...h.env, SOCIALYNC_VAULT_KEY: HEX_B } }));
    expect(e.message).toMatch(/^cannot decrypt secret store: wrong SOCIALYNC_VAULT_KEY or key file\?/);
    expect(`${e.message} ${e.hint}`).not.toContain(HEX_B);
    expect(`${e.message} ${e.hint}`).not.toContain('the-real-token-value');
  });

  it('detects a tampered or swapped file instead of returning garbage', async () => {
    const h = home({ SOCIALYNC_VAULT_KEY: HEX_A });
    const s = await openSecretStore(h);
    await s.set('conn.a', 'token-a-123456');
    await s.set('conn.b', 'token-b-123456');
    const a = join(h.paths.vaultDir, 'conn.a.sec');
    const bytes = readFileSync(a);
    bytes[bytes.length - 1]! ^= 0x01;
    writeFileSync(a, bytes);
    const e = await cliRejection(s.get('conn.a'));
    expect(e.message).toMatch(/cannot decrypt secret store file .*conn\.a\.sec: it is corrupted or was modified/);
    // A file moved to another key's name does not authenticate either (the key name is the AAD).
    renameSync(join(h.paths.vaultDir, 'conn.b.sec'), join(h.paths.vaultDir, 'conn.c.sec'));
    await cliRejection(s.get('conn.c'));
    writeFileSync(a, 'short');
    await cliRejection(s.get('conn.a'));
  });

  it('refuses a key file readable by others, naming the chmod fix', async () => {
    const h = home();
    await runSecretsUseFile(h);
    chmodSync(h.paths.keyFile, 0o644);
    const e = await cliRejection(openSecretStore(h));
    expect(e.message).toContain('(mode 0644)');
    expect(e.hint).toBe(`run: chmod 600 ${h.paths.keyFile}`);
    chmodSync(h.paths.keyFile, 0o400);
    await openSecretStore(h);
  });

  it('verifySecretBackend reports the key file state for doctor', async () => {
    const h = home();
    await runSecretsUseFile(h);
    chmodSync(h.paths.keyFile, 0o640);
    expect(await verifySecretBackend(h)).toMatchObject({
      backend: 'file',
      selectedBy: 'env',
      ok: false,
      error: expect.stringContaining('readable by other users (mode 0640)'),
      hint: `run: chmod 600 ${h.paths.keyFile}`,
      file: { keySource: 'file', keyFile: { path: h.paths.keyFile, exists: true, mode: '0640', private: false } },
    });
    chmodSync(h.paths.keyFile, 0o600);
    expect(await verifySecretBackend({ ...h, env: { ...h.env, SOCIALYNC_SECRET_BACKEND: undefined } })).toMatchObject({
      backend: 'file',
      selectedBy: 'config',
      ok: true,
      file: { keyFile: { mode: '0600', private: true } },
    });
  });

  it('without a key names `socialync secrets use-file` and SOCIALYNC_VAULT_KEY', async () => {
    const h = home();
    const e = await cliRejection(openSecretStore(h));
    expect(e.message).toContain(h.paths.keyFile);
    expect(e.hint).toMatch(/socialync secrets use-file.*SOCIALYNC_VAULT_KEY/);
  });

  it('accepts the key as hex, base64, base64url or a passphrase (scrypt), and rejects a short passphrase', async () => {
    const raw = Buffer.alloc(32, 7);
    raw[0] = 0xfb; // makes base64 and base64url differ
    const forms = [raw.toString('hex'), ` ${raw.toString('base64')}\n`, raw.toString('base64url')];
    const h = home({ SOCIALYNC_VAULT_KEY: forms[0] });
    await (await openSecretStore(h)).set('conn.a', 'same-key-123456');
    for (const f of forms) {
      expect(await (await openSecretStore({ ...h, env: { ...h.env, SOCIALYNC_VAULT_KEY: f } })).get('conn.a')).toBe('same-key-123456');
    }
    // The key file takes the same forms.
    mkdirSync(h.paths.configDir, { recursive: true });
    writeFileSync(h.paths.keyFile, forms[2]!, { mode: 0o600 });
    const viaFile = await openSecretStore({ ...h, env: { ...h.env, SOCIALYNC_VAULT_KEY: '' } });
    expect(await viaFile.get('conn.a')).toBe('same-key-123456');

    const p = home({ SOCIALYNC_VAULT_KEY: 'correct horse battery staple' });
    await (await openSecretStore(p)).set('conn.a', 'pass-123456');
    expect(mode(join(p.paths.vaultDir, 'scrypt-salt'))).toBe(0o600);
    expect(await (await openSecretStore(p)).get('conn.a')).toBe('pass-123456');
    await cliRejection(openSecretStore({ ...p, env: { ...p.env, SOCIALYNC_VAULT_KEY: 'correct horse battery stable' } }));
    const short = await cliRejection(openSecretStore({ ...p, env: { ...p.env, SOCIALYNC_VAULT_KEY: 'hunter2' } }));
    expect(short.message).toContain('at least 12 characters');
    expect(short.message).not.toContain('hunter2');
  });

  it('is chosen only explicitly: a bad backend name is a usage error', async () => {
    const h = home({ SOCIALYNC_SECRET_BACKEND: 'plaintext' });
    const e = await cliRejection(openSecretStore(h));
    expect(e.exitCode).toBe(3);
    expect(e.message).toContain('SOCIALYNC_SECRET_BACKEND must be "keychain" or "file"');
  });

  it('refuses `use-file` when the vault was sealed with another key', async () => {
    const h = home({ SOCIALYNC_VAULT_KEY: HEX_A });
    await (await openSecretStore(h)).set('conn.a', 'x-123456');
    const e = await cliRejection(runSecretsUseFile(h));
    expect(e.message).toContain('was created with a different key');
    expect(h.config.get('secrets.backend')).toBeUndefined();
    // Validated before anything was written: no new key file is left behind (issue 11).
    expect(existsSync(h.paths.keyFile)).toBe(false);
  });

  it('loses nothing when several processes write different keys at once', async () => {
    const h = home({ SOCIALYNC_VAULT_KEY: HEX_A });
    await openSecretStore(h); // creates the vault (keycheck) first, as any command would
    const codes = await runStoreProcesses(h.env, 4, `
      for (let i = 0; i < 25; i++) { await s.set('conn.p' + me + '-' + i, 'value-' + me + '-' + i); await s.set('shared', me); }
    `);
    expect(codes).toEqual([0, 0, 0, 0]);
    const s = await openSecretStore(h);
    for (let n = 0; n < 4; n++) for (let i = 0; i < 25; i++) expect(await s.get(`conn.p${n}-${i}`)).toBe(`value-${n}-${i}`);
    expect(['0', '1', '2', '3']).toContain(await s.get('shared'));
    expect(readdirSync(h.paths.vaultDir).filter((f) => f.startsWith('.'))).toEqual([]);
  });
});
