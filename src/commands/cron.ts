import type { Command } from 'commander';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { CommandContext } from '../program.js';
import type { Deps } from '../deps.js';
import { systemCron, type CronSystem } from '../cron/system.js';

export const BEGIN = '# >>> socialync (managed by `socialync cron install`; remove with `socialync cron uninstall`)';
export const END = '# <<< socialync';
const UNIT = 'socialync-refresh';

/** Non-secret settings the job needs in cron's bare environment (never the vault key itself). */
const PASS_ENV = ['SOCIALYNC_HOME', 'SOCIALYNC_SECRET_BACKEND', 'SOCIALYNC_VAULT_KEY_FILE', 'XDG_CONFIG_HOME', 'XDG_DATA_HOME'];

export interface CronOptions {
  systemd?: boolean;
  /** CLI args of the publish tick, when this build has a publish command. */
  publishArgs?: string[];
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function jobEnv(deps: Deps): [string, string][] {
  return Object.entries(deps.env)
    .filter(([k, v]) => v && (PASS_ENV.includes(k) || /^SOCIALYNC_[A-Z]+_[A-Z]+_URL$/.test(k)))
    .sort(([a], [b]) => a.localeCompare(b)) as [string, string][];
}

/** A stable minute per installation, so many machines do not all refresh at :00. */
function minute(sys: CronSystem, deps: Deps): number {
  return createHash('sha256').update(`${deps.paths.dataDir}|${sys.binPath}`).digest()[0]! % 60;
}

function cronBlock(deps: Deps, sys: CronSystem, o: CronOptions): string {
  // `%` is a newline in crontab command fields: escape it.
  const env = jobEnv(deps).map(([k, v]) => `${k}=${q(v)}`).join(' ');
  const cmd = (args: string[]) => `${env ? env + ' ' : ''}${q(sys.nodePath)} ${q(sys.binPath)} ${args.join(' ')}`.replace(/%/g, '\\%');
  const lines = [BEGIN, `${minute(sys, deps)} * * * * ${cmd(['refresh'])}`];
  if (o.publishArgs) lines.push(`* * * * * ${cmd(o.publishArgs)}`);
  lines.push(END);
  return lines.join('\n') + '\n';
}

export function stripBlock(crontab: string): string {
  const out: string[] = [];
  let inside = false;
  for (const line of crontab.split('\n')) {
    if (line === BEGIN) inside = true;
    else if (line === END) inside = false;
    else if (!inside) out.push(line);
  }
  return out.join('\n').replace(/\n+$/, '') + (out.some((l) => l.trim()) ? '\n' : '');
}

function systemdUnits(deps: Deps, sys: CronSystem, o: CronOptions): Record<string, string> {
  const env = jobEnv(deps).map(([k, v]) => `Environment=${k}=${v.replace(/%/g, '%%')}`).join('\n');
  const service = (desc: string, args: string[]) => `[Unit]
Description=${desc}

[Service]
Type=oneshot
${env ? env + '\n' : ''}ExecStart=${sys.nodePath} ${sys.binPath} ${args.join(' ')}
`;
  const timer = (desc: string, onCalendar: string) => `[Unit]
Description=${desc}

[Timer]
OnCalendar=${onCalendar}
RandomizedDelaySec=300
Persistent=true

[Install]
WantedBy=timers.target
`;
  const units: Record<string, string> = {
    [`${UNIT}.service`]: service('socialync: refresh tokens that are close to expiry', ['refresh']),
    [`${UNIT}.timer`]: timer('socialync: hourly token refresh', 'hourly'),
  };
  if (o.publishArgs) {
    units['socialync-publish.service'] = service('socialync: publish due posts', o.publishArgs);
    units['socialync-publish.timer'] = timer('socialync: publish tick', 'minutely');
  }
  return units;
}

export async function runCron(deps: Deps, action: 'install' | 'uninstall' | 'print', o: CronOptions, sys: CronSystem): Promise<void> {
  const { io } = deps;
  if (o.systemd) {
    const units = systemdUnits(deps, sys, o);
    if (action === 'print') {
      for (const [name, text] of Object.entries(units)) io.out(`# ${join(sys.unitDir, name)}\n${text}`);
      return;
    }
    const timers = Object.keys(units).filter((n) => n.endsWith('.timer'));
    if (action === 'install') {
      for (const [name, text] of Object.entries(units)) await sys.writeFile(join(sys.unitDir, name), text);
      await sys.exec('systemctl', ['--user', 'daemon-reload']);
      await sys.exec('systemctl', ['--user', 'enable', '--now', ...timers]);
      io.info(`installed ${timers.join(', ')} (check: systemctl --user list-timers 'socialync*')`);
    } else {
      const all = [`${UNIT}.timer`, 'socialync-publish.timer'];
      await sys.exec('systemctl', ['--user', 'disable', '--now', ...all]).catch(() => undefined);
      for (const n of [`${UNIT}.service`, `${UNIT}.timer`, 'socialync-publish.service', 'socialync-publish.timer']) await sys.removeFile(join(sys.unitDir, n));
      await sys.exec('systemctl', ['--user', 'daemon-reload']).catch(() => undefined);
      io.info('removed the socialync systemd user timers');
    }
    return;
  }
  const block = cronBlock(deps, sys, o);
  if (action === 'print') return io.out(block.trimEnd());
  const current = await sys.readCrontab();
  const rest = stripBlock(current);
  if (action === 'install') {
    await backupCrontab(deps, sys, current);
    await sys.writeCrontab((rest ? rest + '\n' : '') + block);
    io.info(`crontab entry installed: hourly refresh${o.publishArgs ? ' and a publish tick every minute' : ''} (see: crontab -l)`);
  } else {
    if (!current.split('\n').includes(BEGIN)) {
      io.info('no socialync crontab entry to remove');
      return;
    }
    await backupCrontab(deps, sys, current);
    await sys.writeCrontab(rest);
    io.info('socialync crontab entry removed');
  }
}

/** Keeps the crontab as it was before we change it, so a mistake can be undone with `crontab FILE`. */
async function backupCrontab(deps: Deps, sys: CronSystem, current: string): Promise<void> {
  if (!current.trim()) return;
  const file = join(deps.paths.dataDir, 'crontab.backup');
  await sys.writeFile(file, current, 0o600); // a crontab may hold the user's own secrets
  deps.io.info(`previous crontab saved to ${file} (restore with: crontab ${file})`);
}

/** The publish tick (every minute). (Commands load lazily, so this is not read off the program.) */
function publishTickArgs(): string[] {
  return ['publish', '--quiet'];
}

export function registerCron(program: Command, ctx: CommandContext, sys?: CronSystem): void {
  const { deps } = ctx;
  const cron = program
    .command('cron')
    .description('run `refresh` hourly from cron (or a systemd user timer)')
    .addHelpText('after', `
The job runs \`socialync refresh\`, which prints nothing when all is well: cron mails any output.

Examples:
  $ socialync cron install
  $ socialync cron install --systemd
  $ socialync cron print`);
  for (const action of ['install', 'uninstall', 'print'] as const) {
    cron
      .command(action)
      .description(action === 'print' ? 'print the crontab entry (or units) without installing' : `${action} the crontab entry (or systemd user timer)`)
      .option('--systemd', 'use a systemd user timer instead of crontab')
      .addHelpText('after', `
Examples:
  $ socialync cron ${action}
  $ socialync cron ${action} --systemd`)
      .action(async (o: { systemd?: boolean }) => {
        const publishArgs = publishTickArgs();
        await runCron(deps, action, { ...(o.systemd ? { systemd: true } : {}), ...(publishArgs ? { publishArgs } : {}) }, sys ?? systemCron(deps.env));
      });
  }
}
