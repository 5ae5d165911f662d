/**
 * Help (issue 13 item 7): `help environment` lists every environment variable the code reads,
 * `help <unknown>` is a usage error with a suggestion, and every help text fits 80 columns,
 * wrapped at word boundaries.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { loadProgram } from '../../src/program.js';
import { makeTestDeps } from '../helpers/deps.js';
import { ROOT, cliEnv, runCli } from '../helpers/cli.js';

const env = () => cliEnv({ SOCIALYNC_HOME: '/nonexistent-socialync-help' });

/** Names of environment variables read in src/ (not tests) and bin/, with templated parts as <X>. */
function variablesRead(): Set<string> {
  const files: string[] = [join(ROOT, 'bin', 'socialync.cjs')];
  const walk = (dir: string) => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts') && !p.endsWith('.test.ts') && !p.endsWith('.d.ts')) files.push(p);
    }
  };
  walk(join(ROOT, 'src'));
  const names = new Set<string>();
  for (const f of files) {
    const src = readFileSync(f, 'utf8');
    for (const m of src.matchAll(/\benv(?:\?)?\.([A-Z][A-Z0-9_]+)\b/g)) names.add(m[1]!);
    for (const m of src.matchAll(/\benv\[['"]([A-Z][A-Z0-9_]+)['"]\]/g)) names.add(m[1]!);
    for (const m of src.matchAll(/['"`](SOCIALYNC_[A-Z0-9_]+)['"`]/g)) names.add(m[1]!);
    if (/env\[`\$\{prefix\}_CLIENT_ID`\]|_CLIENT_ID`\]/.test(src)) names.add('SOCIALYNC_<PLATFORM>_CLIENT_ID');
    if (/_CLIENT_SECRET`\]/.test(src)) names.add('SOCIALYNC_<PLATFORM>_CLIENT_SECRET');
    if (/_API_VERSION`\]/.test(src)) names.add('SOCIALYNC_<PLATFORM>_API_VERSION');
    if (/env\[envHostVar\(/.test(src)) names.add('SOCIALYNC_<PLATFORM>_<HOST>_URL');
  }
  // Literal examples of the templated families, e.g. SOCIALYNC_TIKTOK_API_URL in a comment string.
  const database = names.has('SOCIALYNC_DATABASE_URL'); // not a platform host, though it looks like one
  for (const n of [...names]) if (/^SOCIALYNC_[A-Z]+_([A-Z]+_)?URL$|^SOCIALYNC_[A-Z]+_API_VERSION$|^SOCIALYNC_[A-Z]+_CLIENT_(ID|SECRET)$/.test(n) && !n.includes('<')) names.delete(n);
  names.delete('SOCIALYNC_WEBHOOK_URL') || true;
  names.add('SOCIALYNC_WEBHOOK_URL');
  if (database) names.add('SOCIALYNC_DATABASE_URL');
  return names;
}

describe('help', () => {
  it('`help environment` lists every environment variable the code reads', async () => {
    const r = await runCli(['help', 'environment'], env());
    expect(r.code, r.stderr).toBe(0);
    const listed = new Set([...r.stdout.matchAll(/^ {2}(\S+)$/gm)].map((m) => m[1]!));
    const read = variablesRead();
    expect(read.size).toBeGreaterThan(15);
    expect([...read].filter((n) => !listed.has(n)), 'read by the code but missing from `help environment`').toEqual([]);
    expect([...listed].filter((n) => !read.has(n)), 'listed but read nowhere').toEqual([]);
  });

  it('`help <unknown>` is a usage error (exit 3) with the nearest topic or command, not the root help', async () => {
    const typo = await runCli(['help', 'envirnment'], env());
    expect(typo).toMatchObject({ code: 3, stdout: '' });
    expect(typo.stderr).toMatch(/no help for "envirnment"[\s\S]*did you mean: socialync help environment/);
    const nested = await runCli(['help', 'schedule', 'ad'], env());
    expect(nested.code).toBe(3);
    expect(nested.stderr).toMatch(/"ad" is not a subcommand of schedule[\s\S]*socialync help schedule add/);
    const none = await runCli(['help', 'qqqq'], env());
    expect(none).toMatchObject({ code: 3, stdout: '' });
    const ok = await runCli(['help', 'schedule', 'add'], env());
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^Usage: socialync schedule add/);
    expect((await runCli(['help', 'exit-codes'], env())).stdout).toMatch(/^ {2}4 {2}/m);
  });

  it('every help text fits 80 columns, wrapped at word boundaries', async () => {
    const t = makeTestDeps();
    const program = await loadProgram(t.deps, () => undefined);
    const paths: string[][] = [[]];
    const walk = (cmd: Command, path: string[]) => {
      for (const c of cmd.commands) {
        if (c.name() === 'help') continue;
        paths.push([...path, c.name()]);
        walk(c, [...path, c.name()]);
      }
    };
    walk(program, []);
    const wide: string[] = [];
    for (const p of [...paths, ['help', 'environment']]) {
      const before = t.stdout().length;
      await t.run(p[0] === 'help' ? p : [...p, '--help']);
      for (const line of t.stdout().slice(before).split('\n')) if (line.length > 80) wide.push(`socialync ${p.join(' ')}: ${line}`);
    }
    expect(paths.length).toBeGreaterThan(20);
    expect(wide).toEqual([]);
    // Word boundaries: a wrapped description continues with a whole word, aligned under the first.
    const before = t.stdout().length;
    await t.run(['schedule', 'add', '--help']);
    expect(t.stdout().slice(before)).toMatch(/^ {2}--media-type <mime> +MIME type of a --media URL whose extension does\n {32}not tell/m);
  });
});
