import { describe, expect, it } from 'vitest';
import { classifyGraphError, META_DOCS, META_ERRORS, metaErrorRow } from './graph.js';
import { errorFixture, errorFixtures } from '../../test/helpers/fixtures.js';

/** Codes and subcodes Meta's pages do not list (fallback cases), in Meta's body shape. */
const body = (code: number, subcode?: number) => ({ error: { message: 'm', type: 'OAuthException', code, ...(subcode !== undefined ? { error_subcode: subcode } : {}), fbtrace_id: 't' } });
const rowKey = (r: { code: number; subcode?: number }) => (r.subcode !== undefined ? `${r.code}/${r.subcode}` : String(r.code));

describe('Meta error table (docs/platforms/instagram.md#errors, facebook.md#errors)', () => {
  it.each(META_ERRORS.map((r) => [rowKey(r), r] as const))('%s: its recorded body (test/fixtures/meta) is classified as its row says', (key, r) => {
    // Meta sends these under HTTP 400 (Instagram error-code reference); the class must not depend on the status.
    const f = errorFixture('meta', key);
    expect(f.doc).toBe(r.doc);
    const c = classifyGraphError(f.status, f.body);
    expect(c.errorClass).toBe(r.errorClass);
    expect(c.platformCode).toBe(key);
    if (r.errorClass === 'reconnect_needed') expect(c.reason).toBe(r.reason);
    expect(Object.values(META_DOCS)).toContain(r.doc);
    expect(metaErrorRow(r.code, r.subcode)).toBe(r);
  });

  it('every recorded Meta error body has its row', () => {
    expect(Object.keys(errorFixtures('meta')).sort()).toEqual(META_ERRORS.map(rowKey).sort());
  });

  it('no code/subcode pair appears twice', () => {
    const keys = META_ERRORS.map((r) => `${r.code}/${r.subcode ?? '*'}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('the temporary Instagram codes retry; 4/2207051 (spam) is not a rate limit although code 4 alone is', () => {
    const meta = (key: string) => classifyGraphError(errorFixture('meta', key).status, errorFixture('meta', key).body).errorClass;
    for (const key of ['-1/2207001', '-2/2207003', '24/2207008', '-1/2207032', '-1/2207053', '-2/2207020', '9007/2207027']) {
      expect(meta(key), key).toBe('transient');
    }
    expect(meta('4/2207051')).toBe('permission');
    expect(meta('4')).toBe('rate_limited');
    expect(meta('9/2207042')).toBe('rate_limited');
  });

  it('a code without its own subcode row falls back to the code row; unknown codes by status', () => {
    expect(classifyGraphError(400, body(190, 999)).errorClass).toBe('reconnect_needed');
    expect(classifyGraphError(400, body(17, 2446079)).errorClass).toBe('rate_limited');
    expect(classifyGraphError(400, body(250)).errorClass).toBe('permission');
    expect(classifyGraphError(400, body(100)).errorClass).toBe('invalid_request');
    expect(classifyGraphError(400, body(1)).errorClass).toBe('invalid_request');
    expect(classifyGraphError(500, body(1)).errorClass).toBe('transient');
    expect(classifyGraphError(429, {}).errorClass).toBe('rate_limited');
    expect(classifyGraphError(0, undefined).errorClass).toBe('transient');
    expect(classifyGraphError(400, { error: { code: 100, is_transient: true } }).errorClass).toBe('transient');
  });
});
