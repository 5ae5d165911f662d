/**
 * Randomized tests (kill -9 loops) draw from a seeded PRNG and print the seed, so a failing run
 * can be replayed: SOCIALYNC_TEST_SEED=<seed> npx vitest run <file>.
 */
import { randomInt } from 'node:crypto';

/** A small deterministic PRNG (mulberry32): numbers in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed from SOCIALYNC_TEST_SEED or a fresh one, printed with `name`, and its PRNG. */
export function seededRandom(name: string): { seed: number; random: () => number } {
  const given = process.env.SOCIALYNC_TEST_SEED;
  const seed = given ? Number(given) : randomInt(2 ** 31);
  if (!Number.isInteger(seed)) throw new Error(`SOCIALYNC_TEST_SEED must be an integer, got "${given}"`);
  process.stderr.write(`${name}: seed ${seed} (replay with SOCIALYNC_TEST_SEED=${seed})\n`);
  return { seed, random: prng(seed) };
}
