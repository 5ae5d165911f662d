/**
 * Under CI when `CI` is set to anything non-empty (`CI=1`, `CI=true`, `CI=woodpecker` alike):
 * no prompts, and tests that need a missing system part fail instead of skipping. One rule for
 * the CLI and the test helpers.
 */
export function isCi(env: NodeJS.ProcessEnv): boolean {
  return (env.CI ?? '') !== '';
}
