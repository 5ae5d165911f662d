import { describe, expect, it } from 'vitest';
import { bucket, hourRows, periodOf } from './calendar.js';
import { dayStart } from './time.js';

describe('calendar periods', () => {
  it('a week runs Monday to Sunday around the anchor, in local days of the zone', () => {
    const p = periodOf('week', '2026-10-25', 'Europe/Berlin');
    expect(p.days.map((d) => d.date)).toEqual(['2026-10-19', '2026-10-20', '2026-10-21', '2026-10-22', '2026-10-23', '2026-10-24', '2026-10-25']);
    expect(new Date(p.from).toISOString()).toBe('2026-10-18T22:00:00.000Z');
    // Sunday the 25th has 25 hours: the week ends at midnight CET.
    expect(new Date(p.until).toISOString()).toBe('2026-10-25T23:00:00.000Z');
    expect(periodOf('week', '2026-11-30', 'UTC').days[0]!.date).toBe('2026-11-30');
  });

  it('a month is whole weeks: February 2027 (starts Monday) is 4 weeks, March 2027 5, August 2026 6', () => {
    expect(periodOf('month', '2027-02-14', 'UTC').days).toHaveLength(28);
    expect(periodOf('month', '2027-03-01', 'UTC').days).toHaveLength(35);
    const aug = periodOf('month', '2026-08-31', 'UTC');
    expect(aug.days).toHaveLength(42);
    expect(aug.days.filter((d) => d.inPeriod)).toHaveLength(31);
    expect(aug.days[0]!.date).toBe('2026-07-27');
  });

  it('a day whose midnight does not exist (Santiago, clocks jump at 00:00) starts at its first minute', () => {
    expect(new Date(dayStart(2026, 9, 6, 'America/Santiago')).toISOString()).toBe('2026-09-06T04:00:00.000Z');
  });
});

describe('calendar buckets', () => {
  const post = (id: number, at: string) => ({ id, at: Date.parse(at), status: 'scheduled' as const, platforms: ['x'], text: '', reconnectBefore: [] });

  it('posts land on their local day; the repeated hour of a fall-back night is two rows, earlier offset first', () => {
    const cal = bucket(periodOf('week', '2026-10-25', 'Europe/Berlin'), [
      post(3, '2026-10-25T01:30:00Z'),
      post(1, '2026-10-24T22:30:00Z'),
      post(2, '2026-10-25T00:30:00Z'),
      post(4, '2026-10-26T00:00:00Z'),
    ]);
    expect(cal.days[6]!.posts.map((p) => [p.id, p.time])).toEqual([[1, '00:30'], [2, '02:30'], [3, '02:30']]);
    expect(cal.days.flatMap((d) => d.posts).map((p) => p.id)).not.toContain(4);
    expect(hourRows(cal)).toEqual([
      { hour: 0, offsetMin: 120, repeated: false },
      { hour: 2, offsetMin: 120, repeated: true },
      { hour: 2, offsetMin: 60, repeated: true },
    ]);
  });
});
