/**
 * Randomized tests (kill -9 loops) draw from a seeded PRNG and print the seed, so a failing run
 * can be replayed: SOCIALYNC_TEST_SEED=<seed> npx vitest run <file>.
 */
import { randomInt } from 'node:crypto';
import { prng } from '../../src/core/prng.js';

export { prng };

/** The seed from SOCIALYNC_TEST_SEED or a fresh one, printed with `name`, and its PRNG. */
export function seededRandom(name: string): { seed: number; random: () => number } {
  const given = process.env.SOCIALYNC_TEST_SEED;
  const seed = given ? Number(given) : randomInt(2 ** 31);
  if (!Number.isInteger(seed)) throw new Error(`SOCIALYNC_TEST_SEED must be an integer, got "${given}"`);
  process.stderr.write(`${name}: seed ${seed} (replay with SOCIALYNC_TEST_SEED=${seed})\n`);
  return { seed, random: prng(seed) };
}
