// `npm run completions`: rewrites the committed completion scripts in completions/
// from the built command tree (test/e2e/completion.test.ts checks they are in sync).
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { completionScript, loadProgram, createDeps } = await import('../dist/testkit.js');
const program = await loadProgram(createDeps(), () => undefined);
const files = { bash: 'completions/socialync.bash', zsh: 'completions/_socialync', fish: 'completions/socialync.fish' };
for (const [shell, file] of Object.entries(files)) {
  writeFileSync(root + file, (await completionScript(program, shell)).trimEnd() + '\n');
  process.stdout.write(`wrote ${file}\n`);
}
