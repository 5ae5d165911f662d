import { describe, expect, it } from 'vitest';
import { statSync } from 'node:fs';
import { CliError, LocalFileError, ProviderError, isBug, isNetworkError, localFileFailure } from './errors.js';
import { classify } from '../publish/engine.js';

const fsError = (path: string) => {
  try {
    statSync(path);
  } catch (e) {
    return e;
  }
  throw new Error('expected a missing file');
};
const undiciDrop = () => new TypeError('fetch failed', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) });
const refused = () => new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED', syscall: 'connect', address: '127.0.0.1', port: 9 }) });

describe('error classification (issue 11 item 10)', () => {
  it('network trouble is transient: undici drops, refused connections, timeouts', () => {
    for (const e of [undiciDrop(), refused(), new DOMException('The operation was aborted due to timeout', 'TimeoutError'), Object.assign(new Error('x'), { code: 'UND_ERR_HEADERS_TIMEOUT' })]) {
      expect(isNetworkError(e)).toBe(true);
      expect(isBug(e)).toBe(false);
      expect(classify(e)).toBe('transient');
    }
  });

  it('our own mistakes are bugs, never transient: TypeError, ReferenceError, RangeError, assertions, unknown errors', () => {
    let typeError: unknown;
    try {
      (undefined as unknown as { x: () => void }).x();
    } catch (e) {
      typeError = e;
    }
    const assertion = Object.assign(new Error('false == true'), { code: 'ERR_ASSERTION', name: 'AssertionError' });
    for (const e of [typeError, new ReferenceError('nope is not defined'), new RangeError('Invalid time value'), assertion]) {
      expect(isBug(e)).toBe(true);
      expect(classify(e)).toBe('bug');
    }
    expect(classify(new Error('something unexpected'))).toBe('bug');
  });

  it('local file errors carry the file name and are local_file, never transient or unconfirmed', () => {
    const missing = fsError('/nonexistent/socialync/video.mp4');
    expect(localFileFailure(missing)).toEqual({ code: 'ENOENT', path: '/nonexistent/socialync/video.mp4', text: 'no such file or folder (ENOENT)' });
    expect(classify(missing)).toBe('local_file');
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write', path: '/data/x' });
    expect(classify(full)).toBe('local_file');
    expect(classify(new LocalFileError('/m.mp4', 'ECHANGED', 'changed since the post was scheduled'))).toBe('local_file');
    // A network errno without a path is not a local file.
    expect(localFileFailure(Object.assign(new Error('x'), { code: 'EACCES', syscall: 'connect' }))).toBeUndefined();
  });

  it('platform and user errors keep their own class', () => {
    expect(classify(new ProviderError('x: 429', { errorClass: 'rate_limited' }))).toBe('rate_limited');
    expect(classify(new CliError('gone', { exitCode: 4 }))).toBe('reconnect_needed');
  });
});
