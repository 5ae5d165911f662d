/**
 * `cron install` through the built binary with a stand-in `crontab` on PATH:
 * when `crontab -l` fails for a reason other than "no crontab", nothing is
 * written and the user's jobs stay; when it works, the other jobs are kept and
 * the previous crontab is saved first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { cliEnv, runCli } from '../../helpers/cli.js';

const USER_JOBS = 'MAILTO=me@example.test\n5 4 * * * /usr/local/bin/backup.sh\n';

describe('cron install keeps the other jobs', () => {
  let dir: string;
  let spool: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'socialync-cron-'));
    spool = join(dir, 'spool');
    // A crontab(1) stand-in: `-l` prints the spool, `-` replaces it; CRONTAB_FAIL makes -l fail like a broken spool.
    const fake = join(dir, 'bin', 'crontab');
    mkdirSync(join(dir, 'bin'));
    writeFileSync(
      fake,
      `#!/bin/sh
if [ "$1" = "-l" ]; then
  if [ -n "$CRONTAB_FAIL" ]; then echo "crontab: cannot open spool: Permission denied" >&2; exit 1; fi
  if [ ! -f "${spool}" ]; then echo "no crontab for tester" >&2; exit 1; fi
  cat "${spool}"; exit 0
fi
if [ "$1" = "-" ]; then cat > "${spool}"; exit 0; fi
exit 2
`,
    );
    chmodSync(fake, 0o755);
    env = cliEnv({ SOCIALYNC_HOME: join(dir, 'home'), SOCIALYNC_SECRET_BACKEND: 'file', SOCIALYNC_VAULT_KEY: randomBytes(32).toString('hex'), PATH: `${join(dir, 'bin')}:${process.env.PATH}` });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses (exit 1) and writes nothing when crontab -l fails for another reason', async () => {
    writeFileSync(spool, USER_JOBS);
    const r = await runCli(['cron', 'install'], { ...env, CRONTAB_FAIL: '1' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/could not read your current crontab \(crontab -l exited 1: crontab: cannot open spool: Permission denied\); nothing was changed/);
    expect(r.stderr).toMatch(/socialync cron print/);
    expect(readFileSync(spool, 'utf8')).toBe(USER_JOBS);
  });

  it('keeps the other jobs and saves the previous crontab before installing', async () => {
    writeFileSync(spool, USER_JOBS);
    const r = await runCli(['cron', 'install'], env);
    expect(r.code, r.stderr).toBe(0);
    const now = readFileSync(spool, 'utf8');
    expect(now.startsWith(USER_JOBS)).toBe(true);
    expect(now).toMatch(/ refresh$/m);
    const backup = join(dir, 'home', 'crontab.backup');
    expect(r.stderr).toContain(`previous crontab saved to ${backup}`);
    expect(readFileSync(backup, 'utf8')).toBe(USER_JOBS);
    expect(statSync(backup).mode & 0o777).toBe(0o600);
  });

  it('treats "no crontab for user" as empty: installs, with nothing to back up', async () => {
    rmSync(spool, { force: true });
    rmSync(join(dir, 'home', 'crontab.backup'), { force: true });
    const r = await runCli(['cron', 'install'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(spool, 'utf8')).toMatch(/ refresh$/m);
    expect(existsSync(join(dir, 'home', 'crontab.backup'))).toBe(false);
  });
});
