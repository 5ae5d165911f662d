/**
 * Plays the user on the sandbox consent page over plain HTTP (no browser):
 * GET the authorize URL, POST the consent form, return the redirect back to the app.
 */
import { fetch } from 'undici';

export interface ConsentChoice {
  account?: string;
  decision?: 'approve' | 'deny';
  /** Scopes to untick (platforms with partial consent). */
  untick?: string[];
}

export async function consentVia(authorizeUrl: URL, o: ConsentChoice = {}): Promise<URL> {
  const page = await fetch(authorizeUrl, { redirect: 'manual' });
  if (page.status === 302) return new URL(page.headers.get('location')!);
  const html = await page.text();
  if (page.status !== 200 || !html.includes('<button id="approve"')) throw new Error(`no consent page (HTTP ${page.status}): ${html.slice(0, 300)}`);
  const request = /name="request" value="([^"]+)"/.exec(html)![1]!;
  const form = new URLSearchParams({ request, account: o.account ?? 'alice', decision: o.decision ?? 'approve' });
  for (const m of html.matchAll(/name="scope" id="[^"]+" value="([^"]+)"/g)) {
    const scope = m[1]!.replace(/&amp;/g, '&');
    if (!o.untick?.includes(scope)) form.append('scope', scope);
  }
  const action = /<form method="post" action="([^"]+)"/.exec(html)![1]!;
  const res = await fetch(new URL(action, authorizeUrl), { method: 'POST', body: form, redirect: 'manual' });
  if (res.status !== 302) throw new Error(`consent POST answered HTTP ${res.status}`);
  return new URL(res.headers.get('location')!);
}
