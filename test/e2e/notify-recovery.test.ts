/**
 * Notices through the built CLI against the sandbox, a real SMTP server and a signed webhook
 * receiver: a connection reported broken that works again gets exactly one "healthy again"
 * notice per channel (none for one never reported); two posts failing in one run arrive as ONE
 * digest (mail and webhook) naming the first words, the platforms, the reason and the fix; a
 * retry that publishes them sends one "published after all" notice per post; `notify test --kind`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runCli } from '../helpers/cli.js';
import { startPublishProfile, type PublishProfile } from '../helpers/publish-sandbox.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { startSmtpReceiver, type SmtpReceiver } from '../helpers/smtp-receiver.js';

let pp: PublishProfile;
let env: NodeJS.ProcessEnv;
let hook: WebhookReceiver;
let smtp: SmtpReceiver;

beforeAll(async () => {
  pp = await startPublishProfile({ platforms: ['x', 'linkedin'] });
  env = cliEnv({ ...pp.env, TZ: 'UTC' });
  smtp = await startSmtpReceiver();
  const url = (await startWebhookReceiver().then(async (r) => (await r.close(), r.url))).replace(/:\d+\//, ':1/');
  const set = await runCli(['notify', 'set', 'webhook', '--url-stdin', '--sign'], env, url);
  expect(set.code, set.stderr).toBe(0);
  hook = await startWebhookReceiver(set.stdout.trim());
  expect((await runCli(['notify', 'set', 'webhook', '--url-stdin'], env, hook.url)).code).toBe(0);
  const mail = await runCli(['notify', 'set', 'email', '--to', 'me@example.test', '--from', 'socialync@example.test', '--smtp-host', '127.0.0.1', '--smtp-port', String(smtp.port)], env);
  expect(mail.code, mail.stderr).toBe(0);
}, 60_000);
afterAll(async () => {
  await hook?.close();
  await smtp?.close();
  await pp?.close();
});

const fault = (p: 'x', f: Record<string, unknown>) =>
  fetch(`${pp.sandbox.origins[p]}/__sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(f) });
const kinds = (k: string) => hook.accepted().filter((d) => d.body.kind === k);

describe('notices through the built CLI', () => {
  it('a connection reported broken that refreshes again (runs at once): one recovered notice per channel, once; none for the healthy one', async () => {
    await fault('x', { path: '/2/oauth2/token', method: 'POST', status: 400, body: { error: 'invalid_request', error_description: 'Value passed for the token was invalid.' }, count: 1 });
    const broken = await runCli(['refresh', '--force'], env);
    expect(broken.code, broken.stderr).toBe(4);
    expect(kinds('reconnect_needed').map((d) => d.body.account)).toEqual(['alice']);
    expect(kinds('reconnect_needed')[0]!.body.platform).toBe('x');

    // Three runs at once, then one more: the notice goes out once.
    const runs = await Promise.all([0, 1, 2].map(() => runCli(['refresh', '--force'], env)));
    runs.push(await runCli(['refresh', '--force'], env));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    expect(kinds('recovered').map((d) => [d.body.platform, d.body.account, d.body.recovered])).toEqual([['x', 'alice', { what: 'connection' }]]);
    expect(kinds('recovered')[0]!.body.text).toBe('socialync: x/alice is healthy again (its token refreshed); nothing to do.');
    const recoveredMails = smtp.mails.filter((m) => /is healthy again/.test(m.subject));
    expect(recoveredMails.map((m) => m.subject)).toEqual(['socialync: x/alice is healthy again']);
    expect(recoveredMails[0]!.text).toMatch(/It was reported on .* UTC: socialync: x\/alice needs a reconnect/);
  }, 60_000);

  it('two posts failing in one run: ONE digest by mail and by webhook; retry publishes them: one recovered notice each', async () => {
    const add = async (text: string) => {
      const r = await runCli(['schedule', 'add', '--at', 'now', '--to', 'x,linkedin', '--text', text, '--json'], env);
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as { id: number }).id;
    };
    const a = await add('Launch day: the new espresso grinder ships today to every customer');
    const b = await add('Workshop tonight at seven, bring your own beans');
    await fault('x', { path: '/2/tweets', method: 'POST', status: 403, body: { title: 'Forbidden', detail: 'You are not permitted to perform this action.', type: 'about:blank', status: 403 }, count: 2 });
    const mailsBefore = smtp.mails.length;
    const pub = await runCli(['publish'], env);
    expect(pub.code, pub.stderr + pub.stdout).toBe(5);

    const digests = smtp.mails.slice(mailsBefore);
    expect(digests.map((m) => m.subject)).toEqual(['socialync: 2 posts failed on x']);
    const mail = digests[0]!.text;
    expect(mail).toContain('2 posts failed in this run.');
    expect(mail).toContain(`Post ${a}: "Launch day: the new espresso grinder ships today to every customer"`);
    expect(mail).toContain(`Post ${b}: "Workshop tonight at seven, bring your own beans"`);
    expect(mail.match(/^FAILED {4}x\/alice: .+$/gm)).toHaveLength(2);
    expect(mail).toMatch(/^FAILED {4}x\/alice: .*not permitted/m);
    expect(mail.match(/^PUBLISHED linkedin\/alice/gm)).toHaveLength(2);
    expect(mail).toContain(`To fix it and retry:\n  socialync retry ${a}\n`);
    expect(mail).toContain(`To fix it and retry:\n  socialync retry ${b}\n`);

    const failed = kinds('post_failed');
    expect(failed).toHaveLength(1);
    expect((failed[0]!.body.posts as { id: number; fix: string[] }[]).map((p) => [p.id, p.fix])).toEqual([[a, [`socialync retry ${a}`]], [b, [`socialync retry ${b}`]]]);
    expect(failed[0]!.headers['socialync-signature']).toMatch(/^v1=/);

    const retry = await runCli(['retry', '--all-failed', '--yes'], env);
    expect(retry.code, retry.stderr).toBe(0);
    expect((await runCli(['retry', '--all-failed', '--yes'], env)).code).toBe(0);
    const posts = kinds('recovered').filter((d) => (d.body.recovered as { what: string }).what === 'post');
    expect(posts.map((d) => (d.body.recovered as { postId: number }).postId)).toEqual([a, b]);
    expect(posts[0]!.body.text).toBe(`socialync: post ${a} "Launch day: the new espresso grinder sh…" is published after all, on x/alice, linkedin/alice; nothing to do.`);
    expect(smtp.mails.filter((m) => /is published after all/.test(m.subject)).map((m) => m.subject)).toEqual([`socialync: post ${a} is published after all`, `socialync: post ${b} is published after all`]);
  }, 90_000);

  it('notify test --kind sends a sample of that kind to the channels that take it', async () => {
    expect((await runCli(['notify', 'set', 'email', '--to', 'me@example.test', '--from', 'socialync@example.test', '--smtp-host', '127.0.0.1', '--smtp-port', String(smtp.port), '--kinds', 'post_failed'], env)).code).toBe(0);
    const mailsBefore = smtp.mails.length;
    const hooksBefore = hook.accepted().length;
    const r = await runCli(['notify', 'test', '--kind', 'recovered'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('webhook\tsent\n');
    expect(hook.accepted().slice(hooksBefore).map((d) => [d.body.kind, d.body.test])).toEqual([['recovered', true]]);
    expect(smtp.mails.length).toBe(mailsBefore);

    const p = await runCli(['notify', 'test', 'email', '--kind', 'post_failed'], env);
    expect(p.code, p.stderr).toBe(0);
    expect(smtp.mails.slice(mailsBefore).map((m) => m.subject)).toEqual(['[test] socialync: post 0 failed on tiktok']);
    expect(smtp.mails.at(-1)!.text).toContain('socialync connect tiktok --name example --retry-failed');

    const list = await runCli(['notify', 'list'], env);
    expect(list.stdout).toMatch(/^webhook\thttp:\/\/127\.0\.0\.1:\d+\/… \(signed\)\nemail\tme@example\.test via 127\.0\.0\.1:\d+ \(only post_failed\)\n$/);
  }, 60_000);
});
