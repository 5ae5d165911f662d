/**
 * Instagram for `socialync api instagram <path>` (see ./api.ts, ./graph-api.ts): with Instagram
 * Login the calls go to graph.instagram.com, with Facebook Login (`app set instagram --login
 * facebook`) to graph.facebook.com; the connection's user token acts for it either way.
 */
import { accessCredential, type PlatformApi } from './api.js';
import { descriptor } from './instagram.js';
import { graphNextPage, graphPath, graphRejectsToken } from './graph-api.js';

const common = {
  path: (p: string, d: Parameters<PlatformApi['path']>[1]) => graphPath(p, d, descriptor.apiVersion as string),
  headers: () => ({}),
  credential: accessCredential,
  rejectsToken: graphRejectsToken,
  nextPage: graphNextPage,
};

export const instagramApi: PlatformApi = { hosts: ['graph'], ...common };
export const instagramFacebookApi: PlatformApi = { hosts: ['facebook_graph'], ...common };
