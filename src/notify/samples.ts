/**
 * What `notify test` sends: a plain test line, or with --kind a sample shaped like the real
 * notice of that kind (same fields, so a receiver's routing can be tried), marked `test`.
 */
import { describeFailure } from './post-failure.js';
import type { Notification, NoticeKind, PostFailureSummary } from './types.js';

const SAMPLE_POST: PostFailureSummary = {
  postId: 0,
  text: 'Sample post: this is what a failed post notice looks like',
  failed: [{ platform: 'tiktok', account: 'example', errorClass: 'reconnect_needed', reason: 'the connection needs a reconnect (sample)' }],
  published: [{ platform: 'instagram', account: 'example', url: null }],
  unconfirmed: [],
  fix: ['socialync connect tiktok --name example --retry-failed'],
};

const conn = { id: '00000000-0000-0000-0000-000000000000', platform: 'tiktok', name: 'example' };

export function sampleNotice(at: number, kind?: NoticeKind): Notification {
  const mark = (n: Omit<Notification, 'at' | 'test'>): Notification => ({ ...n, text: `[test] ${n.text}`, subject: `[test] ${n.subject}`, body: `This is a test of socialync notifications.\n\n${n.body}`, at, test: true });
  switch (kind) {
    case undefined: {
      const text = 'socialync: test notification. Connections that need attention will be reported like this.';
      return { kind: 'test', text, subject: 'socialync: test notification', body: `${text}\n`, at };
    }
    case 'reconnect_needed': {
      const text = 'socialync: tiktok/example needs a reconnect (sample). Run: socialync connect tiktok --name example';
      return mark({ kind, text, subject: 'socialync: tiktok/example needs a reconnect', body: `${text}\n`, connection: conn });
    }
    case 'expiring': {
      const text = 'socialync: tiktok/example will need a reconnect in 14 days (sample). Run: socialync connect tiktok --name example';
      return mark({ kind, text, subject: 'socialync: reconnect tiktok/example in 14 days', body: `${text}\n`, connection: conn, reconnectBy: at + 14 * 86_400_000 });
    }
    case 'post_failed':
      return mark({ kind, ...describeFailure(SAMPLE_POST), post: SAMPLE_POST, posts: [SAMPLE_POST] });
    case 'recovered': {
      const text = 'socialync: tiktok/example is healthy again (sample); nothing to do.';
      return mark({ kind, text, subject: 'socialync: tiktok/example is healthy again', body: `${text}\n`, connection: conn, recovered: { what: 'connection' } });
    }
  }
}
