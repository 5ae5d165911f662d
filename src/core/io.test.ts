import { describe, expect, it } from 'vitest';
import { PassThrough, Writable } from 'node:stream';
import { createIO } from './io.js';
import { CliError } from './errors.js';

const errno = (code: string) => Object.assign(new Error(code), { code });

/** A stream that accepts `ok` writes, then fails every write with `code`. */
function failingStream(ok: number, code: string) {
  const written: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (written.length >= ok) return cb(errno(code));
      written.push(chunk.toString());
      cb();
    },
  });
  return { stream, written };
}

const ioWith = (stdout: Writable, stderr: Writable = new PassThrough()) =>
  createIO({ stdin: new PassThrough(), stdout, stderr, waitForOutput: true, env: {} });

describe('output streams', () => {
  it('a reader that went away (EPIPE) silences the rest, and the command still succeeds', async () => {
    const out = failingStream(1, 'EPIPE');
    const io = ioWith(out.stream);
    io.out('first');
    io.out('second');
    await new Promise((r) => setImmediate(r));
    io.out('third');
    await expect(io.finish()).resolves.toBeUndefined();
    expect(out.written).toEqual(['first\n']);
  });

  it('any other failure of stdout (a full disk) is a clear error once the command is done', async () => {
    const io = ioWith(failingStream(0, 'ENOSPC').stream);
    io.out('x');
    const thrown = await io.finish().then(() => undefined, (e: unknown) => e);
    expect(thrown).toBeInstanceOf(CliError);
    expect((thrown as CliError).message).toBe('cannot write the output (ENOSPC)');
    expect((thrown as CliError).exitCode).toBe(1);
  });

  it('stderr that cannot be written has nowhere to say so: dropped, never a crash', async () => {
    const err = failingStream(0, 'ENOSPC');
    const io = ioWith(new PassThrough(), err.stream);
    io.err('a');
    await new Promise((r) => setImmediate(r));
    io.err('b');
    await expect(io.finish()).resolves.toBeUndefined();
  });
});
