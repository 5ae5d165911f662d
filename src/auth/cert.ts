/**
 * Self-signed certificate for the https loopback listener, for platforms that
 * demand an https redirect even for localhost (Instagram Login; Facebook in
 * live mode). Generated per login and kept only in memory: the browser will
 * warn once, which the README explains; --no-browser paste-back avoids it.
 */
export async function selfSignedCert(clock: { now(): number }): Promise<{ key: string; cert: string }> {
  const mod = (await import('selfsigned')) as unknown as {
    generate: (attrs: unknown, opts: unknown) => Promise<{ private: string; cert: string }>;
    default?: { generate: (attrs: unknown, opts: unknown) => Promise<{ private: string; cert: string }> };
  };
  const generate = mod.generate ?? mod.default!.generate;
  const now = new Date(clock.now());
  const r = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keySize: 2048,
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + 24 * 3_600_000),
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] }],
  });
  return { key: r.private, cert: r.cert };
}
