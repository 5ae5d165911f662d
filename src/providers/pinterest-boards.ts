/**
 * Pinterest boards (docs/platforms/pinterest.md#boards): `GET /v5/boards`, paged with `bookmark`, so
 * `schedule add --board` takes a board's id or its name and refuses one the account does not have.
 */
import { hostUrl } from '../core/url.js';
import { callJson } from './oauth.js';
import { classify } from './pinterest.js';
import { str } from './graph.js';
import type { ProviderDeps, TokenSet } from './types.js';

export interface Board {
  id: string;
  name: string;
}

/** Every board of the account (at most 20 pages of 250). */
export async function listBoards(t: TokenSet, d: ProviderDeps): Promise<Board[]> {
  const out: Board[] = [];
  let bookmark: string | undefined;
  for (let page = 0; page < 20; page++) {
    const u = hostUrl(d.hosts.api, '/v5/boards');
    u.searchParams.set('page_size', '250');
    if (bookmark) u.searchParams.set('bookmark', bookmark);
    const b = await callJson('pinterest', d.http, u, { headers: { authorization: `Bearer ${t.accessToken}` } }, classify, { now: d.clock.now(), context: 'api', what: 'board list' });
    for (const x of (Array.isArray(b.items) ? b.items : []) as Record<string, unknown>[]) {
      const id = str(x.id);
      if (id) out.push({ id, name: str(x.name) ?? id });
    }
    bookmark = str(b.bookmark);
    if (!bookmark) break;
  }
  return out;
}

/** The board `choice` names (its id, or its name ignoring case), or undefined. */
export function pickBoard(boards: Board[], choice: string): Board | undefined {
  const c = choice.trim();
  return boards.find((b) => b.id === c) ?? boards.find((b) => b.name.toLowerCase() === c.toLowerCase());
}
