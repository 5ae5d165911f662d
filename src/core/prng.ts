/**
 * A small deterministic PRNG (mulberry32): numbers in [0, 1). For tests and benchmarks that
 * draw at random and print their seed, so a run can be replayed (test/helpers/seed.ts,
 * bench/refresh-kill.js through dist/testkit.js). Nothing in the product draws from it.
 */
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
