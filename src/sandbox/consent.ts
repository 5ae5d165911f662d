/**
 * The sandbox consent page: account field, one checkbox per requested scope,
 * Approve and Deny buttons. The form posts to CONSENT_PATH on the same server;
 * the pending request is kept server-side under a random id (single use, 10 min).
 * All platform/app/scope text is HTML-escaped.
 */
import type { PlatformId } from '../providers/types.js';
import { escapeHtml, html, htmlError, redirect, type SandboxAccount, type SandboxRequest, type SandboxResponse } from './common.js';
import { token } from './families.js';

export const CONSENT_PATH = '/sandbox/consent';

export interface ConsentRequest {
  /** Shown in the title: "<Platform> sandbox — authorize <appName>". */
  appName: string;
  scopes: string[];
  /** Scopes can be unticked (TikTok, YouTube, Facebook); otherwise all are granted. */
  partialConsent: boolean;
  /** Approve: the redirect (usually redirect_uri?code&state) for this account and the granted scopes. */
  onApprove(account: SandboxAccount, granted: string[]): URL | SandboxResponse;
  /** Deny: the redirect carrying the platform's access_denied error. */
  onDeny(): URL | SandboxResponse;
}

const NAMES: Record<PlatformId, string> = {
  instagram: 'Instagram',
  facebook: 'Facebook',
  tiktok: 'TikTok',
  youtube: 'YouTube',
  x: 'X',
  linkedin: 'LinkedIn',
  bluesky: 'Bluesky',
  threads: 'Threads',
  pinterest: 'Pinterest',
  mastodon: 'Mastodon',
};

const TTL_MS = 10 * 60_000;

export class ConsentStore {
  private pending = new Map<string, { c: ConsentRequest; expiresAt: number }>();

  constructor(
    private readonly platform: PlatformId,
    private readonly now: () => number,
    private readonly demo: boolean,
    private readonly account: (name: string) => SandboxAccount,
  ) {}

  render(c: ConsentRequest): SandboxResponse {
    if (this.demo) return toResponse(c.onApprove(this.account('alice'), c.scopes));
    const id = token('consent', 16);
    // Abandoned pages would pile up in a long-running `sandbox serve`: drop expired ones.
    if (this.pending.size > 500) for (const [k, v] of this.pending) if (v.expiresAt <= this.now()) this.pending.delete(k);
    this.pending.set(id, { c, expiresAt: this.now() + TTL_MS });
    const title = `${NAMES[this.platform]} sandbox — authorize ${c.appName}`;
    const scopes = c.scopes
      .map((s, i) => {
        const disabled = c.partialConsent ? '' : ' disabled';
        return `<li><label><input type="checkbox" name="scope" id="scope-${i}" value="${escapeHtml(s)}" checked${disabled}> ${escapeHtml(s)}</label></li>`;
      })
      .join('');
    return html(
      200,
      `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body>` +
        `<h1>${escapeHtml(title)}</h1>` +
        `<form method="post" action="${CONSENT_PATH}">` +
        `<input type="hidden" name="request" value="${escapeHtml(id)}">` +
        `<p><label>Account <input type="text" name="account" id="account" value="alice"></label></p>` +
        `<p>${escapeHtml(c.appName)} asks for:</p><ul>${scopes}</ul>` +
        `<button id="approve" type="submit" name="decision" value="approve">Approve</button> ` +
        `<button id="deny" type="submit" name="decision" value="deny">Deny</button>` +
        `</form></body></html>`,
    );
  }

  /** POST CONSENT_PATH: request, account, scope (repeated), decision=approve|deny. */
  submit(req: SandboxRequest): SandboxResponse {
    const id = req.form.get('request') ?? '';
    const p = this.pending.get(id);
    this.pending.delete(id);
    if (!p || p.expiresAt <= this.now()) return htmlError(400, 'Authorization expired', 'This authorization request is unknown or expired. Start the login again.');
    const decision = req.form.get('decision');
    if (decision === 'deny') return toResponse(p.c.onDeny());
    if (decision !== 'approve') return htmlError(400, 'Bad request', 'decision must be approve or deny');
    const name = (req.form.get('account') ?? '').trim() || 'alice';
    const ticked = new Set(req.form.getAll('scope'));
    const granted = p.c.partialConsent ? p.c.scopes.filter((s) => ticked.has(s)) : p.c.scopes;
    return toResponse(p.c.onApprove(this.account(name), granted));
  }

  reset(): void {
    this.pending.clear();
  }
}

function toResponse(r: URL | SandboxResponse): SandboxResponse {
  return r instanceof URL ? redirect(r) : r;
}
