/**
 * Conventions across every command (issue 6 item 3): `--help` with examples
 * on every command of the real tree; every `--json` output checked against its
 * documented shape; no token or secret in any output under `--debug`;
 * NO_COLOR/FORCE_COLOR; results on stdout, messages on stderr, `--quiet`;
 * no prompt without a terminal or under CI (Ctrl-C at a prompt: test/e2e/ctrl-c.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { runAppSet } from '../../src/commands/app.js';
import { loadProgram } from '../../src/program.js';
import type { PlatformId, TokenSet } from '../../src/providers/types.js';
import { FakeBrowser } from '../helpers/fake-browser.js';
import { makeTestDeps, type TestDeps } from '../helpers/deps.js';
import { ROOT } from '../helpers/cli.js';
import * as S from '../helpers/json-schemas.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres.js';

let sandbox: Sandbox;
/** Team mode's --json commands need the shared store: a real PostgreSQL server (or the reason it is missing, outside CI). */
let pgServer: PostgresServer | string;
beforeAll(async () => {
  [sandbox, pgServer] = await Promise.all([startSandbox({ platforms: ['tiktok', 'x', 'linkedin', 'facebook'] }), startPostgres()]);
}, 120_000);
afterAll(async () => {
  await sandbox?.close();
  if (typeof pgServer === 'object') await pgServer.stop();
});

/** Commands whose --json exists only in team mode (PostgreSQL). */
const TEAM_ONLY = ['team status'];

async function profile(platforms: PlatformId[] = ['tiktok', 'x'], env: Record<string, string> = {}): Promise<TestDeps> {
  const t = makeTestDeps({ env: { ...sandbox.hostEnv(), ...env }, over: { browser: new FakeBrowser() } });
  for (const p of platforms) {
    const a = sandbox.apps[p];
    await runAppSet(t.deps, { platform: p, clientId: a.clientId, clientSecret: a.clientSecret, port: 0, ...(a.clientType ? { clientType: a.clientType } : {}) });
  }
  return t;
}

/** Every visible command path of the real program, e.g. ['app', 'set']. */
async function commandPaths(): Promise<string[][]> {
  const out: string[][] = [];
  const walk = (cmd: Command, path: string[]) => {
    for (const c of cmd.createHelp().visibleCommands(cmd)) {
      if (c.name() === 'help') continue;
      out.push([...path, c.name()]);
      walk(c, [...path, c.name()]);
    }
  };
  walk(await loadProgram(makeTestDeps().deps, () => undefined), []);
  return out;
}

/** docs/json.md: `## \`socialync <command> --json\`` sections, each { field path: type cell }. */
function docSections(): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  let current: Record<string, string> | undefined;
  for (const line of readFileSync(join(ROOT, 'docs', 'json.md'), 'utf8').split('\n')) {
    const head = /^## `socialync (.+?) --json`/.exec(line);
    if (head) out[head[1]!] = current = {};
    else if (line.startsWith('## ')) current = undefined;
    const row = /^\| `([^`]+)` \| ([^|]*) \|/.exec(line);
    if (current && row) current[row[1]!] = row[2]!.trim();
  }
  return out;
}

/** Runs one command in-process; returns its exit code and only the output of this run. */
async function run(t: TestDeps, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const o = t.stdout().length;
  const e = t.stderr().length;
  const code = await t.run(argv);
  return { code, out: t.stdout().slice(o), err: t.stderr().slice(e) };
}

describe('conventions', () => {
  it('every command answers --help with exit 0 and exactly one Examples: section', async () => {
    const paths = await commandPaths();
    expect(paths.length).toBeGreaterThan(20);
    const t = makeTestDeps();
    const missing: string[] = [];
    for (const p of [[], ...paths]) {
      const r = await run(t, [...p, '--help']);
      expect(r.code, `socialync ${p.join(' ')} --help`).toBe(0);
      if ((r.out.match(/^Examples:$/gm) ?? []).length !== 1) missing.push(`socialync ${p.join(' ')}`);
    }
    expect(missing, 'commands whose --help lacks one "Examples:" section').toEqual([]);
  });

  it('`help exit-codes` prints the one exit-code table, matching ExitCode', async () => {
    const { ExitCode } = await import('../../src/core/errors.js');
    const r = await run(makeTestDeps(), ['help', 'exit-codes']);
    expect(r.code).toBe(0);
    const codes = [...r.out.matchAll(/^ {2}(\d) {2}\S/gm)].map((m) => Number(m[1]));
    expect(codes).toEqual([...new Set(Object.values(ExitCode))].sort());
  });

  it('every --json output matches its documented shape', async () => {
    const t = await profile(['tiktok', 'x']);
    const json = async (argv: string[], shape: S.Shape, codes = [0]) => {
      const r = await run(t, argv);
      expect(codes, `${argv.join(' ')} exited ${r.code}: ${r.err}`).toContain(r.code);
      let v: unknown;
      expect(() => (v = JSON.parse(r.out)), `${argv.join(' ')} stdout is not JSON: ${r.out.slice(0, 200)}`).not.toThrow();
      expect(S.checkShape(v, shape), argv.join(' ')).toEqual([]);
      // A report of an action carries the exit code of the run that printed it.
      if (v && typeof v === 'object' && 'exitCode' in v) expect((v as { exitCode: number }).exitCode, `${argv.join(' ')}: exitCode field`).toBe(r.code);
      return v;
    };
    const covered = new Set<string>();
    const cover = (p: string) => covered.add(p);

    cover('connect');
    await json(['connect', 'tiktok', '--json'], S.ConnectResult);
    await json(['connect', 'x', '--json'], S.ConnectResult);
    cover('token');
    await json(['token', 'x', '--json'], S.TokenResult);
    cover('status');
    expect(await json(['status', '--json'], [S.StatusEntry])).toHaveLength(2);
    cover('app list');
    await json(['app', 'list', '--json'], [S.AppEntry]);
    cover('refresh');
    await json(['refresh', '--force', '--json'], S.RefreshReport);
    cover('notify list');
    expect(await run(t, ['notify', 'set', 'webhook', 'http://127.0.0.1:9/hook'])).toMatchObject({ code: 0 });
    expect(await json(['notify', 'list', '--json'], [S.NotifyListEntry])).toHaveLength(1);
    cover('schedule add');
    const added = (await json(['schedule', 'add', '--to', 'x', '--at', '+2h', '--text', 'hello', '--json'], S.ScheduleAddResult)) as { id: number };
    cover('schedule edit');
    await json(['schedule', 'edit', String(added.id), '--text', 'hello again', '--json'], S.ScheduleEditResult);
    cover('schedule list');
    await json(['schedule', 'list', '--json'], [S.ScheduleListEntry]);
    cover('schedule show');
    await json(['schedule', 'show', String(added.id), '--json'], S.ScheduleShowResult);
    cover('schedule calendar');
    // The week of the post's own day (in UTC): a post 2 h ahead falls in next week on a Sunday evening.
    const postDay = new Date(Date.now() + 2 * 3_600_000).toISOString().slice(0, 10);
    const cal = (await json(['schedule', 'calendar', '--json', '--tz', 'UTC', '--date', postDay], S.ScheduleCalendar)) as { days: { posts: unknown[] }[] };
    expect(cal.days.flatMap((d) => d.posts).length).toBeGreaterThan(0);
    cover('schedule cancel');
    await json(['schedule', 'cancel', String(added.id), '--yes', '--json'], S.ScheduleCancelResult);
    cover('publish');
    await json(['schedule', 'add', '--to', 'x', '--at', 'now', '--text', 'now', '--json'], S.ScheduleAddResult);
    expect(((await json(['publish', '--json'], S.PublishReport, [0, 1, 5])) as { results: unknown[] }).results.length).toBeGreaterThan(0);
    cover('retry');
    await json(['retry', '--all-failed', '--dry-run', '--json'], S.RetryResult);
    cover('secrets where');
    await json(['secrets', 'where', '--json'], S.SecretsWhere);
    cover('doctor');
    await json(['doctor', '--offline', '--json'], S.DoctorReport, [0, 1]);
    cover('config list');
    expect(await run(t, ['config', 'set', 'warnDays', '9'])).toMatchObject({ code: 0 });
    expect(((await json(['config', 'list', '--json'], [S.ConfigEntry])) as { key: string; value: unknown; source: string }[]).find((e) => e.key === 'warnDays')).toMatchObject({ value: 9, source: 'config' });
    cover('db status');
    await json(['db', 'status', '--json'], S.DbStatus);
    cover('sandbox demo'); // prints StatusEntry[] too; run by the sandbox e2e tests (it starts its own servers)
    if (typeof pgServer === 'object') {
      // Team mode: the PostgreSQL store, a team of one machine.
      const team = makeTestDeps({ env: { SOCIALYNC_DATABASE_URL: await pgServer.createDatabase() } });
      const teamJson = async (argv: string[], shape: S.Shape) => {
        const r = await run(team, argv);
        expect(r.code, `${argv.join(' ')}: ${r.err}`).toBe(0);
        expect(S.checkShape(JSON.parse(r.out), shape), argv.join(' ')).toEqual([]);
        return JSON.parse(r.out) as Record<string, unknown>;
      };
      await teamJson(['db', 'status', '--json'], S.DbStatus);
      cover('team status');
      expect(await teamJson(['team', 'status', '--json'], S.TeamStatus)).toMatchObject({ teamId: null, machines: [] });
      expect(await run(team, ['team', 'init', '--name', 'alpha'])).toMatchObject({ code: 0 });
      const st = (await teamJson(['team', 'status', '--json'], S.TeamStatus)) as { teamId: string; machines: { fingerprint: string }[] };
      expect(st).toMatchObject({ machine: 'alpha', machineState: 'member', unlocked: true, machines: [{ machine: 'alpha', thisMachine: true }] });
      // secrets where names the team vault: the store, the team, this machine's fingerprint (not the machine's own backend).
      const where = await teamJson(['secrets', 'where', '--json'], S.SecretsWhere);
      expect(where).toMatchObject({ backend: 'team', teamId: st.teamId, machine: 'alpha', machineFingerprint: st.machines[0]!.fingerprint });
      expect(where.location).toMatch(/^team vault in the shared store postgres:\/\/socialync:\*\*\*\*@127\.0\.0\.1:\d+\//);
      expect(where.machineKey).toContain('encrypted files in');
    }

    const withJson: string[] = [];
    const withoutJq: string[] = [];
    const walk = (cmd: Command, path: string[]) => {
      for (const c of cmd.createHelp().visibleCommands(cmd)) {
        const p = [...path, c.name()];
        if (c.options.some((o) => o.long === '--json')) withJson.push(p.join(' '));
        if (c.options.some((o) => o.long === '--json') && !c.options.some((o) => o.long === '--jq')) withoutJq.push(p.join(' '));
        walk(c, p);
      }
    };
    walk(await loadProgram(t.deps, () => undefined), []);
    // Without PostgreSQL (outside CI only: startPostgres fails under CI) the team-only commands go unchecked.
    const unchecked = typeof pgServer === 'string' ? TEAM_ONLY : [];
    expect(withJson.filter((p) => !covered.has(p) && !unchecked.includes(p)), 'commands with --json that this test does not check (add their shape)').toEqual([]);
    expect(withoutJq, 'commands with --json but no --jq').toEqual([]);
    const documented = Object.keys(docSections());
    expect(withJson.filter((p) => !documented.includes(p) && p !== 'sandbox demo'), 'commands with --json missing from docs/json.md').toEqual([]);
  });

  it('docs/json.md documents every field of every --json output, with its type and nullability', () => {
    const sections = docSections();
    const schemaOf: Record<string, S.Shape> = {
      status: [S.StatusEntry],
      'app list': [S.AppEntry],
      connect: S.ConnectResult,
      refresh: S.RefreshReport,
      'notify list': [S.NotifyListEntry],
      'schedule add': S.ScheduleAddResult,
      'schedule edit': S.ScheduleEditResult,
      'schedule list': [S.ScheduleListEntry],
      'schedule show': S.ScheduleShowResult,
      'schedule calendar': S.ScheduleCalendar,
      'schedule cancel': S.ScheduleCancelResult,
      publish: S.PublishReport,
      retry: S.RetryResult,
      'secrets where': S.SecretsWhere,
      doctor: S.DoctorReport,
      'config list': [S.ConfigEntry],
      token: S.TokenResult,
      'db status': S.DbStatus,
      'team status': S.TeamStatus,
    };
    expect(Object.keys(sections).sort()).toEqual(Object.keys(schemaOf).sort());
    for (const [cmd, shape] of Object.entries(schemaOf)) {
      const fields = S.flattenShape(shape);
      const doc = sections[cmd]!;
      expect(Object.keys(doc).sort(), `docs/json.md section of ${cmd}`).toEqual(Object.keys(fields).sort());
      for (const [path, type] of Object.entries(fields)) {
        expect(/\bnull\b/.test(doc[path]!), `${cmd} ${path}: the docs say "${doc[path]}", the schema "${type}"`).toBe(/\bnull\b/.test(type));
      }
    }
  });

  it('one vocabulary: the same names and types for the same things in every --json output', () => {
    const all = [S.StatusEntry, S.AppEntry, S.ConnectResult, S.RefreshReport, S.NotifyListEntry, S.ScheduleAddResult, S.ScheduleEditResult, S.ScheduleListEntry, S.ScheduleShowResult, S.ScheduleCancelResult, S.PublishReport, S.RetryResult, S.SecretsWhere, S.DoctorReport, S.ConfigEntry, S.DbStatus, S.TeamStatus];
    const problems: string[] = [];
    // Synonyms that used to differ between commands: one name each now.
    const renamed: Record<string, string> = { name: 'account', connection: 'account', estimated: 'reconnectByEstimated', reconnectEstimated: 'reconnectByEstimated', why: 'reconnectWhy', detailText: 'message', error: 'message' };
    for (const shape of all) {
      for (const [path, type] of Object.entries(S.flattenShape(shape))) {
        const key = path.split(/[.[\]]+/).filter(Boolean).pop()!;
        if (!/^[a-z][a-zA-Z0-9]*$/.test(key)) problems.push(`${path}: not camelCase`);
        if (renamed[key]) problems.push(`${path}: call it ${renamed[key]}`);
        if ((/At$/.test(key) || key === 'reconnectBy' || key === 'at') && !type.startsWith('iso')) problems.push(`${path}: a time must be 'iso', is '${type}'`);
        if (key === 'fix' && !type.startsWith('command')) problems.push(`${path}: fix must be a bare command, is '${type}'`);
        if ((key === 'url' || /Uri$/.test(key)) && !type.startsWith('uri')) problems.push(`${path}: must be a URI, is '${type}'`);
        if (/Estimated$/.test(key) && type !== 'boolean') problems.push(`${path}: must be boolean`);
        if (type.includes('optional')) problems.push(`${path}: documented fields are always present (null when they do not apply)`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('--jq filters any --json output with jq (strings raw); a bad expression is a usage error', async () => {
    const t = await profile(['tiktok', 'x']);
    expect((await run(t, ['connect', 'tiktok', '--json'])).code).toBe(0);
    const names = await run(t, ['status', '--jq', '.[] | .platform + "/" + .account']);
    expect(names).toMatchObject({ code: 0, out: 'tiktok/alice\n' });
    const fixes = await run(t, ['doctor', '--offline', '--jq', '[.checks[] | select(.fix != null) | .fix]']);
    expect(JSON.parse(fixes.out)).toContain('socialync cron install');
    const bad = await run(t, ['status', '--jq', '.[']);
    expect(bad.code).toBe(3);
    expect(bad.err).toMatch(/--jq: .*syntax error/);
  });

  it('--debug logs HTTP for connect and refresh but never a token or secret', async () => {
    // Facebook sends tokens in query strings (Graph API), so its URLs must be redacted in the HTTP log.
    const t = await profile(['tiktok', 'x', 'linkedin', 'facebook']);
    const secrets = await t.deps.secrets();
    const values = new Set<string>();
    const collect = async () => {
      for (const c of await (await t.deps.store()).listConnections()) {
        const tok = JSON.parse((await secrets.get(`conn.${c.id}`))!) as TokenSet;
        // extra also holds ids (pageId, userId); only its tokens are secret.
        const extra = Object.entries(tok.extra ?? {}).filter(([k]) => /token|secret/i.test(k)).map(([, v]) => v);
        for (const v of [tok.accessToken, tok.refreshToken, ...extra]) if (v) values.add(v);
      }
    };
    for (const p of ['tiktok', 'x', 'linkedin', 'facebook']) {
      values.add(sandbox.apps[p as PlatformId].clientSecret);
      const r = await run(t, ['--debug', 'connect', p, '--port', '0']);
      expect(r.code, r.err).toBe(0);
    }
    await collect();
    expect((await run(t, ['--debug', 'refresh', '--force'])).code).toBe(0);
    await collect();
    expect((await run(t, ['--debug', 'status'])).code).toBe(0);
    const all = t.stdout() + t.stderr();
    expect(all).toMatch(/\[debug\] POST http:\/\/127\.0\.0\.1:\d+\S* -> 200/);
    expect(all).toMatch(/\[debug\] GET \S*access_token=\S* -> 200/);
    expect(values.size).toBeGreaterThanOrEqual(10);
    for (const v of values) expect(all.includes(v), `a secret (${v.slice(0, 4)}…) appears in the output:\n${all.split('\n').filter((l) => l.includes(v)).join('\n').replaceAll(v, '<SECRET>')}`).toBe(false);
  });

  it('NO_COLOR wins over FORCE_COLOR; FORCE_COLOR colours piped output', async () => {
    const ansi = /\x1b\[/;
    const forced = makeTestDeps({ env: { NO_COLOR: '', FORCE_COLOR: '1' } });
    expect((await run(forced, ['doctor', '--offline'])).out).toMatch(ansi);
    const both = makeTestDeps({ env: { NO_COLOR: '1', FORCE_COLOR: '1' } });
    expect((await run(both, ['doctor', '--offline'])).out).not.toMatch(ansi);
    const plain = makeTestDeps({ env: { NO_COLOR: '' } });
    expect((await run(plain, ['doctor', '--offline'])).out).not.toMatch(ansi);
  });

  it('results go to stdout, messages to stderr; --quiet keeps only results and errors; errors name the next command', async () => {
    const t = makeTestDeps({ env: { SOCIALYNC_TIKTOK_CLIENT_SECRET: 'not-on-screen' } });
    const r = await run(t, ['app', 'set', 'tiktok', '--client-id', 'abc']);
    expect(r.code).toBe(0);
    expect(r.out.trim()).toMatch(/^http:\/\/127\.0\.0\.1:\*\/callback\/$/);
    expect(r.err).toMatch(/Saved the tiktok app/);
    const q = await run(t, ['--quiet', 'app', 'set', 'tiktok', '--client-id', 'abc']);
    expect(q.err).toBe('');
    expect(q.out.trim()).toMatch(/callback/);
    const bad = await run(t, ['status', 'myspace']);
    expect(bad).toMatchObject({ code: 3, out: '' });
    expect(bad.err).toMatch(/unknown platform "myspace"[\s\S]*use one of: instagram/);
    const v = await run(t, ['--verbose', 'doctor', '--offline']);
    expect(v.out).toMatch(/^ {8}\S/m); // details shown with --verbose
  });

  it('never prompts without a terminal, nor under CI on a terminal: exit 3 with the flag to pass', async () => {
    const piped = makeTestDeps();
    const a = await run(piped, ['app', 'set', 'tiktok']);
    expect(a.code).toBe(3);
    expect(a.err).toMatch(/not an interactive terminal|client id/);
    const ci = makeTestDeps({ tty: true, env: { CI: 'true' } });
    const b = await run(ci, ['schedule', 'add']);
    expect(b.code).toBe(3);
    expect(b.err).toMatch(/missing --to, --at/);
  });
});
