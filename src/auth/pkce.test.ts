import { describe, expect, it } from 'vitest';
import { challengeS256, challengeS256Hex, generateVerifier } from './pkce.js';

// RFC 7636 Appendix B test vector.
const V = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';

describe('pkce', () => {
  it('S256 matches RFC 7636 Appendix B', () => {
    expect(challengeS256(V)).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });
  it("TikTok's variant is the same digest in lowercase hex", () => {
    expect(challengeS256Hex(V)).toBe('13d31e961a1ad8ec2f16b10c4c982e0876a878ad6df144566ee1894acb70f9c3');
  });
  it('verifiers are 43+ unreserved characters and differ each time', () => {
    const a = generateVerifier();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
    expect(generateVerifier()).not.toBe(a);
    expect(() => generateVerifier(Buffer.alloc(8))).toThrow(/43–128/);
  });
});
