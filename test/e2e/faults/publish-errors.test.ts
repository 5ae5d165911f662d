/**
 * Errors inside a publish, through the built binary against the sandbox (issue 11 item 10): our own
 * bug (a TypeError) is shown as a bug with the --debug hint, never "temporary, will retry"; a media
 * file deleted or changed after scheduling fails the target with the file's name, never
 * "unconfirmed". Nothing reaches the platform, and every other post and connection is intact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';
import { runCli } from '../../helpers/cli.js';
import { sandboxPosts } from '../../helpers/publish-sandbox.js';
import { makeProfile, snapshot, type Profile, type Snapshot } from './kit.js';

let p: Profile;
let before: Snapshot;
const media = mkdtempSync(join(tmpdir(), 'socialync-media-'));
beforeAll(async () => {
  p = await makeProfile({ keepSandbox: true });
  before = await snapshot(p);
}, 120_000);
afterAll(async () => p?.sandbox?.close());

/** Schedules a post due now with one PNG to X; returns its id. */
async function duePostWithImage(name: string): Promise<{ id: number; file: string }> {
  const file = join(media, name);
  writeFileSync(file, Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(2000, 7)]));
  const r = await runCli(['schedule', 'add', '--text', `with ${name}`, '--to', 'x', '--at', 'now', '--media', file, '--json'], p.env);
  expect(r.code, r.stderr).toBe(0);
  return { id: (JSON.parse(r.stdout) as { id: number }).id, file };
}

async function target(id: number) {
  const r = await runCli(['schedule', 'show', String(id), '--json'], p.env);
  return (JSON.parse(r.stdout) as { targets: { state: string; errorClass: string | null; reason: string | null }[] }).targets[0]!;
}

async function expectOthersIntact(ids: number[]): Promise<void> {
  const after = await snapshot(p);
  expect(after.connections).toEqual(before.connections);
  expect(after.secrets).toEqual(before.secrets);
  expect(after.posts.filter((x) => !ids.includes(x.id))).toEqual(before.posts);
  expect(await sandboxPosts(p.sandbox!, 'x')).toEqual([]);
}

describe('errors inside a publish (built binary, sandbox)', () => {
  it('a TypeError inside the publish step is a bug with the --debug hint (and a stack with --debug), not a retry', async () => {
    const post = await duePostWithImage('bug.png');
    // A media row without its path: the code reading it throws a TypeError (our bug, not the user's file).
    const db = new Database(join(p.home, 'state.db'));
    db.prepare('UPDATE media SET path = NULL WHERE post_id = ?').run(post.id);
    db.close();
    const r = await runCli(['publish', '--debug'], p.env);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`post ${post.id} x:alice failed: TypeError: .*this is a bug in socialync; run again with --debug and report it`));
    expect(r.stdout + r.stderr).not.toMatch(/will retry|temporary|unconfirmed/);
    expect(r.stderr).toMatch(/\[debug\] TypeError[^\n]*\n\s+at /); // the stack, for the report
    expect(await target(post.id)).toMatchObject({ state: 'failed', errorClass: 'bug' });
    await expectOthersIntact([post.id]);
  });

  it('a media file deleted after scheduling fails the target with the file name, not unconfirmed', async () => {
    const post = await duePostWithImage('gone.png');
    rmSync(post.file);
    const r = await runCli(['publish'], p.env);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`post ${post.id} x:alice failed: media file ${post.file} is missing (it was there when post ${post.id} was scheduled)`);
    expect(await target(post.id)).toMatchObject({ state: 'failed', errorClass: 'local_file' });
    await expectOthersIntact([post.id, post.id - 1]);
  });

  it('a media file changed after scheduling fails the target with the file name and both sizes', async () => {
    const post = await duePostWithImage('changed.png');
    appendFileSync(post.file, 'more bytes');
    const r = await runCli(['publish', '--json'], p.env);
    expect(r.code).toBe(1);
    const res = (JSON.parse(r.stdout) as { results: { postId: number; outcome: string; errorClass: string; message: string }[] }).results.find((x) => x.postId === post.id)!;
    expect(res).toMatchObject({ outcome: 'failed', errorClass: 'local_file', message: expect.stringContaining(`media file ${basename(post.file)} changed since it was scheduled (2008 bytes then, 2018 now)`) });
    await expectOthersIntact([post.id, post.id - 1, post.id - 2]);
  });
});
