import type { Command } from 'commander';
import type { CommandContext } from '../program.js';
import type { Deps } from '../deps.js';
import { CliError, ExitCode, UsageError, isNetworkError } from '../core/errors.js';
import { redactText } from '../core/redact.js';
import type { Response } from '../core/http.js';
import { parsePlatform } from '../providers/registry.js';
import { loadPlatformApi, type ApiCall, type PlatformApi } from '../providers/api.js';
import { PLATFORMS, type PlatformId, type ProviderDeps, type TokenSet } from '../providers/types.js';
import type { Connection } from '../store/types.js';
import { pickConnection, reconnectError, renewedToken, usableToken } from '../auth/access.js';
import { connectHint } from '../auth/refresh.js';
import { addQuery, parseFields, parseHeaders, type Fields } from './api-fields.js';

export interface ApiOptions {
  account?: string;
  method?: string;
  rawField?: string[];
  field?: string[];
  header?: string[];
  input?: string;
  paginate?: boolean;
  slurp?: boolean;
  include?: boolean;
  silent?: boolean;
}

/** One answer of the platform, as received. */
export interface ApiPage {
  status: number;
  statusText: string;
  headers: [string, string][];
  body: Buffer;
  /** The body parsed, when it is JSON. */
  json: unknown;
}

interface Target {
  platform: PlatformId;
  conn: Connection;
  /** The scopes socialync asks for at connect (the provider's descriptor). */
  requested: string[];
  api: PlatformApi;
  pd: ProviderDeps;
  /** Resolved origins (with any path prefix) that may receive the token. */
  bases: URL[];
}

interface Request {
  call: ApiCall;
  headers: Record<string, string>;
  /** --input bytes (sent as they are while the paginator leaves `rawJson`, their parsed form, alone). */
  raw?: Buffer;
  rawJson?: Record<string, unknown>;
}

/**
 * Calls the platform's API with the connection's token and hands every page to `onPage`.
 * Throws CliError for a refusal (after the page was handed over): the exit code follows the
 * HTTP status (README "Exit codes").
 */
export async function runApi(deps: Deps, platformArg: string, path: string, o: ApiOptions, onPage: (p: ApiPage) => void): Promise<void> {
  const t = await target(deps, parsePlatform(platformArg), o.account);
  let req = await firstRequest(deps, t, path, o);
  const got = await usableToken(deps, t.conn);
  if (got.warning) deps.io.err(`warning: ${got.warning}`);
  let tokens = got.tokens;
  let renewed = false;
  const seen = new Set<string>();
  for (;;) {
    let page = await send(deps, t, req, tokens);
    if (t.api.rejectsToken(page.status, page.json) && !renewed) {
      renewed = true;
      tokens = await renewedToken(deps, t.conn, tokens);
      page = await send(deps, t, req, tokens);
    }
    onPage(page);
    if (page.status < 200 || page.status > 299) throw refusal(t, page);
    const next = o.paginate ? t.api.nextPage(req.call, page.json, new Headers(page.headers)) : undefined;
    if (!next) return;
    const key = `${next.url.href} ${JSON.stringify(next.json ?? null)}`;
    if (seen.has(key)) throw new CliError(`${t.platform}: the platform sent the same next page twice; stopped paging`, { hint: 'the pages printed so far are complete' });
    seen.add(key);
    refuseForeign(t, next.url, 'the next page');
    req = { ...req, call: next };
  }
}

async function target(deps: Deps, platform: PlatformId, account: string | undefined): Promise<Target> {
  const conn = await pickConnection(deps, platform, account);
  const [api, pd, provider] = await Promise.all([loadPlatformApi(platform, deps.config), deps.providerDeps(platform, conn), deps.provider(platform)]);
  const bases = api.hosts.map((h) => pd.hosts[h]).filter((h): h is string => Boolean(h)).map((h) => new URL(h));
  return { platform, conn, requested: provider.descriptor.scopes.map((s) => s.scope), api, pd, bases };
}

/** A relative path goes to the platform's first API host; an absolute URL only to one of its hosts. */
export function resolvePath(t: Pick<Target, 'platform' | 'api' | 'pd' | 'bases'>, path: string): URL {
  if (/^[a-z][a-z0-9+.-]*:/i.test(path)) {
    let url: URL;
    try {
      url = new URL(path);
    } catch {
      throw new UsageError(`"${path}" is not a valid URL`);
    }
    refuseForeign(t, url, path);
    return url;
  }
  const base = t.bases[0]!;
  const url = new URL(base.href.replace(/\/+$/, '') + t.api.path(path, t.pd));
  refuseForeign(t, url, path);
  return url;
}

/** The token goes only to the platform's own API hosts (with their path prefix, if overridden). */
function refuseForeign(t: Pick<Target, 'platform' | 'bases'>, url: URL, what: string): void {
  const ok = t.bases.some((b) => {
    const prefix = b.pathname.replace(/\/+$/, '');
    return url.origin === b.origin && !url.username && !url.password && (!prefix || url.pathname === prefix || url.pathname.startsWith(prefix + '/'));
  });
  if (!ok) {
    throw new UsageError(
      `refusing to send the ${t.platform} token to ${url.origin}${url.pathname === '/' ? '' : url.pathname} (${what}): not one of ${t.platform}'s API hosts`,
      `use a path such as "me", or a URL on ${t.bases.map((b) => b.origin).join(', ')}`,
    );
  }
}

async function firstRequest(deps: Deps, t: Target, path: string, o: ApiOptions): Promise<Request> {
  let stdinUsed = o.input === '-';
  const fields = await parseFields(o.rawField, o.field, async (file) => {
    if (file === '-') {
      if (stdinUsed) throw new UsageError('standard input can be read only once (by --input - or one -F key=@-)');
      stdinUsed = true;
      return (await readStdin(deps)).toString('utf8');
    }
    return (await import('node:fs/promises')).readFile(file, 'utf8');
  });
  const headers = parseHeaders(o.header);
  const hasFields = Object.keys(fields).length > 0;
  const method = (o.method ?? (hasFields || o.input ? 'POST' : 'GET')).toUpperCase();
  if (!/^[A-Z]+$/.test(method)) throw new UsageError(`-X ${o.method}: not an HTTP method`, 'e.g. -X POST');
  const url = resolvePath(t, path);
  if (o.input !== undefined) {
    addQuery(url, fields);
    const raw = o.input === '-' ? await readStdin(deps) : await (await import('node:fs/promises')).readFile(o.input);
    const json = jsonObject(raw);
    if (json && !headers['content-type']) headers['content-type'] = 'application/json';
    return { call: { method, url, ...(json ? { json } : {}) }, headers, raw, ...(json ? { rawJson: json } : {}) };
  }
  if (method === 'GET' || method === 'HEAD') {
    addQuery(url, fields);
    return { call: { method, url }, headers };
  }
  return { call: { method, url, ...(hasFields ? { json: fields as Record<string, unknown> } : {}) }, headers };
}

function jsonObject(raw: Buffer): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(raw.toString('utf8'));
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Fields) : undefined;
  } catch {
    return undefined;
  }
}

async function readStdin(deps: Deps): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of deps.io.stdin) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks);
}

async function send(deps: Deps, t: Target, req: Request, tokens: TokenSet): Promise<ApiPage> {
  const { call } = req;
  // A paginator that changed the JSON body (TikTok's cursor) sends the new body, else the bytes as given.
  const body = req.raw && call.json === req.rawJson ? req.raw : call.json ? JSON.stringify(call.json) : req.raw;
  const headers: Record<string, string> = {
    ...t.api.headers(t.pd),
    ...(call.json && !req.raw ? { 'content-type': 'application/json' } : {}),
    ...req.headers,
    authorization: `Bearer ${t.api.credential(tokens).token}`,
  };
  let res: Response;
  try {
    res = await deps.http.fetch(call.url, { method: call.method, headers, redirect: 'manual', ...(body !== undefined && call.method !== 'GET' && call.method !== 'HEAD' ? { body } : {}) });
  } catch (e) {
    if (!isNetworkError(e)) throw e;
    throw new CliError(`${t.platform}: could not reach ${call.url.origin}: ${redactText(String((e as Error).message))}`, { exitCode: ExitCode.transient, hint: 'check the network, then try again' });
  }
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, statusText: res.statusText, headers: [...res.headers.entries()], body: bytes, json: parseJson(bytes, res.headers.get('content-type')) };
}

function parseJson(bytes: Buffer, type: string | null): unknown {
  if (!bytes.length || (type && !/[/+]json\b/i.test(type) && !/^\s*[[{]/.test(bytes.subarray(0, 64).toString('utf8')))) return undefined;
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The error for a non-2xx answer: exit 4 for a refused token, 6 for rate limits and server errors, else 1. */
function refusal(t: Target, page: ApiPage): CliError {
  const detail = platformMessage(page.json);
  const what = `${t.platform}: HTTP ${page.status}${page.statusText ? ` ${page.statusText}` : ''}${detail ? `: ${detail}` : ''}`;
  if (t.api.rejectsToken(page.status, page.json)) return reconnectError(t.conn, `the platform refused the token even after a refresh (${what})`);
  if (page.status === 429 || page.status >= 500) return new CliError(what, { exitCode: ExitCode.transient, hint: 'temporary: try again later' });
  if (page.status === 403) return new CliError(what, { hint: permissionHint(t) });
  if (page.status >= 300 && page.status < 400) {
    const where = page.headers.find(([k]) => k === 'location')?.[1];
    return new CliError(`${what}: redirected${where ? ` to ${redactText(where)}` : ''}; not followed (the token goes only to ${t.platform}'s API hosts)`);
  }
  return new CliError(what);
}

/**
 * A 403: reconnecting helps only when a scope socialync asks for was not granted (declined on the
 * consent page); a call that needs a scope socialync never asks for cannot be fixed by reconnecting.
 */
export function permissionHint(t: Pick<Target, 'platform' | 'conn' | 'requested'>): string {
  const granted = t.conn.scopes.join(' ') || 'none recorded';
  const missing = t.requested.filter((s) => !t.conn.scopes.includes(s));
  if (missing.length) return `the connection may lack a permission (granted: ${granted}; not granted: ${missing.join(' ')}); to grant it, ${connectHint(t.conn)}`;
  return `the call may need a permission socialync does not ask for (this connection has every one it asks for: ${granted}; see docs/platforms/${t.platform}.md)`;
}

/** The message in the usual error envelopes (Graph/TikTok/YouTube error.message, X detail/title, LinkedIn message). */
function platformMessage(json: unknown): string | undefined {
  const b = json && typeof json === 'object' ? (json as Record<string, unknown>) : undefined;
  const err = b?.error && typeof b.error === 'object' ? (b.error as Record<string, unknown>) : undefined;
  const m = err?.message ?? b?.detail ?? b?.message ?? b?.title ?? b?.error_description ?? (typeof b?.error === 'string' ? b.error : undefined);
  return typeof m === 'string' && m ? redactText(m).slice(0, 300) : undefined;
}

function printPage(deps: Deps, o: ApiOptions, page: ApiPage): void {
  const { io } = deps;
  if (o.include) {
    io.out(`HTTP ${page.status} ${page.statusText}`.trimEnd());
    for (const [k, v] of page.headers.sort(([a], [b]) => a.localeCompare(b))) io.out(`${k}: ${v}`);
    io.out('');
  }
  if (o.silent || !page.body.length) return;
  if (io.stdoutIsTTY && page.json !== undefined) io.out(JSON.stringify(page.json, null, 2));
  else io.outBytes(page.body);
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function registerApi(program: Command, { deps }: CommandContext): void {
  program
    .command('api')
    .description("call a platform's API with a connection's token (like gh api)")
    .argument('<platform>', PLATFORMS.join(', '))
    .argument('<path>', 'a path ("users/me", "/2/users/me") or a URL on the platform\'s own API hosts')
    .option('--account <name>', 'the connection (its local name) when the platform has several')
    .option('-X, --method <method>', 'HTTP method (GET|POST|PUT|PATCH|DELETE); default GET, or POST with fields or --input')
    .option('-f, --raw-field <key=value>', 'add a string field (repeatable; key[]=v for a list, key[sub]=v nested)', collect)
    .option('-F, --field <key=value>', 'add a typed field: integers, true, false, null, @file, @- (repeatable)', collect)
    .option('-H, --header <name:value>', 'add an HTTP header (repeatable)', collect)
    .option('--input <file>', 'the request body from a file, or - for standard input (fields then go to the query)')
    .option('--paginate', 'fetch every page (Graph paging.next, X next_token, YouTube nextPageToken, LinkedIn start/count, TikTok cursor, Mastodon Link rel="next")')
    .option('--slurp', 'with --paginate: print all pages as one JSON array')
    .option('-i, --include', 'print the HTTP status and response headers first')
    .option('--silent', 'do not print the response body')
    .addHelpText('after', `
The connection's token and the platform's required headers are added (LinkedIn-Version and
X-Restli-Protocol-Version; the Graph version in front of a Facebook/Instagram path that has
none). A 401 is answered by one refresh and one retry. GET sends fields as the query string,
other methods as a JSON body. The body goes to stdout (pretty JSON on a terminal, as received
otherwise); errors to stderr. Exit 0 for 2xx, 4 when the token is refused even after a refresh,
6 for 429/5xx and network errors, 1 for other HTTP errors, 3 for usage errors.

Examples:
  $ socialync api x users/me
  $ socialync api x /2/tweets -f text='hello from the terminal'
  $ socialync api x users/123/tweets -X GET -F max_results=100 --paginate --slurp
  $ socialync api facebook me -f fields=id,name -X GET
  $ socialync api youtube channels -X GET -f part=snippet -F mine=true
  $ socialync api linkedin posts -X GET -f q=author -f author=urn:li:person:abc --paginate
  $ socialync api tiktok video/list/ -F max_count=20 -f fields=id,title --paginate
  $ socialync api mastodon accounts/123/followers -X GET -F limit=80 --paginate --slurp
  $ socialync api x /2/tweets --input post.json`)
    .action(async (platform: string, path: string, o: ApiOptions) => {
      if (o.slurp && !o.paginate) throw new UsageError('--slurp needs --paginate');
      let pages: unknown[] = [];
      // --slurp: the pages received so far come out (as one array) before anything else is said.
      const flush = () => {
        if (pages.length) deps.io.out(JSON.stringify(pages, null, deps.io.stdoutIsTTY ? 2 : 0));
        pages = [];
      };
      const onPage = (p: ApiPage) => {
        if (!o.slurp) return printPage(deps, o, p);
        if (p.status >= 200 && p.status <= 299 && p.json !== undefined) return void pages.push(p.json);
        flush();
        printPage(deps, o, p);
        if (p.status >= 200 && p.status <= 299) throw new CliError(`${platform}: a page is not JSON; --slurp needs JSON pages`);
      };
      try {
        await runApi(deps, platform, path, o, onPage);
      } finally {
        flush();
      }
    });
}
