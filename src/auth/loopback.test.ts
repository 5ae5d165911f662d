import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
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

  it('rejects a wrong state and a missing state with a clear error', async () => {
    lb = await start();
    const res = await request(lb.port, '/callback?code=abc&state=evil');
    expect(res.status).toBe(400);
    await expect(lb.result).rejects.toThrow(/state did not match.*nothing was saved/);
    await lb.close();
    lb = await start();
    await request(lb.port, '/callback?code=abc');
    await expect(lb.result).rejects.toThrow(/no state parameter/);
  });

  it('turns a denial into a cancellation (exit code 2) and escapes platform text', async () => {
    lb = await start();
    const res = await request(lb.port, '/callback?error=access_denied&error_description=%3Cscript%3Ex%3C%2Fscript%3E&state=good-state');
    expect(res.body).not.toContain('<script>');
    const err = await lb.result.catch((e) => e);
    expect(err).toBeInstanceOf(CancelledError);
    expect((err as CliError).exitCode).toBe(ExitCode.cancelled);
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
    lb.acceptPasted(`http://127.0.0.1:${lb.port}/callback?code=pasted&state=good-state#_`);
    expect((await lb.result).params.code).toBe('pasted');
  });
});
