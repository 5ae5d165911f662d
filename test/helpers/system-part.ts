/**
 * Tests that need a system part a developer machine may lack (Chromium, GNOME Keyring, zsh,
 * fish, python3, util-linux `script`, root for tmpfs). Outside CI a missing part skips the test
 * with the reason printed once; under CI (any non-empty `CI`, src/core/ci.ts) it fails instead,
 * since .ci/run installs every part.
 */
import { isCi } from '../../src/core/ci.js';

export const underCi = (): boolean => isCi(process.env);

const printed = new Set<string>();

/** Throws under CI; otherwise prints `why` once and returns it (for `ctx.skip(missingPart(...))`). */
export function missingPart(why: string): string {
  if (underCi()) throw new Error(`required system part missing under CI: ${why}`);
  if (!printed.has(why)) process.stderr.write(`[skip] ${why}\n`);
  printed.add(why);
  return why;
}
