import { afterEach, describe, expect, it } from 'vitest';
import { makeKit, type Kit } from '../../test/helpers/refresh-kit.js';
import { DAY, HOUR } from '../core/clock.js';
import { attentionBanner } from './banner.js';

let kit: Kit | undefined;
afterEach(async () => {
  await kit?.cleanup();
  kit = undefined;
});

describe('attentionBanner', () => {
  it('says nothing when there is no state yet or all is well', async () => {
    kit = makeKit();
    expect(await attentionBanner(kit.deps)).toBeUndefined();
    const now = kit.clock.now();
    await kit.addConnection('tiktok', 'fine', { accessToken: 'a-123456', refreshToken: 'r-123456', scopes: [], obtainedAt: now, expiresAt: now + 2 * HOUR, refreshExpiresAt: now + 100 * DAY });
    expect(await attentionBanner(kit.deps)).toBeUndefined();
  });

  it('one line naming broken and soon-to-break connections and the command to run', async () => {
    kit = makeKit();
    const now = kit.clock.now();
    const t = { accessToken: 'a-123456', refreshToken: 'r-123456', scopes: [], obtainedAt: now, expiresAt: now + 2 * HOUR };
    await kit.addConnection('x', 'broken', t, { health: 'needs_reconnect', reason: 'password_changed' });
    await kit.addConnection('tiktok', 'soon', { ...t, refreshExpiresAt: now + 3 * DAY });
    await kit.deps.config.set('warnDays', 7);
    const b = await attentionBanner(kit.deps);
    expect(b).toBe('! 1 connection needs a reconnect (x/broken); 1 will need one within 7 days (tiktok/soon). Run: socialync status');
    expect(b).not.toContain('\n');
  });
});
