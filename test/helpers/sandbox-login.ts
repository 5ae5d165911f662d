/**
 * Drives a sandbox login up to the redirect back to the app, without following it:
 * authorize URL -> consent page -> Approve/Deny as `account` -> the Location the
 * platform sends the browser to (with code/state, or error). Also builds ProviderDeps
 * pointing a real provider at a running sandbox, with a settable clock.
 */
import { fetch } from 'undici';
import { createHttp } from '../../src/core/http.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import type { PlatformId, ProviderDeps, ProviderDescriptor } from '../../src/providers/types.js';

export interface LoginScript {
  decision?: 'approve' | 'deny';
  account?: string;
  untick?: string[];
}

/** The consent page's HTML, or the immediate redirect / error when there is none. */
export async function authorize(url: URL | string): Promise<{ status: number; body: string; location?: string }> {
  const res = await fetch(url, { redirect: 'manual' });
  const location = res.headers.get('location');
  return { status: res.status, body: await res.text(), ...(location ? { location } : {}) };
}

/** Runs the consent page; returns the redirect URL (raw string: it may carry Meta's `#_`). */
export async function loginRedirect(url: URL | string, script: LoginScript = {}): Promise<string> {
  const page = await authorize(url);
  if (page.location) return page.location;
  if (page.status !== 200 || !page.body.includes('id="approve"')) throw new Error(`no consent page (HTTP ${page.status}): ${page.body.slice(0, 200)}`);
  const action = /<form method="post" action="([^"]+)"/.exec(page.body)![1]!;
  const request = /name="request" value="([^"]+)"/.exec(page.body)![1]!;
  const scopes = [...page.body.matchAll(/name="scope" id="[^"]+" value="([^"]+)"/g)].map((m) => m[1]!);
  const form = new URLSearchParams({ request, account: script.account ?? 'alice', decision: script.decision ?? 'approve' });
  for (const s of scopes) if (!script.untick?.includes(s)) form.append('scope', s);
  const res = await fetch(new URL(action, url), { method: 'POST', body: form, redirect: 'manual' });
  const location = res.headers.get('location');
  if (res.status !== 302 || !location) throw new Error(`consent did not redirect (HTTP ${res.status}): ${await res.text()}`);
  return location;
}

export interface SandboxProviderEnv {
  sandbox: Sandbox;
  d: ProviderDeps;
  /** Shared fake time of the sandbox and the provider; assign to move both. */
  now: number;
  close(): Promise<void>;
}

/** Starts one platform's sandbox and ProviderDeps for it (shared fake clock). */
export async function sandboxProvider(platform: PlatformId, descriptor: ProviderDescriptor, start = Date.UTC(2026, 10, 26, 12, 0, 0)): Promise<SandboxProviderEnv> {
  const env = { now: start } as SandboxProviderEnv;
  const clock = { now: () => env.now, sleep: async (ms: number) => void (env.now += ms) };
  env.sandbox = await startSandbox({ platforms: [platform], clock });
  const app = env.sandbox.apps[platform];
  const hosts = env.sandbox.endpoints()[platform] ?? {};
  for (const h of Object.keys(descriptor.hosts)) if (!hosts[h]) throw new Error(`sandbox ${platform} does not serve host ${h}`);
  env.d = {
    http: createHttp({ timeoutMs: 5_000 }),
    clock,
    hosts,
    app: { clientId: app.clientId, clientSecret: app.clientSecret },
    ...(descriptor.apiVersion ? { apiVersion: descriptor.apiVersion } : {}),
  };
  env.close = () => env.sandbox.close();
  return env;
}

/** The code from a redirect, keeping any fragment glued on as a pasted URL would (`code#_`). */
export function codeFromRedirect(location: string): { code: string; state: string | null; raw: URL } {
  const raw = new URL(location);
  const code = raw.searchParams.get('code') ?? '';
  return { code: raw.hash ? `${code}${raw.hash}` : code, state: raw.searchParams.get('state'), raw };
}
