/**
 * `socialync config list|get|set|unset`: the settings of config.json, validated, instead of
 * editing the file. Every value is checked by the same rules `doctor` applies to the whole file
 * (src/doctor/config.ts); secrets and app credentials are never settable here.
 */
import type { Command } from 'commander';
import type { CommandContext } from '../program.js';
import type { Deps } from '../deps.js';
import { UsageError } from '../core/errors.js';
import { printJson } from '../core/json.js';
import { DEFAULT_WARN_DAYS } from '../auth/deadlines.js';
import { envHostVar, loadProvider } from '../providers/registry.js';
import { PLATFORMS, type PlatformId } from '../providers/types.js';
import { suggest } from '../core/suggest.js';
import { padEnd, width as columnsOf } from '../core/text-width.js';
import { databaseUrlProblem } from '../store/database-url.js';

type Kind = 'number' | 'string' | 'boolean' | 'url';

interface SettingSpec {
  key: string;
  kind: Kind;
  what: string;
  /** The value in effect when the file has none (undefined: nothing). */
  def?: (d: Deps) => Promise<unknown> | unknown;
  /** The environment variable that overrides it. */
  env?: string;
  /** Allowed values or range. */
  check?: (v: never) => string | undefined;
}

/** One entry of `config list --json`. */
export interface ConfigEntry {
  key: string;
  value: string | number | boolean | null;
  /** Where `value` comes from. */
  source: 'config' | 'env' | 'default' | 'unset';
  default: string | number | boolean | null;
  description: string;
}

const positive = (v: number) => (v > 0 && Number.isFinite(v) ? undefined : 'must be a positive number');
const atLeastZero = (v: number) => (v >= 0 && Number.isFinite(v) ? undefined : 'must be zero or more');
const PUBLISH: [string, number, string][] = [
  ['claimTtlMs', 600_000, 'how long a publishing run holds a target before another may take it over (ms)'],
  ['maxAttempts', 5, 'attempts per target before it is failed'],
  ['backoffBaseMs', 60_000, 'first retry delay after a temporary failure (ms, doubles each time)'],
  ['backoffMaxMs', 3_600_000, 'longest retry delay (ms)'],
  ['pollIntervalMs', 30_000, '`daemon`: how often it looks for due posts at most (ms)'],
  ['concurrency', 64, '`publish`/`daemon`: targets published at once (--concurrency)'],
  ['maxPauseWaitMs', 30_000, 'a rate-limit pause shorter than this is waited for within a run (ms)'],
  ['accountLeaseMs', 60_000, "how long an upload holds its account's slot over every process (ms, renewed while it runs; at most claimTtlMs)"],
  ['memoryBudgetMb', 64, 'memory for upload buffers (photos, chunks) over all uploads at once (MB)'],
];

/** The platform's descriptor; Instagram's with the hosts of its Facebook Login variant too. */
async function descriptorOf(p: PlatformId) {
  const d = (await loadProvider(p)).descriptor;
  if (p !== 'instagram') return d;
  const fb = (await loadProvider(p, { get: <T>() => 'facebook' as T })).descriptor;
  return { ...d, hosts: { ...d.hosts, ...fb.hosts } };
}

/** Every settable key (per-platform keys expanded), in `list` order. */
async function settingSpecs(): Promise<SettingSpec[]> {
  const out: SettingSpec[] = [
    { key: 'warnDays', kind: 'number', what: 'days before a required browser login to start warning', def: () => DEFAULT_WARN_DAYS, check: atLeastZero },
    { key: 'refreshLockTtlMs', kind: 'number', what: 'how long a refresh holds its cross-process lock (ms)', def: () => 60_000, env: 'SOCIALYNC_REFRESH_LOCK_TTL_MS', check: positive },
  ];
  for (const p of PLATFORMS) {
    const d = await descriptorOf(p);
    out.push({ key: `refreshThresholdMinutes.${p}`, kind: 'number', what: `refresh ${d.displayName} tokens this many minutes before they expire`, def: () => d.refresh.thresholdMinutes, check: positive });
    if (d.apiVersion) out.push({ key: `apiVersions.${p}`, kind: 'string', what: `${d.displayName} API version`, def: () => d.apiVersion, env: `SOCIALYNC_${p.toUpperCase()}_API_VERSION` });
    for (const [host, url] of Object.entries(d.hosts)) out.push({ key: `endpoints.${p}.${host}`, kind: 'url', what: `${d.displayName} "${host}" host (a path prefix is kept)`, def: () => url, env: envHostVar(p, host) });
  }
  for (const [k, def, what] of PUBLISH) out.push({ key: `publish.${k}`, kind: 'number', what, def: () => def, check: k === 'maxAttempts' || k === 'concurrency' || k === 'memoryBudgetMb' ? positive : atLeastZero });
  for (const p of PLATFORMS) {
    out.push({ key: `publish.perPlatform.${p}`, kind: 'number', what: `${p} targets published at once`, def: () => 32, check: positive });
    out.push({ key: `publish.perAccount.${p}`, kind: 'number', what: `uploads at once to one ${p} account (docs/platforms/${p}.md#concurrency)`, def: () => 1, check: positive });
  }
  out.push(...(await import('../publish/quota.js')).QUOTA_SETTINGS.map((q) => ({ key: q.key, kind: 'number' as const, what: q.what, def: () => q.def, check: positive })));
  out.push(
    { key: 'notify.email.to', kind: 'string', what: 'notification email: recipient' },
    { key: 'notify.email.from', kind: 'string', what: 'notification email: sender' },
    { key: 'notify.email.host', kind: 'string', what: 'notification email: SMTP host' },
    { key: 'notify.email.port', kind: 'number', what: 'notification email: SMTP port', check: (v: number) => (Number.isInteger(v) && v > 0 && v < 65536 ? undefined : 'must be a port number') },
    { key: 'notify.email.user', kind: 'string', what: 'notification email: SMTP login (the password is a secret: notify set email)' },
    { key: 'notify.email.secure', kind: 'boolean', what: 'notification email: TLS from the first byte (port 465)' },
    { key: 'database.url', kind: 'string', what: 'PostgreSQL state store shared by several machines (postgres://user@host/db; the password in PGPASSWORD or ~/.pgpass)', check: databaseUrlProblem },
  );
  return out;
}

/** Keys that exist but belong to another command (secrets, credentials, the backend switch). */
function ownedElsewhere(key: string): string | undefined {
  const platform = /^apps\.([a-z]+)/.exec(key)?.[1] ?? '<platform>';
  if (/^apps(\.|$)/.test(key)) return `run: socialync app set ${platform}   (app credentials and redirect settings; the client secret goes to the secret store)`;
  if (/^notify\.webhook/.test(key)) return 'run: socialync notify set webhook --url-stdin   (the URL often carries a token: it is kept in the secret store)';
  if (/^notify\.email\.(pass|password|secret)/i.test(key)) return 'run: socialync notify set email   (the SMTP password is kept in the secret store)';
  if (/^secrets(\.|$)/.test(key)) return 'run: socialync secrets use-file   (switching the backend moves no secrets by itself)';
  if (/secret|password|token|passphrase/i.test(key)) return 'secrets are never kept in config.json; see: socialync help environment';
  return undefined;
}

async function specFor(key: string): Promise<SettingSpec> {
  const elsewhere = ownedElsewhere(key);
  if (elsewhere) throw new UsageError(`"${key}" is not set with \`config\``, elsewhere);
  const specs = await settingSpecs();
  const spec = specs.find((s) => s.key === key);
  if (spec) return spec;
  const near = suggest(key, specs.map((s) => s.key));
  throw new UsageError(`unknown setting "${key}"`, near ? `did you mean ${near}? (all settings: socialync config list)` : 'run: socialync config list');
}

function parseValue(spec: SettingSpec, raw: string): string | number | boolean {
  let v: string | number | boolean = raw;
  if (spec.kind === 'number') {
    v = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(v)) throw new UsageError(`${spec.key} must be a number, got "${raw}"`, `e.g. socialync config set ${spec.key} 7`);
  } else if (spec.kind === 'boolean') {
    if (!['true', 'false'].includes(raw)) throw new UsageError(`${spec.key} must be true or false, got "${raw}"`);
    v = raw === 'true';
  } else if (spec.kind === 'url' && !(URL.canParse(raw) && /^https?:$/.test(new URL(raw).protocol))) {
    throw new UsageError(`${spec.key} must be an http(s) URL, got "${raw}"`, `e.g. socialync config set ${spec.key} https://proxy.example/${spec.key.split('.')[1]}`);
  }
  const problem = spec.check?.(v as never);
  if (problem) throw new UsageError(`${spec.key} ${problem}, got "${raw}"`);
  return v;
}

/** The file's settings with `key` set to `value` (undefined: removed). */
function withValue(settings: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const next = structuredClone(settings);
  const parts = key.split('.');
  let cur = next;
  for (const p of parts.slice(0, -1)) cur = (cur[p] ??= {}) as Record<string, unknown>;
  if (value === undefined) delete cur[parts.at(-1)!];
  else cur[parts.at(-1)!] = value;
  return next;
}

export async function runConfigSet(deps: Deps, key: string, raw: string): Promise<ConfigEntry> {
  const spec = await specFor(key);
  const value = parseValue(spec, raw);
  if (key.startsWith('notify.email.') && !deps.config.get('notify.email')) {
    throw new UsageError('email notifications are not set up yet', 'run: socialync notify set email --to <address> --from <address> --smtp-host <host>');
  }
  const { configProblems } = await import('../doctor/config.js');
  const problems = configProblems(withValue(deps.config.read() as Record<string, unknown>, key, value)).filter((p) => p.includes(`"${key.split('.')[0]}`));
  if (problems.length) throw new UsageError(`${key}: ${problems[0]}`);
  await deps.config.set(key, value);
  return entry(deps, spec);
}

export async function runConfigUnset(deps: Deps, key: string): Promise<ConfigEntry> {
  const spec = await specFor(key);
  await deps.config.delete(key);
  return entry(deps, spec);
}

export async function runConfigGet(deps: Deps, key: string): Promise<ConfigEntry> {
  return entry(deps, await specFor(key));
}

export async function runConfigList(deps: Deps): Promise<ConfigEntry[]> {
  return Promise.all((await settingSpecs()).map((s) => entry(deps, s)));
}

async function entry(deps: Deps, s: SettingSpec): Promise<ConfigEntry> {
  const def = ((await s.def?.(deps)) ?? null) as ConfigEntry['default'];
  const fromEnv = s.env ? deps.env[s.env] : undefined;
  const fromFile = deps.config.get<ConfigEntry['value']>(s.key);
  const [value, source]: [ConfigEntry['value'], ConfigEntry['source']] = fromEnv ? [fromEnv, 'env'] : fromFile !== undefined ? [fromFile, 'config'] : def !== null ? [def, 'default'] : [null, 'unset'];
  return { key: s.key, value, source, default: def, description: s.what };
}

const show = (v: ConfigEntry['value']) => (v === null ? '' : String(v));

export function registerConfig(program: Command, { deps }: CommandContext): void {
  const config = program
    .command('config')
    .description('show and change settings (config.json), validated')
    .addHelpText('after', `
Secrets and app credentials are not settings: see socialync app set, notify set, secrets use-file.
An environment variable wins over the file (socialync help environment).

Examples:
  $ socialync config list
  $ socialync config set warnDays 14
  $ socialync config get refreshThresholdMinutes.tiktok`);
  config
    .command('list')
    .description('every setting with its value, where the value comes from, and its default')
    .option('--json', 'print JSON (fields: docs/json.md)')
    .addHelpText('after', `
Examples:
  $ socialync config list
  $ socialync config list --jq '.[] | select(.source != "default") | .key'`)
    .action(async (o: { json?: boolean; jq?: string }) => {
      const list = await runConfigList(deps);
      if (o.json) return await printJson(deps.io, list, o.jq);
      const width = Math.max(...list.map((e) => columnsOf(e.key)));
      for (const e of list) deps.io.out(deps.io.stdoutIsTTY ? `${padEnd(e.key, width)}  ${show(e.value)}${e.source === 'default' || e.source === 'unset' ? '' : `  (${e.source})`}` : [e.key, show(e.value), e.source].join('\t'));
    });
  config
    .command('get')
    .description('print the value in effect for one setting')
    .argument('<key>', 'e.g. warnDays, endpoints.tiktok.api (see: socialync config list)')
    .addHelpText('after', `
Examples:
  $ socialync config get warnDays`)
    .action(async (key: string) => {
      const e = await runConfigGet(deps, key);
      deps.io.out(show(e.value));
      if (e.source === 'env') deps.io.info(`(from the environment; the file says: ${show(deps.config.get(key) ?? null) || 'nothing'})`);
    });
  config
    .command('set')
    .description('change one setting (checked before it is saved)')
    .argument('<key>', 'e.g. warnDays (see: socialync config list)')
    .argument('<value>')
    .addHelpText('after', `
Examples:
  $ socialync config set warnDays 14
  $ socialync config set endpoints.tiktok.api https://proxy.example/tiktok`)
    .action(async (key: string, value: string) => {
      const e = await runConfigSet(deps, key, value);
      deps.io.info(`✓ ${e.key} = ${show(e.value)}${e.source === 'env' ? ` (the environment overrides it for now)` : ''}`);
    });
  config
    .command('unset')
    .description('remove one setting from config.json (back to its default)')
    .argument('<key>')
    .addHelpText('after', `
Examples:
  $ socialync config unset warnDays`)
    .action(async (key: string) => {
      const e = await runConfigUnset(deps, key);
      deps.io.info(`✓ ${e.key} removed; in effect: ${show(e.value) || 'nothing'}`);
    });
}
