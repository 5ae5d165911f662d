/**
 * Wall-clock times in IANA zones, DST-correct, with Intl only (no tz library).
 * A local time maps to 0 instants (in a spring-forward gap), 1, or 2 (in a
 * fall-back overlap); we never guess silently.
 */
import { UsageError } from '../core/errors.js';

const MIN = 60_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(tz, f);
  }
  return f;
}

export function systemZone(env: NodeJS.ProcessEnv = {}): string {
  return env.TZ && isValidZone(env.TZ) ? env.TZ : Intl.DateTimeFormat().resolvedOptions().timeZone;
}

function isValidZone(tz: string): boolean {
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

function assertZone(tz: string): string {
  if (!isValidZone(tz)) throw new UsageError(`unknown time zone "${tz}"`, 'use an IANA zone name such as Europe/Berlin or America/New_York');
  return tz;
}

/** The zone's wall clock at instant `u`, expressed as if it were UTC milliseconds. */
function wallAt(u: number, tz: string): number {
  const p: Record<string, number> = {};
  for (const part of formatter(tz).formatToParts(u)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
}

function offsetAt(u: number, tz: string): number {
  return wallAt(u, tz) - Math.floor(u / 1000) * 1000;
}

export interface LocalTime {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
}

const pad = (n: number) => String(n).padStart(2, '0');

function formatLocal(l: LocalTime): string {
  return `${l.y}-${pad(l.mo)}-${pad(l.d)} ${pad(l.h)}:${pad(l.mi)}`;
}

function wallToLocal(w: number): LocalTime {
  const d = new Date(w);
  return { y: d.getUTCFullYear(), mo: d.getUTCMonth() + 1, d: d.getUTCDate(), h: d.getUTCHours(), mi: d.getUTCMinutes() };
}

/** Every UTC instant whose wall clock in `tz` reads `l` (0, 1 or 2 of them, ascending). */
function instantsFor(l: LocalTime, tz: string): number[] {
  const wall = Date.UTC(l.y, l.mo - 1, l.d, l.h, l.mi);
  // Transitions are months apart, so the offsets a day either side cover every candidate.
  const offsets = new Set([offsetAt(wall - 86_400_000, tz), offsetAt(wall + 86_400_000, tz), offsetAt(wall, tz)]);
  const out = new Set<number>();
  for (const o of offsets) {
    const u = wall - o;
    if (wallAt(u, tz) === wall) out.add(u);
  }
  return [...out].sort((a, b) => a - b);
}

/** Formats an instant as the wall clock of `tz`: "2026-12-01 09:00". */
export function formatInZone(u: number, tz: string): string {
  return formatLocal(wallToLocal(wallAt(u, tz)));
}

/** For a local time inside a gap: the last valid minute before and the first after. */
function gapNeighbours(l: LocalTime, tz: string): [string, string] {
  const wall = Date.UTC(l.y, l.mo - 1, l.d, l.h, l.mi);
  let lo = wall - offsetAt(wall - 86_400_000, tz) - 86_400_000;
  let hi = wall - offsetAt(wall + 86_400_000, tz) + 86_400_000;
  // Find the first instant (minute precision) whose wall clock is past `l`.
  while (hi - lo > MIN) {
    const mid = lo + Math.floor((hi - lo) / 2 / MIN) * MIN;
    if (wallAt(mid, tz) > wall) hi = mid;
    else lo = mid;
  }
  return [formatInZone(hi - MIN, tz), formatInZone(hi, tz)];
}

export type Ambiguity = 'earlier' | 'later';

export class AmbiguousTimeError extends UsageError {
  constructor(
    readonly local: string,
    readonly tz: string,
    readonly candidates: [number, number],
  ) {
    super(`${local} happens twice in ${tz} (clocks go back)`, 'pass --earlier (the first occurrence) or --later (the second)');
  }
}

const LOCAL_RE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})$/;
const ABS_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const REL_RE = /^(?:in\s+|\+)(\d+)\s*(m|min|minutes?|h|hours?|d|days?)$/i;

export interface ParsedTime {
  at: number;
  tz: string;
  /** The wall-clock time as the user meant it, e.g. "2026-12-01 09:00". */
  local: string;
}

/**
 * Parses `--at`: "YYYY-MM-DD HH:MM" in `tz`, an ISO instant with Z/offset,
 * "now", or "+10m"/"+2h"/"+1d". A time in a DST gap is a UsageError naming
 * the nearest valid times; one in an overlap needs `ambiguity`.
 */
export function parseWhen(input: string, tz: string, now: number, ambiguity?: Ambiguity): ParsedTime {
  assertZone(tz);
  const s = input.trim();
  const fromInstant = (at: number): ParsedTime => ({ at: withinRange(at, input, now), tz, local: formatInZone(at, tz) });
  if (s.toLowerCase() === 'now') return fromInstant(now);
  const rel = REL_RE.exec(s);
  if (rel) {
    const unit = rel[2]!.toLowerCase()[0];
    const mult = unit === 'm' ? MIN : unit === 'h' ? 60 * MIN : 1440 * MIN;
    return fromInstant(now + Number(rel[1]) * mult);
  }
  if (ABS_RE.test(s)) return fromInstant(Date.parse(s));
  const m = LOCAL_RE.exec(s);
  if (!m) throw new UsageError(`cannot read the time "${input}"`, 'use --at "YYYY-MM-DD HH:MM" (24-hour clock), e.g. --at "2026-12-01 09:00"');
  const l: LocalTime = { y: +m[1]!, mo: +m[2]!, d: +m[3]!, h: +m[4]!, mi: +m[5]! };
  const check = new Date(Date.UTC(l.y, l.mo - 1, l.d, l.h, l.mi));
  if (l.h > 23 || l.mi > 59 || check.getUTCMonth() !== l.mo - 1 || check.getUTCDate() !== l.d) {
    throw new UsageError(`"${input}" is not a valid date and time`, 'use --at "YYYY-MM-DD HH:MM" (24-hour clock)');
  }
  withinRange(Date.UTC(l.y, l.mo - 1, l.d, l.h, l.mi), input, now);
  const local = formatLocal(l);
  const found = instantsFor(l, tz);
  if (found.length === 0) {
    const [before, after] = gapNeighbours(l, tz);
    throw new UsageError(
      `${local} does not exist in ${tz} (clocks jump forward); the nearest valid times are ${before} and ${after}`,
      `pick one, e.g. --at "${after}"`,
    );
  }
  if (found.length === 2) {
    if (!ambiguity) throw new AmbiguousTimeError(local, tz, [found[0]!, found[1]!]);
    return { at: ambiguity === 'earlier' ? found[0]! : found[1]!, tz, local };
  }
  return { at: found[0]!, tz, local };
}

/** How far from now a post may be scheduled, either way: more is a typo, not a plan. */
const MAX_SCHEDULE_SPAN = 10 * 366 * 1440 * MIN;

function withinRange(at: number, input: string, now: number): number {
  if (!Number.isFinite(at) || Math.abs(at - now) > MAX_SCHEDULE_SPAN) {
    throw new UsageError(`--at "${input}" is not a time within ten years of now`, 'use --at "YYYY-MM-DD HH:MM", "now" or a relative time such as "+2h" or "+3d"');
  }
  return at;
}

/** A short offset label for an instant in a zone: "UTC+1", "UTC+10:30". */
export function offsetLabel(u: number, tz: string): string {
  const o = offsetAt(u, tz) / MIN;
  const sign = o < 0 ? '-' : '+';
  const a = Math.abs(o);
  return `UTC${sign}${Math.floor(a / 60)}${a % 60 ? ':' + pad(a % 60) : ''}`;
}

/** The wall clock of `tz` at instant `u`, with the zone's offset from UTC then (minutes). */
export function localParts(u: number, tz: string): LocalTime & { offsetMin: number } {
  return { ...wallToLocal(wallAt(u, tz)), offsetMin: offsetAt(u, tz) / MIN };
}

/**
 * The first instant of the local day y-mo-d in `tz`: its midnight, or, where a zone skips
 * midnight (a DST jump at 00:00), the first minute that exists that day.
 */
export function dayStart(y: number, mo: number, d: number, tz: string): number {
  const [first] = instantsFor({ y, mo, d, h: 0, mi: 0 }, tz);
  if (first !== undefined) return first;
  const [, after] = gapNeighbours({ y, mo, d, h: 0, mi: 0 }, tz);
  const m = LOCAL_RE.exec(after)!;
  return instantsFor({ y: +m[1]!, mo: +m[2]!, d: +m[3]!, h: +m[4]!, mi: +m[5]! }, tz)[0]!;
}

/** Checks an IANA zone name (a UsageError naming the fix when unknown). */
export const checkZone = (tz: string): string => assertZone(tz);
