/**
 * Publishing quotas that can be known ahead (issue 14), checked at `schedule add`: a post that
 * would take an account (or the app) over a platform's documented cap gets a warning naming the
 * day and the platform, before anything fails at publish time. Each limit is a setting (a project
 * with a raised quota, another X tier) and each rule's source is on its platform page:
 * docs/platforms/youtube.md#quota, docs/platforms/instagram.md#publishing-limit, docs/platforms/x.md#quota.
 */
import type { PlatformId } from '../providers/types.js';
import type { PostStore, PostSummary, TargetState } from '../store/posts.js';
import type { Connection } from '../store/types.js';
import { formatInZone } from './time.js';

const MIN = 60_000;
const DAY = 86_400_000;

export interface QuotaRule {
  platform: PlatformId;
  /** The config key that overrides `def`. */
  key: string;
  def: number;
  what: string;
  /** Counted per connected account, or across every account of the platform (the app's quota). */
  scope: 'account' | 'app';
  /** A window of `ms` sliding over time, or a calendar day in `tz` (quotas that reset at midnight). */
  window: { kind: 'rolling'; ms: number; words: string } | { kind: 'day'; tz: string; words: string };
  /** What one target uses and how the limit is said. */
  unit: string;
  doc: string;
}

export const QUOTA_RULES: QuotaRule[] = [
  {
    platform: 'youtube',
    key: 'quota.youtube.uploadsPerDay',
    def: 100,
    what: 'YouTube: videos.insert calls per day for the Google Cloud project (all YouTube accounts together)',
    scope: 'app',
    window: { kind: 'day', tz: 'America/Los_Angeles', words: 'Pacific Time day' },
    unit: 'uploads',
    doc: 'docs/platforms/youtube.md#quota',
  },
  {
    platform: 'instagram',
    key: 'quota.instagram.postsPer24h',
    def: 50,
    what: 'Instagram: API-published posts per account in any 24 hours (a carousel counts once)',
    scope: 'account',
    window: { kind: 'rolling', ms: DAY, words: '24 hours' },
    unit: 'posts',
    doc: 'docs/platforms/instagram.md#publishing-limit',
  },
  {
    platform: 'x',
    key: 'quota.x.postsPer15Min',
    def: 100,
    what: 'X: POST /2/tweets per user in any 15 minutes',
    scope: 'account',
    window: { kind: 'rolling', ms: 15 * MIN, words: '15 minutes' },
    unit: 'posts',
    doc: 'docs/platforms/x.md#quota',
  },
  {
    platform: 'x',
    key: 'quota.x.appPostsPer24h',
    def: 10_000,
    what: 'X: POST /2/tweets per app (all X accounts together) in any 24 hours',
    scope: 'app',
    window: { kind: 'rolling', ms: DAY, words: '24 hours' },
    unit: 'posts',
    doc: 'docs/platforms/x.md#quota',
  },
];

/** `config list` entries of the quota settings. */
export const QUOTA_SETTINGS = QUOTA_RULES.map((r) => ({ key: r.key, def: r.def, what: r.what }));

/** States of a target that did or will use the quota. */
const COUNTED: TargetState[] = ['scheduled', 'publishing', 'published', 'unconfirmed'];

export interface QuotaWarning {
  platform: PlatformId;
  /** The connection's name; null for an app-wide quota. */
  account: string | null;
  /** The calendar day (YYYY-MM-DD in the post's zone, or Pacific Time for YouTube) the quota is exceeded on. */
  day: string;
  /** How many the window would hold with this post, and the limit. */
  count: number;
  limit: number;
  setting: string;
  message: string;
}

/**
 * The largest number of `times` (plus `at` itself) in one window of `ms` that contains `at`,
 * and where that window starts.
 */
export function busiestWindow(times: number[], at: number, ms: number): { count: number; start: number } {
  const near = times.filter((t) => t > at - ms && t < at + ms).sort((a, b) => a - b);
  let best = { count: 1, start: at };
  for (const s of [...near.filter((t) => t <= at), at]) {
    const count = near.filter((t) => t >= s && t < s + ms).length + 1;
    if (count > best.count) best = { count, start: s };
  }
  return best;
}

/** YYYY-MM-DD of `t` in `tz`. */
const dayIn = (t: number, tz: string) => formatInZone(t, tz).slice(0, 10);

export interface QuotaInput {
  scheduledAt: number;
  tz: string;
  targets: { platform: PlatformId; connectionId: string }[];
  /** A post being edited (schedule edit): its own stored targets are not counted a second time. */
  postId?: number;
}

/** The warnings for a post about to be scheduled, or rescheduled (`post.postId`). */
export async function quotaWarnings(
  posts: PostStore,
  conns: Pick<Connection, 'id' | 'name' | 'platform'>[],
  config: { get<T>(key: string): T | undefined },
  post: QuotaInput,
): Promise<QuotaWarning[]> {
  const out: QuotaWarning[] = [];
  for (const rule of QUOTA_RULES) {
    const mine = post.targets.filter((t) => t.platform === rule.platform);
    if (!mine.length) continue;
    const limit = Number(config.get<number>(rule.key) ?? rule.def);
    const span = rule.window.kind === 'rolling' ? rule.window.ms : 2 * DAY;
    // Only the posts near this one can share a window with it (schedule_at; a published target counts at its post's time).
    const near = (await posts.listSummaries({ platform: rule.platform, since: post.scheduledAt - span, until: post.scheduledAt + span }, 1_000_000)).filter((s) => s.id !== post.postId);
    for (const t of rule.scope === 'app' ? mine.slice(0, 1) : mine) {
      const times = await timesOf(posts, near, rule, t.connectionId);
      const w = countIn(rule, times, post.scheduledAt);
      if (w.count <= limit) continue;
      const account = rule.scope === 'account' ? (conns.find((c) => c.id === t.connectionId)?.name ?? t.connectionId) : null;
      const day = rule.window.kind === 'day' ? dayIn(post.scheduledAt, rule.window.tz) : dayIn(w.start, post.tz);
      out.push({ platform: rule.platform, account, day, count: w.count, limit, setting: rule.key, message: warningText(rule, account, day, w.count, limit) });
    }
  }
  return out;
}

/** When each counted target of the rule's platform (of one connection, for a per-account rule) goes out. */
async function timesOf(posts: PostStore, near: PostSummary[], rule: QuotaRule, connectionId: string): Promise<number[]> {
  const times: number[] = [];
  for (const s of near) {
    if (rule.scope === 'app') {
      for (const t of s.targets) if (t.platform === rule.platform && COUNTED.includes(t.state)) times.push(s.scheduledAt);
      continue;
    }
    for (const t of await posts.targets(s.id)) if (t.connectionId === connectionId && COUNTED.includes(t.state)) times.push(s.scheduledAt);
  }
  return times;
}

function countIn(rule: QuotaRule, times: number[], at: number): { count: number; start: number } {
  if (rule.window.kind === 'rolling') return busiestWindow(times, at, rule.window.ms);
  const { tz } = rule.window;
  const day = dayIn(at, tz);
  return { count: times.filter((t) => Math.abs(t - at) < 2 * DAY && dayIn(t, tz) === day).length + 1, start: at };
}

function warningText(rule: QuotaRule, account: string | null, day: string, count: number, limit: number): string {
  const who = account ? `${rule.platform}:${account}` : `${rule.platform} (all accounts: the app's quota)`;
  const span = rule.window.kind === 'day' ? `on ${day} (${rule.window.words})` : `in ${rule.window.words} on ${day}`;
  return `${who} would have ${count} ${rule.unit} ${span}, over the limit of ${limit}: those over it are held back until the platform's quota allows them (setting ${rule.key}; ${rule.doc})`;
}
