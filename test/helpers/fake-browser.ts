/**
 * FakeBrowser (STYLE.md habit 8): plays the user's part on the sandbox consent
 * page over plain HTTP — Approve or Deny, as a given account, unticking scopes —
 * then follows the redirect to socialync's loopback listener.
 */
import http from 'node:http';
import https from 'node:https';

export interface FakeBrowserScript {
  decision?: 'approve' | 'deny';
  account?: string;
  /** Scopes to untick (platforms that allow partial consent). */
  untick?: string[];
  /** Rewrite the final redirect before following it (e.g. tamper with state). */
  rewrite?: (u: URL) => URL;
  /** Do nothing at all (the user walks away). */
  ignore?: boolean;
}

interface Res { status: number; body: string; location?: string }

function request(url: URL, method = 'GET', body?: string): Promise<Res> {
  return new Promise((resolve, reject) => {
    const mod = url.protocol === 'https:' ? https : http;
    const req = mod.request(url, { method, rejectUnauthorized: false, headers: body ? { 'content-type': 'application/x-www-form-urlencoded' } : {} }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, ...(res.headers.location ? { location: res.headers.location } : {}) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

export class FakeBrowser {
  opened: string[] = [];
  /** Last page the "browser" ended on (the loopback's answer). */
  finalPage: Res | undefined;
  done: Promise<void> = Promise.resolve();
  constructor(public script: FakeBrowserScript = {}) {}

  async open(url: string): Promise<void> {
    this.opened.push(url);
    if (this.script.ignore) return;
    this.done = this.drive(new URL(url)).catch(() => undefined);
  }

  private async drive(start: URL): Promise<void> {
    let res = await request(start);
    let at = start;
    if (res.status === 200 && res.body.includes('id="approve"')) {
      const action = /<form method="post" action="([^"]+)"/.exec(res.body)![1]!;
      const requestId = /name="request" value="([^"]+)"/.exec(res.body)![1]!;
      const scopes = [...res.body.matchAll(/name="scope" id="[^"]+" value="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
      const form = new URLSearchParams({ request: requestId, account: this.script.account ?? 'alice', decision: this.script.decision ?? 'approve' });
      for (const s of scopes) if (!this.script.untick?.includes(s)) form.append('scope', s);
      at = new URL(action, start);
      res = await request(at, 'POST', form.toString());
    }
    for (let hop = 0; hop < 10 && res.location; hop++) {
      let next = new URL(res.location, at);
      if (this.script.rewrite && next.searchParams.has('state') && (next.searchParams.has('code') || next.searchParams.has('error'))) next = this.script.rewrite(next);
      at = next;
      res = await request(next);
    }
    this.finalPage = res;
  }
}
