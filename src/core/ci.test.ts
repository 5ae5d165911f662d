import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createIO } from './io.js';

const tty = () => Object.assign(new PassThrough(), { isTTY: true });
const onTerminal = (env: NodeJS.ProcessEnv) => createIO({ stdin: tty(), stdout: tty(), stderr: tty(), env });

describe('CI: any non-empty value', () => {
  it.each(['true', '1', 'woodpecker', 'false', '0'])('CI=%s: no prompt and no spinner on a terminal', (value) => {
    const io = onTerminal({ CI: value });
    expect(io.canPrompt).toBe(false);
    expect(io.progress).toBe(false);
  });

  it.each([{}, { CI: '' }])('CI unset or empty (%o): prompts and spinner on a terminal', (env) => {
    const io = onTerminal(env);
    expect(io.canPrompt).toBe(true);
    expect(io.progress).toBe(true);
  });
});
