/**
 * Warnings from concurrent cron runs reach a real SMTP server (smtp-server) and a
 * local webhook receiver exactly once per connection per day.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { rmSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { SMTPServer } from 'smtp-server';
import { createDeps } from '../../src/deps.js';
import { createIO } from '../../src/core/io.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { makeSandboxProfile } from '../../src/commands/sandbox.js';
import { runNotifySetEmail, runNotifySetWebhook } from '../../src/commands/notify.js';
import { seedConnection } from '../../src/sandbox/seed.js';
import { cliEnv, runCli } from '../helpers/cli.js';

let sandbox: Sandbox;
let home = '';
let web: Server;
let smtp: SMTPServer;
const hooks: { text: string; account?: string }[] = [];
const mails: string[] = [];
const quiet = () => createIO({ stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), env: {} });

beforeAll(async () => {
  web = createServer((req, res) => {
    let b = '';
    req.on('data', (d) => (b += d));
    req.on('end', () => {
      hooks.push(JSON.parse(b));
      res.end('ok');
    });
  });
  await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
  smtp = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    onAuth: (a, _s, cb) => (a.password === 'smtp-secret-pw' ? cb(null, { user: a.username }) : cb(new Error('bad password'))),
    onData(stream, _s, cb) {
      let raw = '';
      stream.on('data', (d: Buffer) => (raw += d));
      stream.on('end', () => (mails.push(raw), cb()));
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
  sandbox = await startSandbox({ platforms: ['tiktok'] });
  const profile = await makeSandboxProfile(createDeps({ io: quiet(), env: { PATH: process.env.PATH } }), sandbox);
  home = profile.dir;
  const deps = createDeps({ io: quiet(), env: { SOCIALYNC_HOME: home, SOCIALYNC_SMTP_PASSWORD: 'smtp-secret-pw' } });
  await seedConnection(deps, 'tiktok', 'alice');
  await seedConnection(deps, 'tiktok', 'bob');
  // TikTok refresh tokens live 180 days: a 200-day window puts both in the warning period.
  await deps.config.set('warnDays', 200);
  await runNotifySetWebhook(deps, `http://127.0.0.1:${(web.address() as { port: number }).port}/hook`);
  await runNotifySetEmail(deps, { to: 'me@example.test', from: 'socialync@example.test', smtpHost: '127.0.0.1', smtpPort: (smtp.server.address() as { port: number }).port, smtpUser: 'me' });
  await deps.close();
}, 60_000);

afterAll(async () => {
  await sandbox?.close();
  await new Promise<void>((r) => (web ? web.close(() => r()) : r()));
  await new Promise<void>((r) => (smtp ? smtp.close(() => r()) : r()));
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('refresh warnings by email and webhook', () => {
  it('4 concurrent runs and 2 more: exactly one warning per connection per channel', async () => {
    const env = cliEnv({ SOCIALYNC_HOME: home });
    const runs = await Promise.all(Array.from({ length: 4 }, () => runCli(['refresh'], env)));
    runs.push(await runCli(['refresh'], env), await runCli(['refresh'], env));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    // The stderr warning too is printed once per connection, by whichever run claimed it.
    expect(runs.map((r) => r.stderr).join('').match(/^warning: tiktok\/(alice|bob) will need a reconnect/gm)?.sort()).toEqual([
      'warning: tiktok/alice will need a reconnect',
      'warning: tiktok/bob will need a reconnect',
    ]);
    expect(hooks.map((h) => h.account).sort()).toEqual(['alice', 'bob']);
    expect(hooks.every((h) => /will need a reconnect by .* Run: socialync connect tiktok --name (alice|bob)/.test(h.text))).toBe(true);
    expect(mails).toHaveLength(2);
    expect(mails.join('\n')).toMatch(/To: me@example.test/);
    expect(mails.join('\n')).not.toMatch(/smtp-secret-pw/);
  }, 60_000);
});
