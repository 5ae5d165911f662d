/**
 * The email channel against a real SMTP server (smtp-server): a temporary refusal (4xx) is
 * retried and the mail arrives once; a permanent one (5xx) is not retried nor kept.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { makeKit, type Kit } from '../helpers/refresh-kit.js';
import { startSmtpReceiver, type SmtpReceiver } from '../helpers/smtp-receiver.js';
import { runNotifySetEmail } from '../../src/commands/notify.js';
import { sendToChannels } from '../../src/notify/index.js';
import { sampleNotice } from '../../src/notify/samples.js';
import { pendingNotices } from '../../src/notify/pending.js';

let kit: Kit | undefined;
let smtp: SmtpReceiver | undefined;
afterEach(async () => {
  await smtp?.close();
  await kit?.cleanup();
  kit = smtp = undefined;
});

describe('email delivery', () => {
  it('retries an SMTP 4xx and delivers once; a 5xx is reported, not retried, not kept', async () => {
    kit = makeKit();
    smtp = await startSmtpReceiver();
    await runNotifySetEmail(kit.deps, { to: 'me@example.test', from: 'socialync@example.test', smtpHost: '127.0.0.1', smtpPort: smtp.port });
    smtp.script.push(451);
    expect(await sendToChannels(kit.deps, sampleNotice(kit.clock.now(), 'expiring'))).toEqual([{ channel: 'email', ok: true }]);
    expect(smtp.mails.map((m) => m.subject)).toEqual(['[test] socialync: reconnect tiktok/example in 14 days']);
    expect(kit.clock.sleeps).toHaveLength(1);

    smtp.script.push(550);
    const [r] = await sendToChannels(kit.deps, sampleNotice(kit.clock.now(), 'expiring'));
    expect(r).toMatchObject({ channel: 'email', ok: false, error: expect.stringMatching(/550/) });
    expect(r!.queued).toBeUndefined();
    expect(kit.clock.sleeps).toHaveLength(1);
    expect(smtp.mails).toHaveLength(1);
    expect(await pendingNotices(kit.deps)).toEqual([]);
  });
});
