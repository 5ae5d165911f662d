import { describe, expect, it } from 'vitest';
import { describeFailure, fixCommands, type PostFailure } from './post-failure.js';

describe('post failure notification', () => {
  it('names the fix and retry command per failure class', () => {
    expect(fixCommands(7, [{ platform: 'tiktok', errorClass: 'reconnect_needed', conn: { name: 'brand' } }])).toEqual(['socialync connect tiktok --name brand --retry-failed']);
    expect(fixCommands(7, [{ platform: 'x', errorClass: 'permission' }])).toEqual(['socialync retry 7']);
    expect(fixCommands(7, [{ platform: 'linkedin', errorClass: 'invalid_request' }, { platform: 'x', errorClass: 'reconnect_needed', conn: { name: 'me' } }])).toEqual([
      'socialync connect x --name me --retry-failed',
      'socialync schedule edit 7',
      'socialync retry 7',
    ]);
  });

  it('one line naming the post, what failed and why, what published, and the fix; the email body lists each target', () => {
    const f: PostFailure = {
      postId: 12,
      text: 'Summer sale starts today — 20% off everything in the shop until Sunday',
      failed: [{ platform: 'tiktok', account: 'alice', errorClass: 'reconnect_needed', reason: 'token expired — run socialync connect tiktok --name alice' }],
      published: [{ platform: 'instagram', account: 'alice', url: 'https://www.instagram.com/p/abc/' }, { platform: 'youtube', account: 'alice', url: null }],
      unconfirmed: [],
      fix: ['socialync connect tiktok --name alice --retry-failed'],
    };
    const m = describeFailure(f);
    expect(m.text).toBe(
      'socialync: post 12 "Summer sale starts today — 20% off ever…" failed on tiktok/alice (token expired — run socialync connect tiktok --name alice); published on instagram/alice, youtube/alice. Fix: socialync connect tiktok --name alice --retry-failed',
    );
    expect(m.subject).toBe('socialync: post 12 failed on tiktok');
    expect(m.body).toContain('PUBLISHED instagram/alice https://www.instagram.com/p/abc/');
    expect(m.body).toContain('  socialync connect tiktok --name alice --retry-failed');
  });
});
