/**
 * `socialync notify` through the built CLI: a webhook set from stdin (never in argv), listed
 * masked, tested against a local receiver that gets the JSON "text", then removed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliEnv, runCli } from '../helpers/cli.js';

let web: Server;
let url: string;
let home: string;
let env: NodeJS.ProcessEnv;
const received: { text?: string }[] = [];

beforeAll(async () => {
  web = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      received.push(JSON.parse(body) as { text?: string });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => web.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(web.address() as { port: number }).port}/hook/s3cr3t-token`;
  home = mkdtempSync(join(tmpdir(), 'socialync-notify-'));
  env = cliEnv({ SOCIALYNC_HOME: home, SOCIALYNC_SECRET_BACKEND: 'file', SOCIALYNC_VAULT_KEY: randomBytes(32).toString('hex') });
});
afterAll(async () => {
  await new Promise<void>((r) => web.close(() => r()));
  rmSync(home, { recursive: true, force: true });
});

describe('socialync notify (built CLI)', () => {
  it('set webhook --url-stdin, list, test, unset', async () => {
    const set = await runCli(['notify', 'set', 'webhook', '--url-stdin'], env, `${url}\n`);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout + set.stderr).not.toContain('s3cr3t-token');

    const list = await runCli(['notify', 'list', '--json'], env);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([{ channel: 'webhook', target: expect.stringContaining('127.0.0.1'), kinds: null, signed: false }]);
    expect(list.stdout).not.toContain('s3cr3t-token');

    const test = await runCli(['notify', 'test'], env);
    expect(test.code, test.stderr).toBe(0);
    expect(test.stdout).toMatch(/^webhook\tsent$/m);
    expect(received).toEqual([expect.objectContaining({ text: expect.stringMatching(/^socialync: test notification/) })]);

    expect((await runCli(['notify', 'unset', 'webhook'], env)).code).toBe(0);
    expect(JSON.parse((await runCli(['notify', 'list', '--json'], env)).stdout)).toEqual([]);
    const none = await runCli(['notify', 'test'], env);
    expect(none.code).toBe(3);
    expect(none.stderr).toMatch(/no notification channel is configured/);
  });
});
