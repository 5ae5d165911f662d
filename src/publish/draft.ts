/**
 * From a stored post to what one platform's publisher sees: the shared fields
 * with that platform's overrides applied. Publishers load lazily, one file per
 * platform (src/providers/<platform>-publish.ts).
 */
import type { PlatformId, PostDraft, Publisher } from '../providers/types.js';
import type { Post } from '../store/posts.js';

export function draftFor(post: Pick<Post, 'text' | 'title' | 'privacy' | 'options' | 'overrides' | 'media'>, platform: PlatformId): PostDraft {
  const o = post.overrides[platform] ?? {};
  const d: PostDraft = { text: o.text ?? post.text, media: post.media, options: { ...post.options, ...(o.options ?? {}) } };
  const title = o.title ?? post.title;
  const privacy = o.privacy ?? post.privacy;
  if (title !== undefined) d.title = title;
  if (privacy !== undefined) d.privacy = privacy;
  return d;
}

const loaders: Record<PlatformId, () => Promise<{ publisher: Publisher }>> = {
  instagram: () => import('../providers/instagram-publish.js'),
  facebook: () => import('../providers/facebook-publish.js'),
  tiktok: () => import('../providers/tiktok-publish.js'),
  youtube: () => import('../providers/youtube-publish.js'),
  x: () => import('../providers/x-publish.js'),
  linkedin: () => import('../providers/linkedin-publish.js'),
  bluesky: () => import('../providers/bluesky-publish.js'),
  threads: () => import('../providers/threads-publish.js'),
  pinterest: () => import('../providers/pinterest-publish.js'),
  mastodon: () => import('../providers/mastodon-publish.js'),
};

export async function loadPublisher(p: PlatformId): Promise<Publisher> {
  return (await loaders[p]()).publisher;
}
