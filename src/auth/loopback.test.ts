import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import net from 'node:net';
import { startLoopback, type Loopback } from './loopback.js';
import { CancelledError, CliError, ExitCode } from '../core/errors.js';

let lb: Loopback | undefined;
afterEach(async () => {
  await lb?.close();
  lb = undefined;
});

const start = (over: Partial<Parameters<typeof startLoopback>[0]> = {}) =>
  startLoopback({ port: 0, path: '/callback', expectedState: 'good-state', timeoutMs: 5_000, platformName: 'tiktok', ...over });

function request(port: number, path: string, method = 'GET', headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1', () => sock.end(text));
    let out = '';
    sock.on('data', (d) => (out += d));
    sock.on('close', () => resolve(out));
    sock.on('error', reject);
  });
}

describe('loopback listener', () => {
  it('listens on 127.0.0.1 only', async () => {
    lb = await start();
    await expect(request(lb.port, '/x').then((r) => r.status)).resolves.toBe(404);
    const other = await new Promise<string>((resolve) => {
      const req = http.get({ host: '::1', port: lb!.port, path: '/callback' }, () => resolve('connected'));
      req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    expect(other).not.toBe('connected');
  });

  it('accepts one valid callback and answers with the final page', async () => {
    lb = await start();
    const pending = request(lb.port, '/callback?code=abc&state=good-state&scopes=a,b');
    const cb = await lb.result;
    expect(cb.params).toMatchObject({ code: 'abc', scopes: 'a,b' });
    cb.finish(true, 'Connected to <TikTok>', 'as @alice & co');
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.body).toContain('Connected to &lt;TikTok&gt;');
    expect(res.body).toContain('@alice &amp; co');
  });

  it('keeps waiting after requests to other paths (e.g. favicon)', async () => {
    lb = await start();
    expect((await request(lb.port, '/favicon.ico')).status).toBe(404);
    const p = request(lb.port, '/callback?code=c&state=good-state');
    const cb = await lb.result;
    cb.finish(true, 'ok', 'ok');
    expect((await p).status).toBe(200);
  });

  it('answers a missing or wrong state with 400 and keeps waiting for the real callback', async () => {
    const stray: string[] = [];
    lb = await start({ onStrayCallback: (why) => stray.push(why) });
    expect((await request(lb.port, '/callback?code=abc&state=evil')).status).toBe(400);
    expect((await request(lb.port, '/callback?code=abc')).status).toBe(400);
    // A forged denial (any web page can aim an <img> at the port) cannot end the login either.
    expect((await request(lb.port, '/callback?error=access_denied&state=evil')).status).toBe(400);
    expect(stray).toHaveLength(3);
    expect(stray[0]).toMatch(/stale tab or a forged request/);
    const p = request(lb.port, '/callback?code=real&state=good-state');
    const cb = await lb.result;
    expect(cb.params.code).toBe('real');
    cb.finish(true, 'ok', 'ok');
    expect((await p).status).toBe(200);
  });

  it('survives malformed request targets and refuses foreign Host headers', async () => {
    lb = await start();
    expect((await request(lb.port, '//[/x')).status).toBe(400);
    expect((await request(lb.port, '/callback?code=a&state=good-state', 'GET', { host: 'evil.example:80' })).status).toBe(421);
    expect((await request(lb.port, '/callback?code=a&state=good-state', 'GET', { host: `attacker.test:${lb.port}` })).status).toBe(421);
    const raw = await rawRequest(lb.port, 'GET /callback HTTP/1.1\r\nHost: \x01\r\n\r\n');
    expect(raw).toMatch(/^HTTP\/1\.1 4\d\d/);
    const p = request(lb.port, '/callback?code=c&state=good-state', 'GET', { host: `localhost:${lb.port}` });
    (await lb.result).finish(true, 'ok', 'ok');
    expect((await p).status).toBe(200);
  });

  it('strips terminal control characters from platform text in messages', async () => {
    lb = await start();
    void request(lb.port, '/callback?error=server_error&error_description=' + encodeURIComponent('bad\x1b[2J\x1b]0;pwned\x07 thing') + '&state=good-state');
    const err = (await lb.result.catch((e: unknown) => e)) as CliError;
    expect(err.message).toContain('server_error — bad thing');
    expect(err.message).not.toMatch(/\x1b|\x07/);
  });

  it('turns a denial into a cancellation (exit code 2) and escapes platform text', async () => {
    lb = await start();
    const res = await request(lb.port, '/callback?error=access_denied&error_description=%3Cscript%3Ex%3C%2Fscript%3E&state=good-state');
    expect(res.body).not.toContain('<script>');
    const err = await lb.result.catch((e) => e);
    expect(err).toBeInstanceOf(CancelledError);
    expect((err as CliError).exitCode).toBe(ExitCode.cancelled);
    expect((err as CliError).hint).toMatch(/try again, run: socialync connect tiktok/);
  });

  it('refuses other methods and oversized requests without ending the wait', async () => {
    lb = await start();
    expect((await request(lb.port, '/callback?code=a&state=good-state', 'POST')).status).toBe(405);
    expect((await request(lb.port, '/callback?' + 'x'.repeat(9000))).status).toBe(414);
    expect((await request(lb.port, '/callback', 'GET', { 'content-length': String(1 << 20) }).catch(() => ({ status: 413 }))).status).toBe(413);
    const p = request(lb.port, '/callback?code=c&state=good-state');
    (await lb.result).finish(true, 'ok', 'ok');
    expect((await p).status).toBe(200);
  });

  it('names --port when the port is taken', async () => {
    lb = await start();
    await expect(start({ port: lb.port })).rejects.toThrow(/already in use/);
    const err = (await start({ port: lb.port }).catch((e: unknown) => e)) as CliError;
    expect(err.hint).toMatch(/--port/);
    expect(err.exitCode).toBe(ExitCode.usage);
  });

  it('times out with a message that says nothing was saved', async () => {
    lb = await start({ timeoutMs: 100 });
    await expect(lb.result).rejects.toThrow(/no callback from the browser within 0 s; nothing was saved/);
  });

  it('accepts the final URL pasted by the user (headless) and validates it the same way', async () => {
    lb = await start();
    expect(() => lb!.acceptPasted('not a url')).toThrow(/not a URL/);
    expect(() => lb!.acceptPasted('http://127.0.0.1:1/other?code=a&state=good-state')).toThrow(/expected \/callback/);
    expect(() => lb!.acceptPasted(`http://127.0.0.1:${lb!.port}/callback?code=a&state=old`)).toThrow(/stale tab/);
    lb.acceptPasted(`http://127.0.0.1:${lb.port}/callback?code=pasted&state=good-state#_`);
    expect((await lb.result).params.code).toBe('pasted');
  });
});
