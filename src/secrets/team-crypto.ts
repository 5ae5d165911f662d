/**
 * The cryptography of team mode (docs/team.md#threat-model), all from node:crypto.
 *
 * - The team's **data key** (32 random bytes) encrypts every vault entry with AES-256-GCM
 *   (NIST SP 800-38D). The additional authenticated data binds each ciphertext to the team,
 *   the data key's version and the entry's name, so a row copied onto another name, another
 *   team or an older key version fails to decrypt instead of handing out the wrong token.
 * - Each **machine** has an X25519 key pair (RFC 7748). Its private key never leaves the
 *   machine: it is kept in the machine's own secret store (OS keychain or key-file vault).
 *   Only the public key is in the database.
 * - The data key reaches a machine **wrapped** for its public key: an ephemeral X25519 key
 *   agreement (ECIES style), HKDF-SHA256 (RFC 5869) over the shared secret bound to both
 *   public keys, then AES-256-GCM over the data key with the team, machine and version as
 *   authenticated data. Anyone can wrap for a public key, only the private key unwraps.
 * - A **key chain link** seals the previous data key under the new one. A machine remembers a
 *   fingerprint of the last data key it used; a newer key is accepted only when its chain
 *   leads back to that fingerprint, so someone who can write to the database but holds no
 *   data key cannot slip a key of their own to the members.
 *
 * Every decrypt returns undefined on failure (wrong key, tampering, truncation); callers turn
 * that into an error that names the command to run, never into a partial value.
 */
import { createCipheriv, createDecipheriv, createHash, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';

const IV_LEN = 12;
const TAG_LEN = 16;
const KEY_LEN = 32;
const ENTRY_MAGIC = Buffer.from('STE1');
const WRAP_MAGIC = Buffer.from('STW1');
const LINK_MAGIC = Buffer.from('STL1');

export interface MachineKeyPair {
  /** X25519 public key, raw 32 bytes as base64url (what the database holds). */
  publicKey: string;
  /** PKCS#8 DER as base64: what the machine's own secret store keeps. */
  privateKey: string;
}

export function newDataKey(): Buffer {
  return randomBytes(KEY_LEN);
}

export function newMachineKeyPair(): MachineKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  return { publicKey: rawPublic(publicKey), privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64') };
}

function rawPublic(k: KeyObject): string {
  return (k.export({ format: 'jwk' }) as { x: string }).x;
}

function publicKeyObject(raw: string): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: raw }, format: 'jwk' });
}

/** The public key that belongs to a stored private key (to check the pair still matches). */
export function publicKeyOf(privateKey: string): string {
  return rawPublic(createPublicKey(privateKeyObject(privateKey)));
}

function privateKeyObject(pkcs8: string): KeyObject {
  return createPrivateKey({ key: Buffer.from(pkcs8, 'base64'), format: 'der', type: 'pkcs8' });
}

/** Whether `raw` is a well-formed X25519 public key (32 bytes, base64url). */
export function validPublicKey(raw: string): boolean {
  if (!/^[A-Za-z0-9_-]{43}$/.test(raw)) return false;
  try {
    publicKeyObject(raw);
    return true;
  } catch {
    return false;
  }
}

/**
 * What people compare out of band before approving a machine (like an SSH host key
 * fingerprint): the first 80 bits of SHA-256 over the public key, in groups of four.
 */
export function machineFingerprint(publicKey: string): string {
  return groups(createHash('sha256').update('socialync-team-machine\0').update(publicKey).digest('hex').slice(0, 20));
}

/** A non-secret tag of a data key (domain-separated SHA-256), kept by machines as their pin. */
export function dataKeyFingerprint(key: Buffer): string {
  return groups(createHash('sha256').update('socialync-team-data-key\0').update(key).digest('hex').slice(0, 20));
}

function groups(hex: string): string {
  return hex.match(/.{4}/g)!.join('-');
}

function seal(magic: Buffer, key: Buffer, aad: string, plaintext: Buffer): Buffer {
  const iv = randomBytes(IV_LEN);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([c.update(plaintext), c.final()]);
  return Buffer.concat([magic, iv, c.getAuthTag(), ct]);
}

function open(magic: Buffer, key: Buffer, aad: string, body: Buffer): Buffer | undefined {
  if (body.length < magic.length + IV_LEN + TAG_LEN || !body.subarray(0, magic.length).equals(magic)) return undefined;
  const iv = body.subarray(magic.length, magic.length + IV_LEN);
  const tag = body.subarray(magic.length + IV_LEN, magic.length + IV_LEN + TAG_LEN);
  try {
    const d = createDecipheriv('aes-256-gcm', key, iv);
    d.setAAD(Buffer.from(aad, 'utf8'));
    d.setAuthTag(tag);
    return Buffer.concat([d.update(body.subarray(magic.length + IV_LEN + TAG_LEN)), d.final()]);
  } catch {
    return undefined;
  }
}

function entryAad(teamId: string, version: number, name: string): string {
  return `socialync-team-entry-v1\0${teamId}\0${version}\0${name}`;
}

export function encryptEntry(dataKey: Buffer, teamId: string, version: number, name: string, value: string): Buffer {
  return seal(ENTRY_MAGIC, dataKey, entryAad(teamId, version, name), Buffer.from(value, 'utf8'));
}

/** The value, or undefined when the ciphertext does not authenticate under this key, team, version and name. */
export function decryptEntry(dataKey: Buffer, teamId: string, version: number, name: string, data: Buffer): string | undefined {
  return open(ENTRY_MAGIC, dataKey, entryAad(teamId, version, name), data)?.toString('utf8');
}

function wrapAad(teamId: string, machineId: string, version: number): string {
  return `socialync-team-wrap-v1\0${teamId}\0${machineId}\0${version}`;
}

/** HKDF-SHA256 over the X25519 shared secret, salted with both public keys (RFC 5869 §3.1). */
function wrapKey(shared: Buffer, ephemeralPublic: Buffer, recipientPublic: string): Buffer {
  const salt = Buffer.concat([ephemeralPublic, Buffer.from(recipientPublic, 'base64url')]);
  return Buffer.from(hkdfSync('sha256', shared, salt, 'socialync team data key wrap', KEY_LEN));
}

/** Wraps the data key for one machine's public key: "STW1" | ephemeral public (32) | sealed data key. */
export function wrapDataKey(dataKey: Buffer, o: { teamId: string; machineId: string; version: number; publicKey: string }): Buffer {
  const eph = generateKeyPairSync('x25519');
  const ephPublic = Buffer.from(rawPublic(eph.publicKey), 'base64url');
  const shared = diffieHellman({ privateKey: eph.privateKey, publicKey: publicKeyObject(o.publicKey) });
  const sealed = seal(WRAP_MAGIC, wrapKey(shared, ephPublic, o.publicKey), wrapAad(o.teamId, o.machineId, o.version), dataKey);
  return Buffer.concat([WRAP_MAGIC, ephPublic, sealed]);
}

/** The data key, or undefined when this machine's private key does not open the wrapping (or it was altered). */
export function unwrapDataKey(wrapped: Buffer, o: { teamId: string; machineId: string; version: number; privateKey: string }): Buffer | undefined {
  if (wrapped.length < WRAP_MAGIC.length + KEY_LEN || !wrapped.subarray(0, WRAP_MAGIC.length).equals(WRAP_MAGIC)) return undefined;
  const ephPublic = wrapped.subarray(WRAP_MAGIC.length, WRAP_MAGIC.length + KEY_LEN);
  try {
    const priv = privateKeyObject(o.privateKey);
    const shared = diffieHellman({ privateKey: priv, publicKey: publicKeyObject(ephPublic.toString('base64url')) });
    const sealed = wrapped.subarray(WRAP_MAGIC.length + KEY_LEN);
    const key = open(WRAP_MAGIC, wrapKey(shared, ephPublic, rawPublic(createPublicKey(priv))), wrapAad(o.teamId, o.machineId, o.version), sealed);
    return key?.length === KEY_LEN ? key : undefined;
  } catch {
    return undefined;
  }
}

function linkAad(teamId: string, version: number): string {
  return `socialync-team-link-v1\0${teamId}\0${version}`;
}

/** The previous data key sealed under the key of `version` (the chain link written by a re-key). */
export function sealChainLink(newKey: Buffer, previousKey: Buffer, teamId: string, version: number): Buffer {
  return seal(LINK_MAGIC, newKey, linkAad(teamId, version), previousKey);
}

export function openChainLink(key: Buffer, link: Buffer, teamId: string, version: number): Buffer | undefined {
  const prev = open(LINK_MAGIC, key, linkAad(teamId, version), link);
  return prev?.length === KEY_LEN ? prev : undefined;
}
