/**
 * Facebook for `socialync api facebook <path>` (see ./api.ts, ./graph-api.ts). A connection
 * publishes as one Page, so the Page access token acts for it (TokenSet.extra.pageAccessToken;
 * a Page token taken from a long-lived user token has no expiry, facebook.ts); a connection
 * without one uses the user token. Hosts: graph and graph-video.
 */
import { accessCredential, type PlatformApi } from './api.js';
import { descriptor } from './facebook.js';
import { graphNextPage, graphPath, graphRejectsToken } from './graph-api.js';

export const facebookApi: PlatformApi = {
  hosts: ['graph', 'video'],
  path: (p, d) => graphPath(p, d, descriptor.apiVersion as string),
  headers: () => ({}),
  credential: (t) => (t.extra?.pageAccessToken ? { token: t.extra.pageAccessToken } : accessCredential(t)),
  rejectsToken: graphRejectsToken,
  nextPage: graphNextPage,
};
