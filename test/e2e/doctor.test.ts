/** The built `socialync doctor` against a `sandbox serve` profile (the checks one by one: test/integration/doctor.test.ts). */
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliEnv, runCli, startCli } from '../helpers/cli.js';

describe('socialync doctor (built CLI)', () => {
  it('the built CLI against a `sandbox serve` profile: every check passes without internet (exit 0)', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'socialync-serve-')), 'profile');
    const serve = startCli(['sandbox', 'serve', '--auto-approve', '--dir', dir], cliEnv({}));
    try {
      await serve.waitFor(/export SOCIALYNC_HOME=/);
      const r = await runCli(['doctor'], cliEnv({ SOCIALYNC_HOME: dir }));
      expect(r.stdout).not.toMatch(/^ {2}fail/m);
      expect(r.stdout).toMatch(/^ {2}ok {4}tiktok: .* reachable$/m);
      expect(r.stdout).toMatch(/^ {2}ok {4}x: clock agrees with/m);
      expect(r.code, r.stdout + r.stderr).toBe(0);
    } finally {
      serve.child.kill('SIGINT');
      await serve.done;
    }
  });
});
