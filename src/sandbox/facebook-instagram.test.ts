/**
 * The Facebook sandbox playing the Instagram API with Facebook Login: Pages with a linked
 * instagram_business_account, and the Instagram container routes on the Graph host, used by the
 * real provider and publisher.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { descriptor as fbDescriptor } from '../providers/facebook.js';
import { descriptor, listLinkedPages, provider } from '../providers/instagram-facebook.js';
import { publisher } from '../providers/instagram-publish.js';
import { ProviderError } from '../core/errors.js';
import type { ProviderDeps, PublishContext, TokenSet } from '../providers/types.js';
import { codeFromRedirect, loginRedirect, sandboxProvider, type LoginScript, type SandboxProviderEnv } from '../../test/helpers/sandbox-login.js';
import { sandboxPosts } from '../../test/helpers/publish-sandbox.js';

const REDIRECT = 'http://127.0.0.1:8741/callback';
let env: SandboxProviderEnv;
let d: ProviderDeps;

beforeEach(async () => {
  env = await sandboxProvider('facebook', fbDescriptor);
  d = { ...env.d, hosts: env.sandbox.endpoints().instagram! };
});
afterEach(async () => env.close());

async function connect(script: LoginScript = {}, page?: string): Promise<TokenSet> {
  const url = provider.buildAuthorizeUrl({ redirectUri: REDIRECT, state: 'st', codeVerifier: '', scopes: descriptor.scopes.map((s) => s.scope) }, d);
  const { code } = codeFromRedirect(await loginRedirect(url, script));
  const t = await provider.exchangeCode({ code, redirectUri: REDIRECT, codeVerifier: '', callbackParams: {} }, d);
  return provider.chooseTarget!(t, d, page);
}

const ctx = (id: string): PublishContext => ({ checkpoint: {}, saveCheckpoint: async () => undefined, account: { id, meta: { login: 'facebook' } } });
const image = { text: 'Cake of the day', media: [{ kind: 'url' as const, url: 'https://cdn.example.com/cake.jpg', mime: 'image/jpeg' }], options: {} };

describe('facebook sandbox: Instagram through Facebook Login', () => {
  it('serves every host of the variant and links one IG account per Page (none for carol)', async () => {
    expect(Object.keys(d.hosts).sort()).toEqual(Object.keys(descriptor.hosts).sort());
    const t = await connect({}, '@alice.books');
    expect((await listLinkedPages(t, d)).map((p) => p.igUsername)).toEqual(['alice.bakery', 'alice.books']);
    const a = await provider.whoami(t, d);
    expect(a).toMatchObject({ username: 'alice.books', displayName: 'Alice Books', meta: { facebookPageName: 'Alice Books' } });
    await expect(connect({ account: 'carol' })).rejects.toThrow(/none of your Facebook Pages \(Carol Page\)/);
  });

  it('publishes an image through graph.facebook.com to the chosen IG account, once', async () => {
    const t = await connect({ account: 'bob' });
    const who = await provider.whoami(t, d);
    const r = await publisher.publish(image, t, d, ctx(who.id));
    expect(r.url).toMatch(/^https:\/\/www\.instagram\.com\/p\//);
    const posts = await sandboxPosts(env.sandbox, 'facebook');
    expect(posts).toEqual([expect.objectContaining({ id: r.remoteId, text: 'Cake of the day', page: who.id })]);
  });

  it("refuses another person's IG account, and a login without instagram_content_publish", async () => {
    const alice = await provider.whoami(await connect({}, '@alice.bakery'), d);
    const bob = await connect({ account: 'bob' });
    const e = await publisher.publish(image, bob, d, ctx(alice.id)).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ProviderError);
    expect((e as ProviderError).errorClass).toBe('invalid_request');
    const partial = await connect({ account: 'bob', untick: ['instagram_content_publish'] });
    const me = await provider.whoami(partial, d);
    expect(await publisher.publish(image, partial, d, ctx(me.id)).catch((x: unknown) => (x as ProviderError).errorClass)).toBe('permission');
    expect(await sandboxPosts(env.sandbox, 'facebook')).toEqual([]);
  });
});
