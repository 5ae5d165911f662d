import { describe, expect, it } from 'vitest';
import {
  dataKeyFingerprint,
  decryptEntry,
  encryptEntry,
  machineFingerprint,
  newDataKey,
  newMachineKeyPair,
  openChainLink,
  publicKeyOf,
  sealChainLink,
  unwrapDataKey,
  validPublicKey,
  wrapDataKey,
} from './team-crypto.js';

const team = 'team-1';

describe('team crypto', () => {
  it('wraps the data key so that only the machine it is wrapped for unwraps it', () => {
    const key = newDataKey();
    const a = newMachineKeyPair();
    const b = newMachineKeyPair();
    const wrapped = wrapDataKey(key, { teamId: team, machineId: 'm-a', version: 3, publicKey: a.publicKey });
    expect(unwrapDataKey(wrapped, { teamId: team, machineId: 'm-a', version: 3, privateKey: a.privateKey })).toEqual(key);
    // Another machine's key, another machine id, another version or team: no key, no exception.
    expect(unwrapDataKey(wrapped, { teamId: team, machineId: 'm-a', version: 3, privateKey: b.privateKey })).toBeUndefined();
    expect(unwrapDataKey(wrapped, { teamId: team, machineId: 'm-b', version: 3, privateKey: a.privateKey })).toBeUndefined();
    expect(unwrapDataKey(wrapped, { teamId: team, machineId: 'm-a', version: 2, privateKey: a.privateKey })).toBeUndefined();
    expect(unwrapDataKey(wrapped, { teamId: 'team-2', machineId: 'm-a', version: 3, privateKey: a.privateKey })).toBeUndefined();
    // The wrapping does not contain the data key's bytes.
    expect(wrapped.includes(key)).toBe(false);
  });

  it('refuses a tampered or truncated wrapping and entry', () => {
    const key = newDataKey();
    const a = newMachineKeyPair();
    const wrapped = wrapDataKey(key, { teamId: team, machineId: 'm', version: 1, publicKey: a.publicKey });
    for (const i of [0, 5, 40, 60, wrapped.length - 1]) {
      const bad = Buffer.from(wrapped);
      bad[i] = bad[i]! ^ 1;
      expect(unwrapDataKey(bad, { teamId: team, machineId: 'm', version: 1, privateKey: a.privateKey })).toBeUndefined();
    }
    expect(unwrapDataKey(wrapped.subarray(0, 50), { teamId: team, machineId: 'm', version: 1, privateKey: a.privateKey })).toBeUndefined();
    const entry = encryptEntry(key, team, 1, 'conn.x', 'refresh-token-secret');
    expect(entry.includes(Buffer.from('refresh-token-secret'))).toBe(false);
    for (const i of [0, 4, 20, entry.length - 1]) {
      const bad = Buffer.from(entry);
      bad[i] = bad[i]! ^ 0x80;
      expect(decryptEntry(key, team, 1, 'conn.x', bad)).toBeUndefined();
    }
    expect(decryptEntry(key, team, 1, 'conn.x', entry.subarray(0, entry.length - 1))).toBeUndefined();
    expect(decryptEntry(key, team, 1, 'conn.x', entry)).toBe('refresh-token-secret');
  });

  it('binds an entry to its name, key version and team', () => {
    const key = newDataKey();
    const entry = encryptEntry(key, team, 4, 'conn.a', 'token-of-a');
    expect(decryptEntry(key, team, 4, 'conn.b', entry)).toBeUndefined();
    expect(decryptEntry(key, team, 5, 'conn.a', entry)).toBeUndefined();
    expect(decryptEntry(key, 'team-2', 4, 'conn.a', entry)).toBeUndefined();
    expect(decryptEntry(newDataKey(), team, 4, 'conn.a', entry)).toBeUndefined();
  });

  it('chains a new data key to the previous one', () => {
    const old = newDataKey();
    const next = newDataKey();
    const link = sealChainLink(next, old, team, 2);
    expect(openChainLink(next, link, team, 2)).toEqual(old);
    expect(openChainLink(old, link, team, 2)).toBeUndefined();
    expect(openChainLink(next, link, team, 3)).toBeUndefined();
  });

  it('gives stable public fingerprints and recovers the public key from the private one', () => {
    const a = newMachineKeyPair();
    expect(validPublicKey(a.publicKey)).toBe(true);
    expect(validPublicKey('not a key')).toBe(false);
    expect(publicKeyOf(a.privateKey)).toBe(a.publicKey);
    expect(machineFingerprint(a.publicKey)).toMatch(/^[0-9a-f]{4}(-[0-9a-f]{4}){4}$/);
    expect(machineFingerprint(a.publicKey)).not.toBe(machineFingerprint(newMachineKeyPair().publicKey));
    const k = newDataKey();
    expect(dataKeyFingerprint(k)).toBe(dataKeyFingerprint(Buffer.from(k)));
    expect(dataKeyFingerprint(k)).not.toContain(k.toString('hex').slice(0, 8));
  });
});
