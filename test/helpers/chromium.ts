/**
 * Headless Debian Chromium through playwright-core (no browser download).
 * Outside CI a missing /usr/bin/chromium skips the test with a printed reason;
 * under CI it fails instead (.ci/run installs it; see system-part.ts).
 */
import { existsSync } from 'node:fs';
import { missingPart } from './system-part.js';

export const CHROMIUM = process.env.SOCIALYNC_TEST_CHROMIUM || '/usr/bin/chromium';

export function chromiumMissing(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  return missingPart(`headless Chromium not found at ${CHROMIUM} (apt-get install chromium)`);
}

export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
}
