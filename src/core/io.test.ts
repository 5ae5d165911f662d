import { describe, expect, it } from 'vitest';
import { closeSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fdWriter, fdIsTTY } from './io.js';
import { CliError } from './errors.js';

const errno = (code: string) => Object.assign(new Error(code), { code });

/** A fake descriptor: takes at most `chunk` bytes per call, then fails as told. */
function fakeFd(chunk: number, failAt: { call: number; code: string }[] = []) {
  const written: Buffer[] = [];
  let calls = 0;
  const write = ((_fd: number, buf: Buffer) => {
    calls++;
    const f = failAt.find((x) => x.call === calls);
    if (f) throw errno(f.code);
    const n = Math.min(chunk, buf.length);
    written.push(Buffer.from(buf.subarray(0, n)));
    return n;
  }) as unknown as typeof import('node:fs').writeSync;
  return { write, text: () => Buffer.concat(written).toString('utf8'), calls: () => calls };
}

describe('fdWriter (output to a pipe, file or /dev/null)', () => {
  it('writes everything, across partial writes, strings and bytes alike', () => {
    const fd = fakeFd(3);
    const w = fdWriter(1, fd.write);
    w('héllo ');
    w(Buffer.from('wörld\n'));
    expect(fd.text()).toBe('héllo wörld\n');
  });

  it('a reader that went away (EPIPE) silences the rest instead of failing the command', () => {
    const fd = fakeFd(4, [{ call: 2, code: 'EPIPE' }]);
    const w = fdWriter(1, fd.write);
    expect(() => w('first line\n')).not.toThrow();
    const calls = fd.calls();
    w('more\n');
    expect(fd.calls()).toBe(calls);
    expect(fd.text()).toBe('firs');
  });

  it('a full non-blocking pipe (EAGAIN) is waited for and written again: everything arrives, in order', () => {
    const fd = fakeFd(5, [{ call: 2, code: 'EAGAIN' }, { call: 3, code: 'EAGAIN' }]);
    const pauses: number[] = [];
    const w = fdWriter(1, fd.write, (ms) => pauses.push(ms));
    w('0123456789');
    w('abc');
    expect(fd.text()).toBe('0123456789abc');
    expect(pauses).toEqual([1, 2]);
  });

  it('other write errors on stdout are a clear error (exit 1, not "a bug"); on stderr, with nowhere to report, dropped', () => {
    const out = fdWriter(1, fakeFd(5, [{ call: 1, code: 'ENOSPC' }]).write);
    let thrown: unknown;
    try {
      out('x');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(CliError);
    expect((thrown as CliError).message).toBe('cannot write the output (ENOSPC)');
    const err = fdWriter(2, fakeFd(5, [{ call: 1, code: 'ENOSPC' }]).write);
    expect(() => err('x')).not.toThrow();
  });
});

describe('fdIsTTY', () => {
  it('says no for /dev/null, a regular file and a closed descriptor', () => {
    for (const path of ['/dev/null', fileURLToPath(import.meta.url)]) {
      const fd = openSync(path, 'r');
      try {
        expect(fdIsTTY(fd)).toBe(false);
      } finally {
        closeSync(fd);
      }
    }
    expect(fdIsTTY(987654)).toBe(false);
  });
});
