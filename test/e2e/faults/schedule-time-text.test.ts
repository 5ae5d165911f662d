/**
 * `schedule add` through the built binary: a time in the past needs --now (or a yes
 * on a terminal), an absurd relative time is a usage error instead of a crash, and
 * long texts arrive whole through --text-file or standard input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRetryKit, type RetryKit } from '../../helpers/retry-kit.js';
import { cliEnv, runCli } from '../../helpers/cli.js';
import type { ScheduleShowResult } from '../../../src/commands/schedule-show.js';

let k: RetryKit;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  k = await startRetryKit({ x: ['alice'], facebook: ['alice'] });
  env = cliEnv({ SOCIALYNC_HOME: k.home });
}, 60_000);
afterAll(async () => k?.close());

const cli = (argv: string[], input?: string) => runCli(argv, env, input);
const count = async () => JSON.parse((await cli(['schedule', 'list', '--all', '--json'])).stdout).length as number;

describe('schedule add: times and long texts', () => {
  it('refuses an --at in the past without a terminal, names --now, saves nothing (exit 3)', async () => {
    const before = await count();
    const r = await cli(['schedule', 'add', '--to', 'x', '--at', '2020-01-01 09:00', '--tz', 'UTC', '--text', 'late']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/error: --at "2020-01-01 09:00" \(2020-01-01 09:00 UTC\) was .* ago\n  pass a future --at, or add --now to publish it at the next tick/);
    expect(await count()).toBe(before);
    const ok = await cli(['schedule', 'add', '--to', 'x', '--at', '2020-01-01 09:00', '--tz', 'UTC', '--now', '--text', 'late but meant', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(await count()).toBe(before + 1);
  });

  it('an absurd relative time is a usage error, not a crash', async () => {
    for (const at of ['+99999999d', '+9999999999999m', '9999-01-01 00:00']) {
      const r = await cli(['schedule', 'add', '--to', 'x', '--at', at, '--text', 'far']);
      expect(r.code, at).toBe(3);
      expect(r.stderr).toContain(`--at "${at}" is not a time within ten years of now`);
      expect(r.stderr).not.toMatch(/Invalid time value|bug/);
    }
  });

  it('takes a long text from --text-file and from standard input, whole', async () => {
    const text = Array.from({ length: 400 }, (_, i) => `Line ${i}: "quotes", $vars, \`ticks\` & ünïcode 🙂`).join('\n');
    const file = join(mkdtempSync(join(tmpdir(), 'socialync-text-')), 'post.txt');
    writeFileSync(file, text + '\n');
    const fromFile = await cli(['schedule', 'add', '--to', 'facebook', '--at', '+1d', '--text-file', file, '--json']);
    expect(fromFile.code, fromFile.stderr).toBe(0);
    const fromStdin = await cli(['schedule', 'add', '--to', 'facebook', '--at', '+1d', '--text-file', '-', '--json'], text);
    expect(fromStdin.code, fromStdin.stderr).toBe(0);
    for (const r of [fromFile, fromStdin]) {
      const id = String((JSON.parse(r.stdout) as { id: number }).id);
      const shown = JSON.parse((await cli(['schedule', 'show', id, '--json'])).stdout) as ScheduleShowResult;
      expect(shown.text).toBe(text);
    }
    const both = await cli(['schedule', 'add', '--to', 'x', '--at', '+1d', '--text', 'a', '--text-file', file]);
    expect(both.code).toBe(3);
    expect(both.stderr).toContain('--text and --text-file cannot be combined');
    const missing = await cli(['schedule', 'add', '--to', 'x', '--at', '+1d', '--text-file', join(tmpdir(), 'no-such-socialync-file.txt')]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/cannot read --text-file .*no-such-socialync-file\.txt \(ENOENT\)/);
  });
});
