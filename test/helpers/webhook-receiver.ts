/**
 * A real webhook receiver on 127.0.0.1 (port 0) that checks signatures the way
 * docs/notifications.md tells users to: it runs the Node block of that page, read from the
 * file, so the documented check and the sender are tested against each other. It refuses a
 * forgery (401), a stale timestamp (401) and an `id` it has already handled (409); its answers
 * can be scripted (e.g. 503 twice) and its clock moved.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

type Verified = (secret: string, headers: IncomingHttpHeaders, rawBody: string, nowSeconds?: number) => boolean;

/** The `verified` function of docs/notifications.md's ```js block. */
export async function documentedCheck(): Promise<Verified> {
  const doc = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'notifications.md'), 'utf8');
  const code = /```js\n([\s\S]*?)```/.exec(doc)?.[1];
  if (!code) throw new Error('docs/notifications.md has no ```js block');
  const dir = mkdtempSync(join(tmpdir(), 'socialync-verify-'));
  try {
    writeFileSync(join(dir, 'verify.mjs'), code);
    return ((await import(pathToFileURL(join(dir, 'verify.mjs')).href)) as { verified: Verified }).verified;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface Delivery {
  headers: IncomingHttpHeaders;
  raw: string;
  body: Record<string, unknown>;
  status: number;
}

export interface WebhookReceiver {
  url: string;
  /** Every request, with the status it got. */
  requests: Delivery[];
  /** Requests accepted (2xx). */
  accepted(): Delivery[];
  /** Statuses to answer next, before checking (e.g. [503, 503]). */
  script: number[];
  /** The receiver's clock, Unix seconds (default: the real one). */
  now?: number;
  /** Sends a captured request again, as an attacker would (headers and body as given). */
  replay(d: Pick<Delivery, 'headers' | 'raw'>): Promise<number>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(secret?: string): Promise<WebhookReceiver> {
  const verified = await documentedCheck();
  const seen = new Set<string>();
  const r: WebhookReceiver = {
    url: '',
    requests: [],
    accepted: () => r.requests.filter((d) => d.status < 300),
    script: [],
    replay: async (d) => {
      const res = await fetch(r.url, { method: 'POST', headers: { 'content-type': 'application/json', ...pick(d.headers) }, body: d.raw });
      await res.text();
      return res.status;
    },
    close: () => new Promise<void>((done) => srv.close(() => done())),
  };
  const answer = (raw: string, headers: IncomingHttpHeaders): number => {
    const scripted = r.script.shift();
    if (scripted) return scripted;
    if (secret && !verified(secret, headers, raw, r.now ?? Date.now() / 1000)) return 401;
    const id = String((JSON.parse(raw) as { id?: unknown }).id);
    if (seen.has(id)) return 409;
    seen.add(id);
    return 200;
  };
  const srv: Server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (raw += d));
    req.on('end', () => {
      const status = answer(raw, req.headers);
      r.requests.push({ headers: req.headers, raw, body: JSON.parse(raw) as Record<string, unknown>, status });
      res.writeHead(status).end(status < 300 ? 'ok' : 'refused');
    });
  });
  await new Promise<void>((done) => srv.listen(0, '127.0.0.1', done));
  r.url = `http://127.0.0.1:${(srv.address() as { port: number }).port}/hook/T0KEN-in-path`;
  return r;
}

const pick = (h: IncomingHttpHeaders): Record<string, string> =>
  Object.fromEntries(['socialync-timestamp', 'socialync-signature'].filter((k) => h[k] !== undefined).map((k) => [k, String(h[k])]));
