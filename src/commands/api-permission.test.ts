import { describe, expect, it } from 'vitest';
import { permissionHint } from './api.js';
import type { Connection } from '../store/types.js';

const conn = (scopes: string[]) => ({ platform: 'tiktok', name: 'main', scopes }) as unknown as Connection;

describe('api: the hint of a 403', () => {
  it('names the scope declined at consent and the reconnect that asks for it again', () => {
    const h = permissionHint({ platform: 'tiktok', conn: conn(['user.info.basic']), requested: ['user.info.basic', 'video.upload'] });
    expect(h).toContain('not granted: video.upload');
    expect(h).toContain('socialync connect tiktok');
  });

  it('does not send the user to reconnect when every scope socialync asks for is granted', () => {
    const h = permissionHint({ platform: 'tiktok', conn: conn(['user.info.basic', 'video.upload']), requested: ['user.info.basic', 'video.upload'] });
    expect(h).toBe('the call may need a permission socialync does not ask for (this connection has every one it asks for: user.info.basic video.upload; see docs/platforms/tiktok.md)');
  });
});
