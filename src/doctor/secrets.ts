/**
 * Secret backend: which one, verified (keychain probe write/read/delete, then a
 * vault write/read/delete), the Secret Service on the session bus, and the bus
 * a cron job would find (src/secrets/verify.ts does the looking).
 */
import { verifySecretBackend } from '../secrets/verify.js';
import { CliError } from '../core/errors.js';
import { FILE_BACKEND_HINT } from '../secrets/keychain.js';
import { result, type Check, type CheckResult } from './types.js';

export const checkSecrets: Check = async (ctx) => {
  const { deps } = ctx;
  const r = await verifySecretBackend({ paths: deps.paths, env: deps.env, config: deps.config, io: deps.io, timeoutMs: ctx.timeoutMs });
  ctx.secrets = r;
  const out: CheckResult[] = [];
  const by = r.selectedBy === 'env' ? 'SOCIALYNC_SECRET_BACKEND' : r.selectedBy === 'config' ? 'config' : 'default';
  const where = [r.location, r.detail].filter(Boolean).join('; ');
  const k = r.keychain;
  if (!r.ok) {
    const tried = (k?.buses ?? []).map((b) => `tried ${b.address} (${b.source}): ${b.state ?? b.error ?? 'not checked'}`);
    out.push(result('secrets', 'secrets.backend', 'fail', `secret backend ${r.backend} (${by}) does not work: ${r.error ?? 'unknown error'}`, r.hint ?? FILE_BACKEND_HINT, [...(where ? [where] : []), ...tried]));
  } else {
    out.push(await roundTrip(ctx, `secret backend ${r.backend} (${by}) verified`, where));
  }
  if (k && k.platform === 'linux') {
    if (k.bus && k.secretService && !k.kernelKeyringFallback) {
      out.push(result('secrets', 'secrets.service', 'ok', `Secret Service ${k.secretService} on ${k.bus.address} (${k.bus.source}); not the kernel keyring`));
    }
    const c = k.cron;
    if (c) {
      if (c.error !== undefined && c.address === undefined) out.push(result('secrets', 'secrets.cron', 'warn', `cron: ${c.error}`, FILE_BACKEND_HINT));
      else if (c.state === 'running' || c.state === 'activatable') out.push(result('secrets', 'secrets.cron', 'ok', `cron would reach the Secret Service at ${c.address} (${c.state})`));
      else out.push(result('secrets', 'secrets.cron', 'warn', `cron would find ${c.address} but no Secret Service there${c.error ? ` (${c.error})` : ''}`, FILE_BACKEND_HINT));
    }
  }
  return out;
};

/** Writes, reads back and deletes a throwaway secret through the real store. */
async function roundTrip(ctx: Parameters<Check>[0], title: string, where: string): Promise<CheckResult> {
  const { deps } = ctx;
  const key = `doctor.probe.${deps.random.bytes(6).toString('hex')}`;
  const value = deps.random.bytes(16).toString('hex');
  try {
    const s = await deps.secrets();
    await s.set(key, value);
    const back = await s.get(key);
    await s.delete(key);
    if (back !== value) throw new Error('the value read back differs from the one written');
    if ((await s.get(key)) !== undefined) throw new Error('the probe secret was not deleted');
    return result('secrets', 'secrets.backend', 'ok', `${title}: write, read and delete work`, undefined, where ? [where] : []);
  } catch (e) {
    // A store that names its own fix (the team vault: approval, membership) says it best.
    const own = e instanceof CliError ? e.hint : undefined;
    return result('secrets', 'secrets.backend', 'fail', `secret store write/read/delete failed: ${(e as Error).message}`, own ?? `check that ${deps.paths.vaultDir} is writable by you (chmod 700 ${deps.paths.vaultDir}), then run: socialync doctor`);
  }
}
