import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { SMTPServer } from 'smtp-server';
import { makeKit, type Kit } from '../../test/helpers/refresh-kit.js';
import { fakeProvider } from '../../test/helpers/fake-provider.js';
import { DAY, HOUR, MINUTE } from '../core/clock.js';
import { ExitCode, ProviderError } from '../core/errors.js';
import type { TokenSet } from '../providers/types.js';
import { main } from '../main.js';
import { runRefresh } from './refresh.js';
import { runNotifySetEmail, runNotifySetWebhook, runNotifyTest } from './notify.js';

let kit: Kit | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  await kit?.cleanup();
  kit = undefined;
});

const tok = (now: number, o: Partial<TokenSet> = {}): TokenSet => ({ accessToken: 'access-0000', refreshToken: 'refresh-0000', expiresAt: now + 10 * MINUTE, scopes: [], obtainedAt: now - HOUR, ...o });

async function webhookReceiver(status = 200): Promise<{ url: string; bodies: Record<string, unknown>[] }> {
  const bodies: Record<string, unknown>[] = [];
  const srv: Server = createServer((req, res) => {
    let b = '';
    req.on('data', (d) => (b += d));
    req.on('end', () => {
      bodies.push(JSON.parse(b) as Record<string, unknown>);
      res.writeHead(status).end('ok');
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => srv.close(() => r())));
  return { url: `http://127.0.0.1:${(srv.address() as { port: number }).port}/hook/T0KEN-in-path`, bodies };
}

async function smtpReceiver(): Promise<{ port: number; mails: { raw: string; user?: string }[] }> {
  const mails: { raw: string; user?: string }[] = [];
  const srv = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    onAuth(auth, _s, cb) {
      if (auth.username === 'mailer' && auth.password === 'smtp-pa55word') cb(null, { user: auth.username });
      else cb(new Error('bad credentials'));
    },
    onData(stream, session, cb) {
      let raw = '';
      stream.on('data', (d: Buffer) => (raw += d.toString()));
      stream.on('end', () => {
        mails.push({ raw, user: session.user as string | undefined });
        cb();
      });
    },
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  closers.push(() => new Promise((r) => srv.close(() => r())));
  return { port: (srv.server.address() as { port: number }).port, mails };
}

describe('socialync refresh', () => {
  it('one failing connection never stops the others; exit code 4 for reconnect, 6 for transient only', async () => {
    const x = fakeProvider('x', {}, async (t) => {
      if (t.refreshToken === 'dead-1234') throw new ProviderError('x: invalid_request', { errorClass: 'reconnect_needed', reason: 'refresh_token_expired' });
      if (t.refreshToken === 'flaky-1234') throw new ProviderError('x: HTTP 503', { errorClass: 'transient', status: 503 });
      return { ...t, accessToken: `new-${t.refreshToken}`, refreshToken: `${t.refreshToken}-next`, expiresAt: kit!.clock.now() + 2 * HOUR };
    });
    kit = makeKit({ providers: { x } });
    const now = kit.clock.now();
    await kit.addConnection('x', 'dead', tok(now, { refreshToken: 'dead-1234' }));
    await kit.addConnection('x', 'flaky', tok(now, { refreshToken: 'flaky-1234' }));
    await kit.addConnection('x', 'ok', tok(now, { refreshToken: 'ok-123456' }));
    const r = await runRefresh(kit.deps, { concurrency: 2 });
    expect(Object.fromEntries(r.results.map((x) => [x.account, x.status]))).toEqual({ dead: 'reconnect_needed', flaky: 'transient', ok: 'refreshed' });
    expect(r.exitCode).toBe(ExitCode.reconnectNeeded);
    expect(r.results.find((x) => x.account === 'dead')).toMatchObject({ reason: 'refresh_token_expired', fix: 'socialync connect x --name dead', hint: null });

    const r2 = await runRefresh(kit.deps, { account: 'flaky' });
    expect(r2.exitCode).toBe(ExitCode.transient);

    // Tokens missing from the secret store: reported as needing a reconnect, the run goes on.
    const gone = await kit.addConnection('x', 'gone', tok(now, { refreshToken: 'gone-1234' }));
    kit.secrets.map.delete(`conn.${gone.id}`);
    const r3 = await runRefresh(kit.deps, { account: 'gone' });
    expect(r3.results[0]).toMatchObject({ status: 'reconnect_needed', fix: 'socialync connect x --name gone' });
    expect(r3.exitCode).toBe(ExitCode.reconnectNeeded);
  });

  it('is quiet on success, reports a broken connection on stderr once a day, and --json prints the documented shape', async () => {
    const x = fakeProvider('x', {}, async (t) => {
      if (t.refreshToken === 'dead-1234') throw new ProviderError('x: invalid_request', { errorClass: 'reconnect_needed', reason: 'platform_revoked' });
      return { ...t, refreshToken: `${t.refreshToken}+`, expiresAt: kit!.clock.now() + 2 * HOUR };
    });
    kit = makeKit({ providers: { x } });
    const now = kit.clock.now();
    await kit.addConnection('x', 'ok', tok(now, { refreshToken: 'ok-123456' }));
    expect(await main(['refresh'], kit.deps)).toBe(0);
    expect(kit.stdout() + kit.stderr()).toBe('');

    kit = makeKit({ providers: { x }, dir: kit.dir, clock: kit.clock });
    await kit.addConnection('x', 'dead', tok(now, { refreshToken: 'dead-1234' }), { id: 'dead-conn' });
    expect(await main(['refresh'], kit.deps)).toBe(ExitCode.reconnectNeeded);
    expect(kit.stderr()).toMatch(/x\/dead: needs a reconnect: platform revoked the token .* Run: socialync connect x --name dead/);
    kit = makeKit({ providers: { x }, dir: kit.dir, clock: kit.clock });
    expect(await main(['refresh'], kit.deps)).toBe(ExitCode.reconnectNeeded);
    expect(kit.stderr()).toBe('');
    kit = makeKit({ providers: { x }, dir: kit.dir, clock: kit.clock });
    expect(await main(['refresh', '--json'], kit.deps)).toBe(ExitCode.reconnectNeeded);
    const j = JSON.parse(kit.stdout());
    expect(j).toMatchObject({ exitCode: 4, counts: { reconnect_needed: 1, not_due: 1 } });
    expect(j.results[0]).toEqual(expect.objectContaining({ connectionId: 'dead-conn', platform: 'x', account: 'dead', status: 'reconnect_needed', reason: 'platform_revoked' }));
    expect(JSON.stringify(j)).not.toMatch(/ok-123456|dead-1234/);
  });

  it('warns once per connection per day on stderr, by webhook and by real SMTP; a failing channel does not fail the run', async () => {
    const li = fakeProvider('linkedin', { rotates: false, thresholdMinutes: 30 * 24 * 60 }, async (t) => t);
    const tt = fakeProvider('tiktok', { thresholdMinutes: 720 }, async (t) => ({ ...t, refreshToken: `${t.refreshToken}+`, expiresAt: kit!.clock.now() + 2 * HOUR, obtainedAt: kit!.clock.now() }));
    kit = makeKit({ providers: { linkedin: li, tiktok: tt }, env: { SOCIALYNC_SMTP_PASSWORD: 'smtp-pa55word' } });
    const hook = await webhookReceiver();
    const smtp = await smtpReceiver();
    await runNotifySetWebhook(kit.deps, hook.url);
    await runNotifySetEmail(kit.deps, { to: 'me@example.test', from: 'socialync@example.test', smtpHost: '127.0.0.1', smtpPort: smtp.port, smtpUser: 'mailer' });
    expect(kit.deps.config.read().notify).not.toHaveProperty('webhook.url');
    expect(JSON.stringify(kit.deps.config.read())).not.toMatch(/T0KEN|pa55word/);
    const now = kit.clock.now();
    await kit.addConnection('linkedin', 'li', tok(now, { refreshToken: undefined, expiresAt: now + 10 * DAY }));
    await kit.addConnection('tiktok', 'tt', tok(now, { expiresAt: now + HOUR, refreshExpiresAt: now + 5 * DAY }));
    await kit.addConnection('tiktok', 'fine', tok(now, { expiresAt: now + HOUR, refreshExpiresAt: now + 100 * DAY }));

    for (let run = 0; run < 3; run++) {
      const r = await runRefresh(kit.deps, {});
      expect(r.exitCode).toBe(0);
      expect(r.warnings.map((w) => w.account).sort()).toEqual(run === 0 ? ['li', 'tt'] : []);
      kit.clock.t += 2 * HOUR;
    }
    expect(hook.bodies).toHaveLength(2);
    expect(hook.bodies.every((b) => typeof b.text === 'string' && /will need a reconnect/.test(b.text as string))).toBe(true);
    expect(smtp.mails).toHaveLength(2);
    expect(smtp.mails[0]!.user).toBe('mailer');
    expect(smtp.mails.map((m) => m.raw).join()).toMatch(/Subject: socialync: reconnect (linkedin\/li|tiktok\/tt)/);

    // Next day: once again each. The webhook now fails: email still goes out, the run still succeeds.
    kit.clock.t += DAY;
    await closers.shift()!();
    expect(await main(['refresh'], kit.deps)).toBe(0);
    expect(smtp.mails).toHaveLength(4);
    expect(kit.stderr()).toMatch(/warning: webhook notification failed/);
    expect(kit.stderr().match(/^warning: .* will need a reconnect by .*Run: socialync connect/gm)).toHaveLength(2);
    expect(kit.stdout()).toBe('');
  });

  it('notify test reaches both channels and names a failing one', async () => {
    kit = makeKit({ env: { SOCIALYNC_SMTP_PASSWORD: 'wrong-password' } });
    const hook = await webhookReceiver();
    const smtp = await smtpReceiver();
    await runNotifySetWebhook(kit.deps, hook.url);
    await runNotifySetEmail(kit.deps, { to: 'me@example.test', from: 'socialync@example.test', smtpHost: '127.0.0.1', smtpPort: smtp.port, smtpUser: 'mailer' });
    const res = await runNotifyTest(kit.deps);
    expect(res).toEqual([{ channel: 'webhook', ok: true }, expect.objectContaining({ channel: 'email', ok: false })]);
    expect(hook.bodies[0]).toMatchObject({ kind: 'test', text: expect.stringMatching(/test notification/) });
    expect(smtp.mails).toHaveLength(0);
    expect(kit.stderr()).not.toMatch(/wrong-password/);
  });
});
