/**
 * Turning `schedule add|edit` flags (or guided answers) into a post: targets
 * resolved to connections, the time parsed in its zone, media described, and
 * every target validated by its platform's publisher now, not at publish time.
 */
import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { CancelledError, UsageError } from '../core/errors.js';
import { humanDuration } from '../core/format.js';
import { readStdin } from '../core/io.js';
import { parsePlatform } from '../providers/registry.js';
import type { PlatformId, PublishSettings } from '../providers/types.js';
import type { NewPost, PostOverride } from '../store/posts.js';
import type { Connection } from '../store/types.js';
import { draftFor, loadPublisher } from './draft.js';
import { describeMedia, fingerprintMedia } from './media.js';
import { checkDraftMedia } from './media-check.js';
import { AmbiguousTimeError, parseWhen, systemZone, type Ambiguity, type ParsedTime } from './time.js';

export interface ScheduleFlags {
  to?: string;
  at?: string;
  tz?: string;
  earlier?: boolean;
  later?: boolean;
  text?: string;
  /** Path of a file holding the text, or "-" for standard input (argv has a size limit). */
  textFile?: string;
  /** Publish at the next tick; with a past --at, confirms that it is meant. */
  now?: boolean;
  title?: string;
  privacy?: string;
  media?: string[];
  mediaType?: string;
  /** platform.field=value: per-platform text/title/privacy, anything else becomes a platform option. */
  set?: string[];
  /** key=value options for every platform. */
  option?: string[];
  /** Pinterest: the board to pin to, by id or name (docs/platforms/pinterest.md#boards). */
  board?: string;
}

export const collect = (v: string, prev: string[] = []) => [...prev, v];

/** The post flags shared by `schedule add` and `schedule edit`. */
export function postOptions(cmd: Command): Command {
  return cmd
    .option('--at <time>', '"YYYY-MM-DD HH:MM" in --tz, an ISO instant, "now" or "+30m"')
    .option('--tz <zone>', 'IANA time zone of --at (default: the system zone)')
    .option('--earlier', 'when --at happens twice (clocks go back), use the first occurrence')
    .option('--later', 'when --at happens twice, use the second occurrence')
    .option('--now', 'publish at the next tick (the same as --at now); confirms an --at in the past')
    .option('--text <text>', 'text / caption')
    .option('--text-file <path>', 'read the text from a file, or "-" for standard input (for long texts)')
    .option('--title <title>', 'title (YouTube, TikTok)')
    .option('--privacy <level>', 'privacy (YouTube public|unlisted|private, TikTok PUBLIC_TO_EVERYONE|..., LinkedIn PUBLIC|CONNECTIONS)')
    .option('--media <path|url>', 'image or video file, or public https URL (repeatable; replaces on edit)', collect)
    .option('--media-type <mime>', 'MIME type of a --media URL whose extension does not tell (files are probed)')
    .option('--set <platform.field=value>', 'per-platform override, e.g. x.text="short" (repeatable)', collect)
    .option('--option <key=value>', 'platform option for every target (repeatable)', collect)
    .option('--board <id-or-name>', 'Pinterest: the board to pin to, by id or name (socialync api pinterest boards lists them)')
    .option('--json', 'print JSON (fields: docs/json.md)');
}

/** "x,linkedin:work" -> connections; a platform with several accounts needs platform:name. */
async function resolveTargets(deps: Deps, to: string): Promise<{ platform: PlatformId; connectionId: string }[]> {
  const store = await deps.store();
  const out: { platform: PlatformId; connectionId: string }[] = [];
  for (const raw of to.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [p, name] = raw.split(':', 2) as [string, string | undefined];
    const platform = parsePlatform(p);
    const conns: Connection[] = await store.listConnections({ platform, ...(name ? { name } : {}) });
    if (!conns.length) {
      throw new UsageError(`no ${platform} connection${name ? ` named ${name}` : ''}`, `run: socialync connect ${platform}${name ? ` --name ${name}` : ''}`);
    }
    if (conns.length > 1) {
      throw new UsageError(`${platform} has several accounts: ${conns.map((c) => c.name).join(', ')}`, `pick one, e.g. --to ${platform}:${conns[0]!.name}`);
    }
    if (!out.some((t) => t.connectionId === conns[0]!.id)) out.push({ platform, connectionId: conns[0]!.id });
  }
  if (!out.length) throw new UsageError('no targets given', 'pass --to, e.g. --to x,linkedin');
  return out;
}

export function parseOverrides(sets: string[] = [], options: string[] = []): { overrides: NewPost['overrides']; options: Record<string, string> } {
  const overrides: Partial<Record<PlatformId, PostOverride>> = {};
  const opts: Record<string, string> = {};
  for (const o of options) {
    const i = o.indexOf('=');
    if (i < 1) throw new UsageError(`--option needs key=value, got "${o}"`);
    opts[o.slice(0, i)] = o.slice(i + 1);
  }
  for (const s of sets) {
    const m = /^([a-z]+)\.([A-Za-z_]+)=(.*)$/s.exec(s);
    if (!m) throw new UsageError(`--set needs platform.field=value, got "${s}"`, 'e.g. --set x.text="shorter text" --set youtube.privacy=unlisted');
    const platform = parsePlatform(m[1]);
    const ov = (overrides[platform] ??= {});
    const field = m[2]!;
    if (field === 'text' || field === 'title' || field === 'privacy') ov[field] = m[3]!;
    else (ov.options ??= {})[field] = m[3]!;
  }
  return { overrides, options: opts };
}

/**
 * Parses the time; on a TTY an ambiguous time is asked, otherwise it needs --earlier/--later.
 * A time the user typed that is already past needs --now, or a yes on a terminal.
 */
export async function resolveTime(deps: Deps, at: string, tz: string | undefined, f: Pick<ScheduleFlags, 'earlier' | 'later' | 'now'>, typed = true): Promise<ParsedTime> {
  const when = await parseTime(deps, at, tz, f);
  if (typed) await confirmPast(deps, when, at, f);
  return when;
}

/** Grace for "now"-ish times that passed while the command started. */
const PAST_GRACE_MS = 60_000;

async function confirmPast(deps: Deps, when: ParsedTime, at: string, f: Pick<ScheduleFlags, 'now'>): Promise<void> {
  const ago = deps.clock.now() - when.at;
  if (ago <= PAST_GRACE_MS || f.now) return;
  const what = `--at "${at}" (${when.local} ${when.tz}) was ${humanDuration(ago)} ago`;
  if (!deps.io.canPrompt) throw new UsageError(`${what}`, 'pass a future --at, or add --now to publish it at the next tick');
  if (!(await deps.prompts.confirm(`${what}. Publish it at the next tick?`, false))) throw new CancelledError('cancelled: nothing was scheduled');
}

async function parseTime(deps: Deps, at: string, tz: string | undefined, f: Pick<ScheduleFlags, 'earlier' | 'later'>): Promise<ParsedTime> {
  if (f.earlier && f.later) throw new UsageError('--earlier and --later cannot be combined');
  const zone = tz ?? systemZone(deps.env);
  const amb: Ambiguity | undefined = f.earlier ? 'earlier' : f.later ? 'later' : undefined;
  try {
    return parseWhen(at, zone, deps.clock.now(), amb);
  } catch (e) {
    if (!(e instanceof AmbiguousTimeError) || !deps.io.canPrompt) throw e;
    const pick = await deps.prompts.select<Ambiguity>(`${e.local} happens twice in ${zone}. Which one?`, [
      { value: 'earlier', name: `the first (${new Date(e.candidates[0]).toISOString()})` },
      { value: 'later', name: `the second (${new Date(e.candidates[1]).toISOString()})` },
    ]);
    return parseWhen(at, zone, deps.clock.now(), pick);
  }
}

/**
 * Runs every target's publisher.validate and checks the media against the platform's documented
 * limits (./media-check.ts); one UsageError listing all problems.
 */
export async function validateTargets(post: Omit<NewPost, 'targets'>, targets: { platform: PlatformId }[], settings?: PublishSettings): Promise<void> {
  const problems: string[] = [];
  for (const t of targets) {
    const pub = await loadPublisher(t.platform);
    const draft = draftFor(post, t.platform);
    for (const i of [...pub.validate(draft, settings), ...checkDraftMedia(t.platform, draft)]) problems.push(`${t.platform}: ${i.field}: ${i.message}`);
  }
  if (problems.length) {
    throw new UsageError(`the post cannot be published as it is:\n  ${problems.join('\n  ')}`, 'fix the flags above (per-platform overrides: --set <platform>.text=...), then run the command again');
  }
}

/** --text-file (or "-" for stdin) becomes --text; the two cannot be combined. --now stands for --at now. */
export async function readTextFlags(deps: Deps, f: ScheduleFlags): Promise<ScheduleFlags> {
  const out = { ...f };
  if (out.now && out.at === undefined) out.at = 'now';
  if (out.textFile === undefined) return out;
  if (out.text !== undefined) throw new UsageError('--text and --text-file cannot be combined', 'pass one of them');
  out.text = await readTextFile(deps, out.textFile);
  delete out.textFile;
  return out;
}

async function readTextFile(deps: Deps, path: string): Promise<string> {
  if (path === '-') return (await readStdin(deps.io)).replace(/\r?\n$/, '');
  const { readFile } = await import('node:fs/promises');
  try {
    return (await readFile(path, 'utf8')).replace(/\r?\n$/, '');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new UsageError(`cannot read --text-file ${path} (${code})`, code === 'ENOENT' ? 'check the path' : 'check that it is a readable file');
  }
}

/** Asks for what is missing on a TTY; without one, names the missing flag. */
export async function fillMissing(deps: Deps, f: ScheduleFlags): Promise<ScheduleFlags> {
  const out = { ...f };
  if (!out.to) out.to = await deps.prompts.input('Post to which platforms? (comma-separated, e.g. x,linkedin)', { validate: (v) => (v.trim() ? true : 'at least one platform') });
  if (!out.at) out.at = await deps.prompts.input(`When? (YYYY-MM-DD HH:MM in ${out.tz ?? systemZone(deps.env)}, or "now")`, { validate: (v) => (v.trim() ? true : 'a time is needed') });
  if (out.text === undefined && !out.media?.length) out.text = await deps.prompts.input('Text of the post');
  return out;
}

export async function buildPost(deps: Deps, f: ScheduleFlags): Promise<NewPost> {
  const targets = await resolveTargets(deps, f.to!);
  const when = await resolveTime(deps, f.at!, f.tz, f);
  const { overrides, options } = parseOverrides(f.set, f.option);
  if (f.board !== undefined) await applyBoard(deps, targets, overrides, f.board);
  const media = [];
  for (const m of f.media ?? []) media.push(await describeMedia(m, f.mediaType));
  const post: NewPost = {
    text: f.text ?? '',
    ...(f.title !== undefined ? { title: f.title } : {}),
    ...(f.privacy !== undefined ? { privacy: f.privacy } : {}),
    options,
    overrides,
    scheduledAt: when.at,
    tz: when.tz,
    localTime: when.local,
    media,
    targets,
  };
  await validateTargets(post, targets, deps.config);
  return { ...post, media: await fingerprintMedia(post.media) };
}

/** --board: resolved against the Pinterest account's boards (id or name) into the pinterest board option. */
export async function applyBoard(deps: Deps, targets: { platform: PlatformId; connectionId: string }[], overrides: NewPost['overrides'], choice: string): Promise<void> {
  const target = targets.find((t) => t.platform === 'pinterest');
  if (!target) throw new UsageError('--board is for Pinterest pins', 'add pinterest to --to, or leave --board out');
  const conn = (await (await deps.store()).getConnection(target.connectionId))!;
  const { usableToken } = await import('../auth/access.js');
  const { listBoards, pickBoard } = await import('../providers/pinterest-boards.js');
  const boards = await listBoards((await usableToken(deps, conn)).tokens, await deps.providerDeps('pinterest'));
  const board = pickBoard(boards, choice);
  if (!board) throw new UsageError(`pinterest: no board "${choice}" on ${conn.name}`, boards.length ? `pick one of: ${boards.map((b) => `${b.name} (${b.id})`).join(', ')}` : 'create a board on Pinterest first');
  const ov = (overrides.pinterest ??= {});
  ov.options = { ...(ov.options ?? {}), board: board.id };
}
