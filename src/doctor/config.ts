/**
 * Config validity: the file parses, every key is one socialync knows, values
 * have the right types, and no secret sits in it.
 */
import { readFileSync } from 'node:fs';
import { PLATFORMS, isPlatform } from '../providers/types.js';
import { result, type Check } from './types.js';

type Kind = 'number' | 'string' | 'boolean' | 'object';
const isKind = (v: unknown, k: Kind) => (k === 'object' ? v !== null && typeof v === 'object' && !Array.isArray(v) : typeof v === k);

/** Top-level keys and their types; nested shapes are checked below. */
const TOP: Record<string, Kind> = {
  apps: 'object',
  endpoints: 'object',
  apiVersions: 'object',
  refreshThresholdMinutes: 'object',
  warnDays: 'number',
  refreshLockTtlMs: 'number',
  secrets: 'object',
  sandbox: 'object',
  notify: 'object',
  publish: 'object',
  quota: 'object',
  database: 'object',
  team: 'object', // machine id and name (src/secrets/team-admin.ts), nothing secret
  __internal__: 'object', // written by `conf`
};

const APP: Record<string, Kind> = { clientId: 'string', clientType: 'string', redirectPort: 'number', redirectHost: 'string', redirectHttps: 'boolean', login: 'string', flags: 'object' };
const SECRETISH = /secret|password|token|passphrase|^key$/i;

export function configProblems(settings: unknown): string[] {
  const p: string[] = [];
  if (!isKind(settings, 'object')) return ['the file must hold a JSON object'];
  const s = settings as Record<string, unknown>;
  for (const [k, v] of Object.entries(s)) {
    const want = TOP[k];
    if (!want) p.push(`unknown key "${k}"`);
    else if (!isKind(v, want)) p.push(`"${k}" must be a${want === 'object' ? 'n object' : ` ${want}`}`);
  }
  const perPlatform = (key: string, each: (platform: string, v: unknown) => void) => {
    if (!isKind(s[key], 'object')) return;
    for (const [id, v] of Object.entries(s[key] as Record<string, unknown>)) {
      if (!isPlatform(id)) p.push(`"${key}.${id}": unknown platform (use one of: ${PLATFORMS.join(', ')})`);
      else each(id, v);
    }
  };
  perPlatform('apps', (id, v) => {
    if (!isKind(v, 'object')) return void p.push(`"apps.${id}" must be an object`);
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (SECRETISH.test(k)) p.push(`"apps.${id}.${k}": secrets must not be kept in the config file`);
      else if (!APP[k]) p.push(`"apps.${id}.${k}": unknown key`);
      else if (!isKind(x, APP[k]!)) p.push(`"apps.${id}.${k}" must be a ${APP[k]}`);
    }
    const a = v as { clientType?: unknown; redirectHost?: unknown; redirectPort?: unknown; login?: unknown };
    if (a.login !== undefined && (id !== 'instagram' || (a.login !== 'instagram' && a.login !== 'facebook'))) p.push(`"apps.${id}.login" is for instagram only, and must be "instagram" or "facebook"`);
    if (a.clientType !== undefined && a.clientType !== 'public' && a.clientType !== 'confidential') p.push(`"apps.${id}.clientType" must be "public" or "confidential"`);
    if (a.redirectHost !== undefined && a.redirectHost !== '127.0.0.1' && a.redirectHost !== 'localhost') p.push(`"apps.${id}.redirectHost" must be "127.0.0.1" or "localhost"`);
    if (typeof a.redirectPort === 'number' && (!Number.isInteger(a.redirectPort) || a.redirectPort < 0 || a.redirectPort > 65535)) p.push(`"apps.${id}.redirectPort" must be a port number (0: any free port)`);
  });
  perPlatform('endpoints', (id, v) => {
    if (!isKind(v, 'object')) return void p.push(`"endpoints.${id}" must be an object`);
    for (const [host, url] of Object.entries(v as Record<string, unknown>)) {
      if (typeof url !== 'string' || !/^https?:\/\/[^\s/]+/.test(url)) p.push(`"endpoints.${id}.${host}" must be an http(s) URL`);
    }
  });
  perPlatform('refreshThresholdMinutes', (id, v) => {
    if (typeof v !== 'number' || v <= 0) p.push(`"refreshThresholdMinutes.${id}" must be a positive number`);
  });
  perPlatform('apiVersions', (id, v) => {
    if (typeof v !== 'string') p.push(`"apiVersions.${id}" must be a string`);
  });
  const sec = s.secrets as { backend?: unknown } | undefined;
  if (isKind(sec, 'object') && sec!.backend !== undefined && sec!.backend !== 'keychain' && sec!.backend !== 'file') p.push('"secrets.backend" must be "keychain" or "file"');
  if (typeof s.warnDays === 'number' && (s.warnDays < 0 || !Number.isFinite(s.warnDays))) p.push('"warnDays" must be zero or more');
  return p;
}

export const checkConfig: Check = async (ctx) => {
  const file = ctx.deps.config.file;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [result('config', 'config', 'ok', `no config file yet (${file}); defaults apply`)];
    return [result('config', 'config', 'fail', `cannot read ${file}: ${(e as Error).message}`, `chmod 600 ${file}`)];
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return [result('config', 'config', 'fail', `${file} is not valid JSON (${(e as Error).message})`, `fix the JSON in ${file}, or move it aside (mv ${file} ${file}.bak) and run: socialync app set <platform>`)];
  }
  const problems = configProblems(parsed);
  if (!problems.length) return [result('config', 'config', 'ok', `config ${file} is valid`)];
  const onlyUnknown = problems.every((x) => /unknown key "/.test(x));
  return [
    result('config', 'config', onlyUnknown ? 'warn' : 'fail', `config ${file}: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`, `edit ${file}: ${problems.join('; ')}`, problems),
  ];
};
