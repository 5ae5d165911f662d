/**
 * What a connection publishes as: its platform account, and for a Facebook Page connection the
 * Page (one login serves several Pages, each its own connection). Two connections with the same
 * platform and identity are the same publisher: reconnecting matches on it, and a disconnected
 * connection's posts go to a later connection only when the identities are equal.
 */
export function connectionIdentity(c: { accountId: string; meta?: Record<string, string> | null }): string {
  const page = c.meta?.pageId;
  return page ? `${c.accountId}#page:${page}` : c.accountId;
}
