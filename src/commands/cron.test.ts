import { afterEach, describe, expect, it } from 'vitest';
import { makeKit, type Kit } from '../../test/helpers/refresh-kit.js';
import { main } from '../main.js';
import { BEGIN, END, runCron, stripBlock } from './cron.js';
import type { CronSystem } from '../cron/system.js';

function fakeSystem(initial = ''): CronSystem & { crontab: string; files: Map<string, string>; execs: string[] } {
  const s = {
    crontab: initial,
    files: new Map<string, string>(),
    execs: [] as string[],
    nodePath: '/opt/node 20/bin/node',
    binPath: '/opt/socialync/bin/socialync.cjs',
    unitDir: '/home/u/.config/systemd/user',
    async readCrontab() {
      return s.crontab;
    },
    async writeCrontab(t: string) {
      s.crontab = t;
    },
    async writeFile(p: string, t: string) {
      s.files.set(p, t);
    },
    async removeFile(p: string) {
      s.files.delete(p);
    },
    async exec(cmd: string, args: string[]) {
      s.execs.push([cmd, ...args].join(' '));
      return '';
    },
  };
  return s;
}

let kit: Kit | undefined;
afterEach(async () => {
  await kit?.cleanup();
  kit = undefined;
});

describe('socialync cron', () => {
  it('installs an hourly refresh line with absolute paths and the needed environment, keeps other entries, is idempotent, uninstalls cleanly', async () => {
    kit = makeKit({ env: { SOCIALYNC_SECRET_BACKEND: 'file', SOCIALYNC_VAULT_KEY: 'must-not-leak' } });
    const sys = fakeSystem('MAILTO=me@example.test\n5 4 * * * backup.sh\n');
    await runCron(kit.deps, 'install', {}, sys);
    await runCron(kit.deps, 'install', {}, sys);
    const lines = sys.crontab.split('\n');
    expect(lines.filter((l) => l === BEGIN)).toHaveLength(1);
    expect(lines[0]).toBe('MAILTO=me@example.test');
    const job = lines.find((l) => l.includes(' refresh'))!;
    expect(job).toMatch(/^\d{1,2} \* \* \* \* SOCIALYNC_HOME='[^']+' SOCIALYNC_SECRET_BACKEND='file' '\/opt\/node 20\/bin\/node' '\/opt\/socialync\/bin\/socialync.cjs' refresh$/);
    expect(sys.crontab).not.toMatch(/must-not-leak/);
    await runCron(kit.deps, 'uninstall', {}, sys);
    expect(sys.crontab).toBe('MAILTO=me@example.test\n5 4 * * * backup.sh\n');
    await runCron(kit.deps, 'uninstall', {}, sys);
    expect(kit.stderr()).toMatch(/no socialync crontab entry to remove/);
  });

  it('adds the publish tick only when asked for (a publish command exists)', async () => {
    kit = makeKit();
    const sys = fakeSystem();
    await runCron(kit.deps, 'install', { publishArgs: ['publish', '--quiet'] }, sys);
    expect(sys.crontab).toMatch(/^\* \* \* \* \* .* publish --quiet$/m);
    expect(stripBlock(sys.crontab)).toBe('');
  });

  it('--systemd writes a service and an hourly persistent timer and enables it', async () => {
    kit = makeKit();
    const sys = fakeSystem();
    await runCron(kit.deps, 'install', { systemd: true }, sys);
    const timer = sys.files.get('/home/u/.config/systemd/user/socialync-refresh.timer')!;
    expect(timer).toMatch(/OnCalendar=hourly/);
    expect(timer).toMatch(/Persistent=true/);
    expect(sys.files.get('/home/u/.config/systemd/user/socialync-refresh.service')).toMatch(/ExecStart=\/opt\/node 20\/bin\/node \/opt\/socialync\/bin\/socialync.cjs refresh/);
    expect(sys.execs).toEqual(['systemctl --user daemon-reload', 'systemctl --user enable --now socialync-refresh.timer']);
    await runCron(kit.deps, 'uninstall', { systemd: true }, sys);
    expect(sys.files.size).toBe(0);
  });

  it('cron print shows the block without touching the crontab (through the CLI)', async () => {
    kit = makeKit();
    expect(await main(['cron', 'print'], kit.deps)).toBe(0);
    expect(kit.stdout()).toContain(BEGIN);
    expect(kit.stdout()).toContain(END);
    expect(kit.stdout()).toMatch(/^\d+ \* \* \* \* .* refresh$/m);
    // This build has `publish`: a tick every minute.
    expect(kit.stdout()).toMatch(/^\* \* \* \* \* .* publish --quiet$/m);
  });
});
