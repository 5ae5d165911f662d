/**
 * A minimal "browser" for the sandbox demo: follows redirects from the
 * authorize URL to the loopback listener, as a person clicking Approve would.
 * Only ever used against 127.0.0.1 (the sandbox and socialync's own listener),
 * so it accepts the listener's self-signed certificate.
 */
import http from 'node:http';
import https from 'node:https';

function get(url: URL): Promise<{ status: number; location?: string }> {
  return new Promise((resolve, reject) => {
    if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') {
      reject(new Error(`sandbox browser refuses non-loopback URL ${url.origin}`));
      return;
    }
    const mod = url.protocol === 'https:' ? https : http;
    const req = mod.get(url, { rejectUnauthorized: false, timeout: 30_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ...(res.headers.location ? { location: res.headers.location } : {}) }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

export function createSandboxBrowser(): { open(url: string): Promise<void>; automatic: true } {
  return {
    automatic: true,
    async open(start) {
      let url = new URL(start);
      // Runs in the background like a real browser; the login waits for the callback.
      void (async () => {
        for (let hop = 0; hop < 10; hop++) {
          const r = await get(url);
          if (r.status < 300 || r.status >= 400 || !r.location) return;
          url = new URL(r.location, url);
        }
      })().catch(() => undefined);
    },
  };
}
