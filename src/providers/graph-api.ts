/**
 * The Meta Graph API part of `socialync api facebook|instagram <path>` (see ./api.ts): the Graph
 * version is put in front of a path that has none ("me" -> "/v25.0/me"); an invalid token is
 * HTTP 401 or the error codes 190/102 (usually with HTTP 400: classifyGraphError); lists page by
 * the absolute `paging.next` URL (docs/platforms/facebook.md#api-paging).
 */
import { record, withPrefix, type ApiCall, type PlatformApi } from './api.js';
import { classifyGraphError } from './graph.js';
import type { ProviderDeps } from './types.js';

export function graphPath(p: string, d: ProviderDeps, defaultVersion: string): string {
  return withPrefix(p, `/${d.apiVersion ?? defaultVersion}`, /^\/v\d+\.\d+(\/|$)/);
}

export const graphRejectsToken: PlatformApi['rejectsToken'] = (status, body) =>
  status === 401 || (status >= 400 && classifyGraphError(status, body).errorClass === 'reconnect_needed');

export function graphNextPage(call: ApiCall, body: unknown): ApiCall | undefined {
  const next = record(record(body)?.paging)?.next;
  return call.method === 'GET' && typeof next === 'string' && next ? { ...call, url: new URL(next) } : undefined;
}
