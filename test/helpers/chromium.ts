/**
 * Headless Debian Chromium through playwright-core (no browser download).
 * Outside CI a missing /usr/bin/chromium skips the test with a printed reason;
 * under CI=true it fails instead (.ci/run installs it).
 */
import { existsSync } from 'node:fs';

export const CHROMIUM = process.env.SOCIALYNC_TEST_CHROMIUM || '/usr/bin/chromium';

export function chromiumMissing(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  const why = `headless Chromium not found at ${CHROMIUM} (apt-get install chromium)`;
  if (process.env.CI === 'true') throw new Error(`${why}; CI must install it`);
  console.warn(`skipping: ${why}`);
  return why;
}

export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
}
