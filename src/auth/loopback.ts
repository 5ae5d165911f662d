/**
 * RFC 8252 §7.3 loopback redirect listener. Bound to 127.0.0.1 only (never
 * 0.0.0.0), it accepts exactly one valid callback: GET on the exact redirect
 * path with the expected `state` (RFC 6749 §10.12, CSRF). Any web page can aim
 * a request at a loopback port, so nothing a request carries can end the
 * login unless its `state` is ours: other paths get 404, a missing or wrong
 * state gets 400 and the wait goes on; only a callback with our state may
 * report a platform error or a denial. Requests whose Host is not the address
 * we listen on are refused (DNS rebinding), no request can crash the listener,
 * every response is ended, platform text is HTML-escaped in pages and stripped
 * of control characters in messages, and the listener closes after the callback.
 */
import { escapeHtml } from '../core/html.js';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { CancelledError, CliError, ExitCode, UsageError } from '../core/errors.js';
import { printable } from '../core/printable.js';

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
  /** A function where the state is known only after the listener is up (Bluesky: chosen by the OAuth library). */
  expectedState: string | (() => string);
  timeoutMs: number;
  tls?: { key: string; cert: string };
  /** Flag name to suggest when the port is taken. */
  portFlag?: string;
  platformName: string;
  /** Told (once per request) when a request reached the callback path without this login's state. */
  onStrayCallback?: (why: string) => void;
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

/** Platform-supplied text, shortened and without terminal control characters. */
const quoted = (text: string): string => printable(text).slice(0, 200);

/** Why a callback does not belong to this login (no state, or another login's): it must not end the wait. */
function strayReason(q: URLSearchParams, expectedState: string): string | undefined {
  const state = q.get('state');
  if (!state) return 'a request without a state parameter';
  if (state !== expectedState) return "a request whose state is not this login's (a stale tab or a forged request)";
  return undefined;
}

/** Why a callback that carries our state is refused, as a user-facing error (no secret values). */
function callbackError(platform: string, q: URLSearchParams): CliError | undefined {
  const error = q.get('error');
  if (error) {
    const desc = q.get('error_description') ?? '';
    if (['access_denied', 'user_cancelled_login', 'user_cancelled_authorize', 'user_denied'].includes(error)) {
      return new CancelledError(`${platform}: authorization was denied in the browser${desc ? ` (${quoted(desc)})` : ''}`, {
        hint: `to try again, run: socialync connect ${platform} (and choose Allow)`,
      });
    }
    return new CliError(`${platform}: the platform refused the authorization: ${quoted(error)}${desc ? ` — ${quoted(desc)}` : ''}`, {
      hint: `check the app settings (socialync app list), then run: socialync connect ${platform}`,
    });
  }
  if (!q.get('code')) return new CliError(`${platform}: the callback had no authorization code`, { hint: `run: socialync connect ${platform}` });
  return undefined;
}

/** The Host header values a browser sends for our redirect URI (127.0.0.1 or localhost, our port). */
function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
}

/** The request target as a URL, or undefined when it cannot be parsed (e.g. `//[/x`). */
function parseRequestUrl(target: string | undefined): URL | undefined {
  try {
    return new URL(target ?? '/', 'http://127.0.0.1');
  } catch {
    return undefined;
  }
}

export async function startLoopback(o: LoopbackOptions): Promise<Loopback> {
  let settle!: { resolve: (v: CallbackParams & Responder) => void; reject: (e: unknown) => void };
  const result = new Promise<CallbackParams & Responder>((resolve, reject) => (settle = { resolve, reject }));
  result.catch(() => undefined);
  let done = false;
  let pendingResponse: http.ServerResponse | undefined;
  let hosts = new Set<string>();

  const deliver = (q: URLSearchParams, res?: http.ServerResponse): void => {
    const err = callbackError(o.platformName, q);
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

  const route = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    if ((req.url ?? '').length > MAX_URL) return send(res, 414, page(false, 'Request too large', 'The request URL is too long.'));
    const len = Number(req.headers['content-length'] ?? 0);
    if (len > 64 * 1024) return send(res, 413, page(false, 'Request too large', 'The request body is too large.'));
    if (!hosts.has(String(req.headers.host ?? '').toLowerCase())) return send(res, 421, page(false, 'Wrong host', 'This listener answers only its own loopback address.'));
    const url = parseRequestUrl(req.url);
    if (!url) return send(res, 400, page(false, 'Bad request', 'The request URL could not be read.'));
    if (url.pathname !== o.path) return send(res, 404, page(false, 'Not found', 'This is socialync\'s login listener.'));
    if (req.method !== 'GET') return send(res, 405, page(false, 'Method not allowed', 'Only GET is accepted here.'), { allow: 'GET' });
    if (done) return send(res, 409, page(false, 'Already used', 'This login has already received its callback.'));
    const stray = strayReason(url.searchParams, typeof o.expectedState === 'function' ? o.expectedState() : o.expectedState);
    if (stray) {
      o.onStrayCallback?.(stray);
      return send(res, 400, page(false, 'Not this login', 'This callback does not belong to the login waiting in the terminal; nothing was saved. Finish the login in the tab that socialync opened.'));
    }
    deliver(url.searchParams, res);
  };
  // No request, however malformed, may end the login with a crash.
  const handler: http.RequestListener = (req, res) => {
    try {
      route(req, res);
    } catch {
      if (!res.headersSent) send(res, 400, page(false, 'Bad request', 'The request could not be read.'));
      else res.destroy();
    }
  };

  const server = o.tls ? https.createServer({ key: o.tls.key, cert: o.tls.cert }, handler) : http.createServer(handler);
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });
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
  hosts = allowedHosts(port);

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
      if (url.pathname !== o.path) throw new UsageError(`that URL's path is ${printable(url.pathname)}, expected ${o.path}; paste the address the browser was redirected to`);
      const stray = strayReason(url.searchParams, typeof o.expectedState === 'function' ? o.expectedState() : o.expectedState);
      if (stray) throw new UsageError(`that URL is ${stray}; paste the address of the tab this login opened`);
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
