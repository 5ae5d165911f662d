/**
 * Joins a host override and an API path. `new URL('/v2/x', 'https://proxy/tiktok')` drops the
 * base's path (`https://proxy/v2/x`), so a host override behind a path prefix
 * (SOCIALYNC_TIKTOK_API_URL=https://proxy/tiktok) would silently miss the proxy's route.
 * hostUrl keeps the prefix: `https://proxy/tiktok/v2/x`. A query in `path` becomes the URL's query.
 */
export function hostUrl(base: string, path: string): URL {
  const u = new URL(base);
  const q = path.indexOf('?');
  const p = q < 0 ? path : path.slice(0, q);
  u.pathname = u.pathname.replace(/\/+$/, '') + (p.startsWith('/') ? p : `/${p}`);
  u.search = q < 0 ? '' : path.slice(q);
  u.hash = '';
  return u;
}
