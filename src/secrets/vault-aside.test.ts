import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { CliError } from '../core/errors.js';
import { encrypt, fileNameFor, openVault, recoveryDirs } from './vault.js';

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const open = (key: Buffer) =>
  openVault({ dir: join(dir, 'vault'), key, asideDirs: [join(dir, 'cfg', 'recovery'), join(dir, 'run', 'recovery')], info: { backend: 'file', location: 'test' }, wrongKey: () => new CliError('wrong key') });

describe('vault copies set aside', () => {
  it('a copy set aside is encrypted, read first, moved back into the vault, and dropped by a later write', async () => {
    dir = mkdtempSync(join(tmpdir(), 'socialync-aside-'));
    const key = randomBytes(32);
    const v = open(key);
    await v.set('conn.a', 'old-token-value');
    const where = await v.setAside!('conn.a', 'new-token-value');
    expect(where).toBe(join(dir, 'cfg', 'recovery', fileNameFor('conn.a')));
    expect(readFileSync(where).includes(Buffer.from('new-token-value'))).toBe(false);
    // Another process (a fresh open) reads the copy first and moves it into the vault.
    expect(await open(key).get('conn.a')).toBe('new-token-value');
    expect(existsSync(where)).toBe(false);
    expect(await open(key).get('conn.a')).toBe('new-token-value');
    // A later successful write replaces an older copy.
    await v.setAside!('conn.a', 'aside-value');
    await v.set('conn.a', 'newest-value');
    expect(readdirSync(join(dir, 'cfg', 'recovery'))).toEqual([]);
    mkdirSync(join(dir, 'run', 'recovery'), { recursive: true });
    expect(await v.get('conn.a')).toBe('newest-value');
    // A copy made with another key (or renamed to another entry) is ignored, not handed out.
    writeFileSync(join(dir, 'run', 'recovery', fileNameFor('conn.a')), encrypt(randomBytes(32), 'conn.a', 'forged'));
    writeFileSync(join(dir, 'cfg', 'recovery', fileNameFor('conn.a')), encrypt(key, 'conn.b', 'renamed'));
    expect(await v.get('conn.a')).toBe('newest-value');
  });

  it('recovery folders never include the vault folder itself', () => {
    const p = { configDir: '/h', dataDir: '/h', vaultDir: '/h/vault' };
    expect(recoveryDirs(p, {})).toEqual(['/h/recovery']);
    expect(recoveryDirs({ configDir: '/c', dataDir: '/d', vaultDir: '/d/vault' }, { XDG_RUNTIME_DIR: '/run/user/1' })).toEqual(['/c/recovery', '/d/recovery', '/run/user/1/socialync-recovery']);
  });
});
