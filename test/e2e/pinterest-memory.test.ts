/**
 * A burst of large local Pinterest images stays within issue 14's memory bound (built CLI, sandbox),
 * measured as the peak RSS (VmHWM) of the spawned `publish`: 16 accounts each get a 20 MiB image due
 * at once. The image goes as Base64 inside the JSON body of POST /v5/pins, streamed from the file
 * (docs/platforms/pinterest.md#image-base64). Built in memory (the file, its Base64 string, the JSON
 * string and its UTF-8 copy: about 100 MB per pin) the same burst peaked at 1,694–1,841 MB on Node 20.20;
 * streamed, at 160–181 MB.
 * The sandbox checks that every pin received the file's exact bytes. Run `npm run build` first.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv } from '../helpers/cli.js';
import { jpeg } from '../helpers/media-files.js';
import { publishMeasured } from '../helpers/peak-rss.js';
import { sandboxPosts, seedPublishConnection, startPublishProfile, type PublishProfile } from '../helpers/publish-sandbox.js';
import { firstBoardOf } from '../../src/sandbox/pinterest-publish.js';
import { runScheduleAdd } from '../../src/commands/schedule-add.js';
import type { Connection } from '../../src/store/types.js';

const ACCOUNTS = 16;
const MIB = 1024 * 1024;
let pp: PublishProfile;
const conns: Connection[] = [];

beforeAll(async () => {
  pp = await startPublishProfile({ platforms: ['pinterest'], sandbox: { callLatencyMs: 100, demo: false } });
  conns.push(pp.conns.pinterest!);
  for (let i = 1; i < ACCOUNTS; i++) conns.push(await seedPublishConnection(pp.deps, 'pinterest', `acct${i}`));
}, 90_000);
afterAll(async () => pp?.close());

describe('Pinterest image pins: memory bounded by bytes (built CLI, sandbox)', () => {
  it('16 local images of 20 MiB due at once: every byte arrives, peak RSS stays under 300 MB', async () => {
    const photo = join(pp.home, 'pin.jpg');
    // 20 MiB + 1: not a multiple of 3, so the Base64 ends in padding.
    writeFileSync(photo, Buffer.concat([jpeg(1000, 1500), Buffer.alloc(20 * MIB + 1 - jpeg(1000, 1500).length, 7)]));
    const sha256 = createHash('sha256').update(readFileSync(photo)).digest('hex');
    for (const c of conns) {
      await runScheduleAdd(pp.deps, { to: `pinterest:${c.name}`, at: 'now', text: `burst ${c.name}`, media: [photo], set: [`pinterest.board=${firstBoardOf(c.accountId)}`] });
    }
    const r = await publishMeasured(cliEnv(pp.env));
    expect(r.code).toBe(0);
    const results = (JSON.parse(r.stdout) as { results: { outcome: string }[] }).results;
    expect(results.filter((x) => x.outcome === 'published')).toHaveLength(ACCOUNTS);
    const got = (await sandboxPosts(pp.sandbox, 'pinterest')).filter((p) => p.text.startsWith('burst '));
    expect(got).toHaveLength(ACCOUNTS);
    for (const p of got) expect(p.media[0]).toMatchObject({ bytes: 20 * MIB + 1, sha256 });
    // Issue 14's bound (Node 22 and 24 start some 40 MB higher than Node 20).
    expect(r.peakMb).toBeLessThan(300);
  }, 180_000);
});
