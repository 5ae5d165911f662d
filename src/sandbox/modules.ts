/**
 * Static list of sandbox modules, so the bundled build includes them
 * (a computed import path would be left out of the bundle).
 * Add a line here when you add src/sandbox/<platform>.ts or <platform>-publish.ts.
 */
import type { PlatformId } from '../providers/types.js';
import type { SandboxModule, SandboxRoutesModule } from './common.js';

export const sandboxModules: Record<PlatformId, { main: () => Promise<SandboxModule>; publish?: () => Promise<SandboxRoutesModule> }> = {
  instagram: { main: () => import('./instagram.js'), publish: () => import('./instagram-publish.js') },
  facebook: { main: () => import('./facebook.js'), publish: () => import('./facebook-publish.js') },
  tiktok: { main: () => import('./tiktok.js'), publish: () => import('./tiktok-publish.js') },
  youtube: { main: () => import('./youtube.js'), publish: () => import('./youtube-publish.js') },
  x: { main: () => import('./x.js'), publish: () => import('./x-publish.js') },
  linkedin: { main: () => import('./linkedin.js'), publish: () => import('./linkedin-publish.js') },
  bluesky: { main: () => import('./bluesky.js'), publish: () => import('./bluesky-publish.js') },
  threads: { main: () => import('./threads.js'), publish: () => import('./threads-publish.js') },
  pinterest: { main: () => import('./pinterest.js'), publish: () => import('./pinterest-publish.js') },
  mastodon: { main: () => import('./mastodon.js'), publish: () => import('./mastodon-publish.js') },
};
