/**
 * Ctrl-C while `connect` waits for the browser (the built CLI against the sandbox): exit 2
 * with "cancelled" and how to try again, nothing saved — through a pipe (SIGINT to the child,
 * as a service manager or a script would send) and on a real terminal (tmux, the Ctrl-C key).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runCli, startCli } from '../helpers/cli.js';
import { startPublishProfile, type PublishProfile } from '../helpers/publish-sandbox.js';
import { hasTmux, inTerminal } from '../helpers/terminal.js';

let pp: PublishProfile;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  pp = await startPublishProfile({ platforms: [] });
  env = cliEnv({ ...pp.env, TZ: 'UTC' });
}, 60_000);
afterAll(async () => pp?.close());

const connections = async () => JSON.parse((await runCli(['status', '--json'], env)).stdout) as unknown[];

describe('Ctrl-C while connect waits for the browser', () => {
  it('SIGINT: exit 2, "cancelled", the command to try again; nothing saved, the listener closed', async () => {
    const c = startCli(['connect', 'tiktok', '--no-browser', '--port', '0'], env);
    const [, port] = (await c.waitFor(/redirect_uri=http%3A%2F%2F127\.0\.0\.1%3A(\d+)/)) as RegExpMatchArray;
    c.child.kill('SIGINT');
    const r = await c.done;
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: cancelled: tiktok login interrupted while waiting for the browser; nothing was saved$/m);
    expect(r.stderr).toMatch(/^ {2}to try again, run: socialync connect tiktok$/m);
    expect(await connections()).toEqual([]);
    await expect(fetch(`http://127.0.0.1:${port}/callback/`)).rejects.toThrow();
  });

  it.skipIf(!hasTmux)('the Ctrl-C key on a terminal: exit 2, "cancelled"', async () => {
    const t = inTerminal(['connect', 'tiktok', '--no-browser', '--port', '0'], env, { cols: 100 });
    try {
      await t.waitFor(/paste the address/);
      t.keys('C-c');
      expect(await t.done).toBe(2);
      expect(t.screen().join('\n')).toMatch(/error: cancelled: tiktok login interrupted/);
    } finally {
      t.close();
    }
    expect(await connections()).toEqual([]);
  });
});
