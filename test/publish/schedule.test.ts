/**
 * `schedule add|edit|cancel` in-process: the guided flow on a terminal, edits
 * re-validated, cancelling keeps what is already published.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createDeps, type Deps } from '../../src/deps.js';
import { createIO } from '../../src/core/io.js';
import type { Prompts } from '../../src/core/prompt.js';
import { runScheduleAdd } from '../../src/commands/schedule-add.js';
import { runScheduleEdit } from '../../src/commands/schedule-edit.js';
import { runScheduleCancel } from '../../src/commands/schedule-cancel.js';
import { runScheduleShow } from '../../src/commands/schedule-show.js';
import { runScheduleList } from '../../src/commands/schedule-list.js';
import { postStoreFor } from '../../src/store/posts.js';
import type { PlatformId } from '../../src/providers/types.js';

let dir: string;
let deps: Deps;
afterEach(async () => {
  await deps?.close();
  rmSync(dir, { recursive: true, force: true });
});

function tty(): PassThrough & { isTTY: boolean } {
  return Object.assign(new PassThrough(), { isTTY: true });
}

async function setup(answers: { input?: string[]; select?: string[] } = {}, terminal = false): Promise<{ asked: string[] }> {
  dir = mkdtempSync(join(tmpdir(), 'schedule-'));
  const asked: string[] = [];
  const prompts: Prompts = {
    input: async (m) => (asked.push(m), answers.input!.shift()!),
    password: async () => '',
    confirm: async (m) => (asked.push(m), true),
    select: async <T extends string>(m: string) => (asked.push(m), answers.select!.shift() as T),
  };
  const env = { SOCIALYNC_HOME: dir, TZ: 'UTC' };
  const io = terminal ? createIO({ stdin: tty(), stdout: tty(), stderr: tty(), env: {} }) : createIO({ stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), env: {} });
  deps = createDeps({ env, io, prompts, clock: { now: () => Date.UTC(2026, 9, 1), sleep: async () => undefined } });
  const store = await deps.store();
  for (const [p, name] of [['x', 'alice'], ['linkedin', 'alice'], ['linkedin', 'work']] as [PlatformId, string][]) {
    await store.insertConnection(
      { id: `${p}-${name}`, platform: p, name, accountId: '1', username: null, displayName: null, accountType: null, scopes: [], accessExpiresAt: null, refreshExpiresAt: null, refreshExpiresEstimated: false, dataAccessExpiresAt: null, tokenObtainedAt: null, lastRefreshAt: null, health: 'healthy', reason: null, reasonDetail: null, meta: {} },
      0,
    );
  }
  return { asked };
}

describe('schedule add / edit / cancel', () => {
  it('guided flow on a terminal asks for what is missing, including which of an ambiguous time', async () => {
    const { asked } = await setup({ input: ['x,linkedin:work', '2026-11-01 01:30', 'Hello from the prompt'], select: ['later'] }, true);
    const r = await runScheduleAdd(deps, { tz: 'America/New_York' });
    expect(asked).toEqual([expect.stringMatching(/platforms/), expect.stringMatching(/When\?.*America\/New_York/), 'Text of the post', expect.stringMatching(/happens twice in America\/New_York/)]);
    expect(r).toMatchObject({ scheduledAt: '2026-11-01T06:30:00.000Z', targets: [{ platform: 'x', account: 'alice' }, { platform: 'linkedin', account: 'work' }] });
    expect((await runScheduleShow(deps, String(r.id))).text).toBe('Hello from the prompt');
  });

  it('a past time typed on a terminal is confirmed first; declining schedules nothing', async () => {
    const { asked } = await setup({}, true);
    const r = await runScheduleAdd(deps, { to: 'x', at: '2026-09-30 09:00', tz: 'UTC', text: 'late' });
    expect(asked).toEqual([expect.stringMatching(/^--at "2026-09-30 09:00" \(2026-09-30 09:00 UTC\) was 15h 0m ago\. Publish it at the next tick\?$/)]);
    expect(r.scheduledAt).toBe('2026-09-30T09:00:00.000Z');
    deps.prompts.confirm = async () => false;
    await expect(runScheduleAdd(deps, { to: 'x', at: '2026-09-30 09:00', tz: 'UTC', text: 'no' })).rejects.toMatchObject({ exitCode: 2 });
    expect(await runScheduleList(deps, {})).toHaveLength(1);
  });

  it('several accounts on one platform need platform:name; unknown platforms and missing connections name the fix', async () => {
    await setup();
    await expect(runScheduleAdd(deps, { to: 'linkedin', at: 'now', text: 'x' })).rejects.toThrow(/linkedin has several accounts: alice, work/);
    await expect(runScheduleAdd(deps, { to: 'tiktok', at: 'now', text: 'x' })).rejects.toMatchObject({ hint: 'run: socialync connect tiktok' });
    await expect(runScheduleAdd(deps, { to: 'myspace', at: 'now', text: 'x' })).rejects.toThrow(/unknown platform "myspace"/);
  });

  it('edit re-validates (per-platform override too) and re-arms failed targets; cancel keeps published ones', async () => {
    await setup();
    const { id } = await runScheduleAdd(deps, { to: 'x,linkedin:alice', at: '2026-12-01 09:00', tz: 'Europe/Berlin', text: 'first' });
    await expect(runScheduleEdit(deps, String(id), { set: [`x.text=${'y'.repeat(281)}`] })).rejects.toThrow(/x: text: X counts this text as 281 characters/);
    const posts = postStoreFor(await deps.store());
    const [tx, tl] = await posts.targets(id);
    await posts.updateTarget(tx!.id, null, { state: 'failed', reason: 'boom' }, 1);
    await runScheduleEdit(deps, String(id), { text: 'second', at: '2026-12-01 10:00' });
    const show = await runScheduleShow(deps, String(id));
    expect(show).toMatchObject({ text: 'second', scheduledAt: '2026-12-01T09:00:00.000Z', localTime: '2026-12-01 10:00 (UTC+1)' });
    expect(show.targets.map((t) => t.state)).toEqual(['scheduled', 'scheduled']);
    await posts.updateTarget(tl!.id, null, { state: 'published', remoteId: 'urn:li:share:1' }, 2);
    await expect(runScheduleEdit(deps, String(id), { text: 'third' })).rejects.toThrow(/already published on linkedin/);
    const c = await runScheduleCancel(deps, String(id), { yes: true });
    expect(c).toEqual({ id, cancelled: ['x'], kept: [{ platform: 'linkedin', state: 'published' }] });
    expect((await runScheduleList(deps, { all: true }))[0]).toMatchObject({ id, status: 'published', targets: [{ platform: 'x', state: 'cancelled' }, { platform: 'linkedin', state: 'published' }] });
  });
});
