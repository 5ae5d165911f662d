/**
 * Recorded platform responses in test/fixtures/<platform>/errors.json: error bodies the providers'
 * unit tests classify, each with the official page it follows (`doc`). Meta's Graph API bodies
 * (Instagram and Facebook alike) live under `meta`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const FIXTURES_DIR = fileURLToPath(new URL('../fixtures/', import.meta.url));
export const FIXTURE_PLATFORMS = ['meta', 'x', 'tiktok', 'linkedin', 'youtube', 'bluesky', 'pinterest', 'mastodon'] as const;
export type FixturePlatform = (typeof FIXTURE_PLATFORMS)[number];

export interface ErrorFixture {
  /** The official documentation page the body follows (also cited in docs/platforms/). */
  doc: string;
  /** The HTTP status the platform sends it with. */
  status: number;
  body: unknown;
}

const cache = new Map<FixturePlatform, Record<string, ErrorFixture>>();

/** Every error fixture of a platform by name (the `$comment` entry left out). */
export function errorFixtures(platform: FixturePlatform): Record<string, ErrorFixture> {
  let all = cache.get(platform);
  if (!all) {
    const raw = JSON.parse(readFileSync(`${FIXTURES_DIR}${platform}/errors.json`, 'utf8')) as Record<string, unknown>;
    all = Object.fromEntries(Object.entries(raw).filter(([k]) => k !== '$comment')) as Record<string, ErrorFixture>;
    cache.set(platform, all);
  }
  return all;
}

/** One fixture; a name that does not exist fails the test naming it. */
export function errorFixture(platform: FixturePlatform, name: string): ErrorFixture {
  const f = errorFixtures(platform)[name];
  if (!f) throw new Error(`no fixture "${name}" in test/fixtures/${platform}/errors.json`);
  return f;
}
