/**
 * A post's overall status from its targets' states (a post whose targets disagree is partially
 * published). The only place this rule is written: the post store stores its result in
 * posts.status whenever a target's state changes (src/store/posts.ts), for listing by status.
 */
import type { TargetState } from '../store/posts.js';

export type PostStatus = TargetState | 'partial';
export const POST_STATUSES: PostStatus[] = ['scheduled', 'publishing', 'published', 'partial', 'failed', 'unconfirmed', 'cancelled'];

export function postStatus(states: TargetState[]): PostStatus {
  const has = (s: TargetState) => states.includes(s);
  const live = states.filter((s) => s !== 'cancelled');
  if (!live.length) return 'cancelled';
  if (live.every((s) => s === 'published')) return 'published';
  if (has('publishing')) return 'publishing';
  if (has('published')) return 'partial';
  if (has('unconfirmed')) return 'unconfirmed';
  if (has('failed')) return 'failed';
  return 'scheduled';
}
