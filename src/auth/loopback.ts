/**
 * RFC 8252 §7.3 loopback redirect listener. Bound to 127.0.0.1 only (never
 * 0.0.0.0), it accepts exactly one valid callback: GET on the exact redirect
 * path with the expected `state` (RFC 6749 §10.12, CSRF). Other paths get 404
 * and the wait goes on (browsers ask for /favicon.ico); a wrong state, a
 * platform error or a denial ends the login. Every response is ended, all
 * platform text is HTML-escaped, and the listener closes after the callback.
 */
import { escapeHtml } from '../core/html.js';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { CancelledError, CliError, ExitCode, UsageError } from '../core/errors.js';

export interface CallbackParams {
  params: Record<string, string>;
}

export interface Responder {
  /** Answers the browser with the final page (after the code exchange). */
  finish(ok: boolean, title: string, detail: string): void;
}

export interface LoopbackOptions {
  port: number;
  path: string;
  expectedState: string;
  timeoutMs: number;
  tls?: { key: string; cert: string };
  /** Flag name to suggest when the port is taken. */
  portFlag?: string;
  platformName: string;
}

export interface Loopback {
  port: number;
  /** Resolves with the callback query and a responder; rejects on denial, wrong state, timeout. */
  result: Promise<CallbackParams & Responder>;
  /** Validates a URL pasted by the user (headless paste-back) exactly like a browser callback. */
  acceptPasted(url: string): void;
  close(): Promise<void>;
}

const MAX_URL = 8 * 1024;


export function page(ok: boolean, title: string, detail: string): string {
  const color = ok ? '#1a7f37' : '#cf222e';
  return `<!doctype html><html><head><meta charset="utf-8"><title>socialync: ${escapeHtml(title)}</title></head>
<body style="font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;line-height:1.5">
<h1 style="color:${color}" id="result">${escapeHtml(title)}</h1><p>${escapeHtml(detail)}</p>
<p>You can close this tab and return to the terminal.</p></body></html>`;
}

function send(res: http.ServerResponse, status: number, body: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    connection: 'close',
    ...extra,
  });
  res.end(body);
}

/** Why a callback is refused, as a user-facing error (no secret values). */
function callbackError(platform: string, q: URLSearchParams, expectedState: string): CliError | undefined {
  const state = q.get('state');
  const error = q.get('error');
  if (error) {
    const desc = q.get('error_description') ?? '';
    if (['access_denied', 'user_cancelled_login', 'user_cancelled_authorize', 'user_denied'].includes(error)) {
      return new CancelledError(`${platform}: authorization was denied in the browser${desc ? ` (${desc.slice(0, 200)})` : ''}`);
    }
    return new CliError(`${platform}: the platform refused the authorization: ${error}${desc ? ` — ${desc.slice(0, 200)}` : ''}`, {
      hint: `check the app settings (socialync app list), then run: socialync connect ${platform}`,
    });
  }
  if (!state) return new CliError(`${platform}: the callback had no state parameter; the login was not completed`, { hint: `run: socialync connect ${platform}` });
  if (state !== expectedState) {
    return new CliError(`${platform}: the callback's state did not match this login (a stale tab or a forged request); nothing was saved`, {
      hint: `run: socialync connect ${platform}`,
    });
  }
  if (!q.get('code')) return new CliError(`${platform}: the callback had no authorization code`, { hint: `run: socialync connect ${platform}` });
  return undefined;
}

export async function startLoopback(o: LoopbackOptions): Promise<Loopback> {
  let settle!: { resolve: (v: CallbackParams & Responder) => void; reject: (e: unknown) => void };
  const result = new Promise<CallbackParams & Responder>((resolve, reject) => (settle = { resolve, reject }));
  result.catch(() => undefined);
  let done = false;
  let pendingResponse: http.ServerResponse | undefined;

  const deliver = (q: URLSearchParams, res?: http.ServerResponse): void => {
    const err = callbackError(o.platformName, q, o.expectedState);
    if (err) {
      if (res) send(res, 400, page(false, 'Login failed', err.message));
      done = true;
      settle.reject(err);
      return;
    }
    done = true;
    pendingResponse = res;
    const params = Object.fromEntries(q.entries());
    settle.resolve({
      params,
      finish(ok, title, detail) {
        if (pendingResponse && !pendingResponse.writableEnded) send(pendingResponse, ok ? 200 : 400, page(ok, title, detail));
        pendingResponse = undefined;
      },
    });
  };

  const handler: http.RequestListener = (req, res) => {
    if ((req.url ?? '').length > MAX_URL) return send(res, 414, page(false, 'Request too large', 'The request URL is too long.'));
    const len = Number(req.headers['content-length'] ?? 0);
    if (len > 64 * 1024) return send(res, 413, page(false, 'Request too large', 'The request body is too large.'));
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== o.path) return send(res, 404, page(false, 'Not found', 'This is socialync\'s login listener.'));
    if (req.method !== 'GET') return send(res, 405, page(false, 'Method not allowed', 'Only GET is accepted here.'), { allow: 'GET' });
    if (done) return send(res, 409, page(false, 'Already used', 'This login has already received its callback.'));
    deliver(url.searchParams, res);
  };

  const server = o.tls ? https.createServer({ key: o.tls.key, cert: o.tls.cert }, handler) : http.createServer(handler);
  server.maxHeadersCount = 100;
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') {
        reject(
          new UsageError(
            `port ${o.port} on 127.0.0.1 is already in use, so the login listener cannot start`,
            `stop the program using it, or pass ${o.portFlag ?? '--port'} <free port> (and register that redirect URI in the ${o.platformName} app)`,
          ),
        );
      } else if (e.code === 'EACCES') {
        reject(new UsageError(`not allowed to listen on port ${o.port}`, `pass ${o.portFlag ?? '--port'} with a port above 1024`));
      } else reject(e);
    });
    server.listen(o.port, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  const timer = setTimeout(() => {
    if (done) return;
    done = true;
    settle.reject(
      new CliError(`${o.platformName}: no callback from the browser within ${Math.round(o.timeoutMs / 1000)} s; nothing was saved`, {
        exitCode: ExitCode.failed,
        hint: `run it again (socialync connect ${o.platformName} --timeout <seconds>), or use --no-browser to paste the final URL`,
      }),
    );
  }, o.timeoutMs);
  timer.unref();

  return {
    port,
    result,
    acceptPasted(text) {
      if (done) return;
      let url: URL;
      try {
        url = new URL(text.trim());
      } catch {
        throw new UsageError('that is not a URL; paste the whole address from the browser\'s address bar');
      }
      if (url.pathname !== o.path) throw new UsageError(`that URL's path is ${url.pathname}, expected ${o.path}; paste the address the browser was redirected to`);
      deliver(url.searchParams);
    },
    async close() {
      clearTimeout(timer);
      if (pendingResponse && !pendingResponse.writableEnded) send(pendingResponse, 500, page(false, 'Login interrupted', 'socialync stopped before finishing.'));
      // Finish in-flight responses (they carry `connection: close`), then force the rest.
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 1000).unref();
      });
    },
  };
}
