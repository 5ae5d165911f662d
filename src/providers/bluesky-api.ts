/**
 * `socialync api bluesky` is refused: Bluesky access tokens are DPoP-bound (docs/platforms/bluesky.md#dpop),
 * so a plain `Authorization: Bearer` call, which `api` makes, would be refused by the PDS.
 */
import { UsageError } from '../core/errors.js';
import type { PlatformApi } from './api.js';

export function blueskyApi(): PlatformApi {
  throw new UsageError('socialync api does not support bluesky: its tokens are DPoP-bound and cannot be sent as a bearer token', 'use socialync publish / schedule for bluesky');
}
