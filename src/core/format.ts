/** Small pure formatters for durations and times used by table output. */
import { DAY, HOUR, MINUTE } from './clock.js';

export function humanDuration(ms: number): string {
  const neg = ms < 0;
  const a = Math.abs(ms);
  let s: string;
  if (a >= 2 * DAY) s = `${Math.floor(a / DAY)}d`;
  else if (a >= HOUR) s = `${Math.floor(a / HOUR)}h ${Math.floor((a % HOUR) / MINUTE)}m`;
  else if (a >= MINUTE) s = `${Math.floor(a / MINUTE)}m`;
  else s = `${Math.floor(a / 1000)}s`;
  return neg ? `${s} ago` : s;
}

export function relativeTime(at: number | null, now: number): string {
  if (at === null) return 'never';
  const d = now - at;
  return d >= 0 ? `${humanDuration(d)} ago` : `in ${humanDuration(-d)}`;
}

export function iso(at: number | null | undefined): string | null {
  return at === null || at === undefined ? null : new Date(at).toISOString();
}
