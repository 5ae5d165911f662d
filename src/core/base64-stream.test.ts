/**
 * Base64 piece by piece equals Base64 of the whole (padding only at the end), and Http.upload's
 * `encoding: 'base64'` sends head + Base64(file range) + tail with a Content-Length announced ahead
 * that matches what goes on the wire (a real local server reads it).
 */
import { createServer, type IncomingMessage } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base64Chunks, base64Length, BASE64_READ_BYTES } from './base64-stream.js';
import { createHttp } from './http.js';

async function encodeInPieces(data: Buffer, sizes: number[]): Promise<Buffer[]> {
  async function* pieces() {
    for (let at = 0, i = 0; at < data.length; i++) {
      const n = sizes[i % sizes.length]!;
      yield data.subarray(at, at + n);
      at += n;
    }
  }
  const out: Buffer[] = [];
  for await (const b of base64Chunks(pieces())) out.push(b);
  return out;
}

describe('base64Chunks', () => {
  it.each([0, 1, 2, 3, 4, 5, 6, 7, 1000, 1001, 1002])('%i bytes in pieces of 1, 2, 4, 5 and 7 bytes: the Base64 of the whole', async (n) => {
    const data = randomBytes(n);
    const out = await encodeInPieces(data, [1, 2, 4, 5, 7]);
    expect(Buffer.concat(out).toString('latin1')).toBe(data.toString('base64'));
    // Every piece but the last is a whole number of groups without padding.
    for (const b of out.slice(0, -1)) expect(b.toString('latin1')).not.toContain('=');
    for (const b of out) expect(b.length % 4).toBe(0);
  });

  it('base64Length is 4 per started group of 3', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 6, 32 * 1024 * 1024 - 1, 32 * 1024 * 1024, 32 * 1024 * 1024 + 1]) expect(base64Length(n)).toBe(Buffer.alloc(n).toString('base64').length);
    expect(BASE64_READ_BYTES % 3).toBe(0);
  });
});

describe('Http.upload with encoding base64', () => {
  const got: { length: string | undefined; body: Buffer }[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ length: req.headers['content-length'], body: Buffer.concat(chunks) });
      res.writeHead(201, { 'content-type': 'application/json' }).end('{"id":"1"}');
    });
  });
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v5/pins`;
  });
  afterAll(async () => new Promise<void>((r) => server.close(() => r())));

  it.each([1, 2, 3, BASE64_READ_BYTES - 1, BASE64_READ_BYTES, BASE64_READ_BYTES + 1, 3 * BASE64_READ_BYTES + 2])('a file of %i bytes: head, Base64 of every byte, tail; Content-Length as sent', async (n) => {
    const file = join(mkdtempSync(join(tmpdir(), 'socialync-b64-')), 'image.jpg');
    const data = randomBytes(n);
    writeFileSync(file, data);
    const head = Buffer.from('{"title":"é","media_source":{"data":"');
    const tail = Buffer.from('"}}');
    let progress = 0;
    const res = await createHttp().upload(url, { method: 'POST', headers: { 'content-type': 'application/json' }, path: file, start: 0, end: n - 1, envelope: { head, tail }, encoding: 'base64', onProgress: (sent) => (progress = sent) });
    expect(res.status).toBe(201);
    const last = got.at(-1)!;
    expect(last.body.toString('utf8')).toBe(`{"title":"é","media_source":{"data":"${data.toString('base64')}"}}`);
    expect(Number(last.length)).toBe(last.body.length);
    expect(Number(last.length)).toBe(head.length + base64Length(n) + tail.length);
    expect(progress).toBe(n); // progress counts the file's bytes
  });
});
