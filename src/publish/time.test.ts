import { describe, expect, it } from 'vitest';
import { AmbiguousTimeError, formatInZone, offsetLabel, parseWhen } from './time.js';
import { UsageError } from '../core/errors.js';

const NOW = Date.parse('2026-06-01T00:00:00Z');
const iso = (u: number) => new Date(u).toISOString();

describe('parseWhen: DST-correct local times', () => {
  it('Europe/Berlin: winter and summer offsets', () => {
    expect(iso(parseWhen('2026-12-01 09:00', 'Europe/Berlin', NOW).at)).toBe('2026-12-01T08:00:00.000Z');
    expect(iso(parseWhen('2026-07-01 09:00', 'Europe/Berlin', NOW).at)).toBe('2026-07-01T07:00:00.000Z');
  });

  it('Europe/Berlin: 02:30 on the spring-forward day does not exist and names 01:59 and 03:00', () => {
    expect(() => parseWhen('2026-03-29 02:30', 'Europe/Berlin', NOW)).toThrow(UsageError);
    expect(() => parseWhen('2026-03-29 02:30', 'Europe/Berlin', NOW)).toThrow(/2026-03-29 01:59 and 2026-03-29 03:00/);
  });

  it('Europe/Berlin: 02:30 on the fall-back day is ambiguous; --earlier/--later pick CEST/CET', () => {
    expect(() => parseWhen('2026-10-25 02:30', 'Europe/Berlin', NOW)).toThrow(AmbiguousTimeError);
    expect(iso(parseWhen('2026-10-25 02:30', 'Europe/Berlin', NOW, 'earlier').at)).toBe('2026-10-25T00:30:00.000Z');
    expect(iso(parseWhen('2026-10-25 02:30', 'Europe/Berlin', NOW, 'later').at)).toBe('2026-10-25T01:30:00.000Z');
  });

  it('America/New_York: gap at 02:00-03:00 in March, overlap 01:00-02:00 in November', () => {
    expect(() => parseWhen('2026-03-08 02:15', 'America/New_York', NOW)).toThrow(/2026-03-08 01:59 and 2026-03-08 03:00/);
    expect(iso(parseWhen('2026-03-08 03:00', 'America/New_York', NOW).at)).toBe('2026-03-08T07:00:00.000Z');
    const e = (() => {
      try {
        parseWhen('2026-11-01 01:30', 'America/New_York', NOW);
      } catch (x) {
        return x as AmbiguousTimeError;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(AmbiguousTimeError);
    expect(e!.candidates.map(iso)).toEqual(['2026-11-01T05:30:00.000Z', '2026-11-01T06:30:00.000Z']);
  });

  it('Australia/Lord_Howe: the 30-minute shift (gap 02:00-02:30 in October, overlap 01:30-02:00 in April)', () => {
    expect(() => parseWhen('2026-10-04 02:15', 'Australia/Lord_Howe', NOW)).toThrow(/2026-10-04 01:59 and 2026-10-04 02:30/);
    expect(iso(parseWhen('2026-10-04 02:30', 'Australia/Lord_Howe', NOW).at)).toBe('2026-10-03T15:30:00.000Z');
    expect(() => parseWhen('2026-04-05 01:45', 'Australia/Lord_Howe', NOW)).toThrow(AmbiguousTimeError);
    expect(iso(parseWhen('2026-04-05 01:45', 'Australia/Lord_Howe', NOW, 'earlier').at)).toBe('2026-04-04T14:45:00.000Z');
    expect(iso(parseWhen('2026-04-05 01:45', 'Australia/Lord_Howe', NOW, 'later').at)).toBe('2026-04-04T15:15:00.000Z');
    expect(offsetLabel(Date.parse('2026-07-01T00:00:00Z'), 'Australia/Lord_Howe')).toBe('UTC+10:30');
  });

  it('round-trips through formatInZone and accepts now, +10m and ISO instants', () => {
    const p = parseWhen('2026-12-01 09:00', 'Asia/Kolkata', NOW);
    expect(formatInZone(p.at, 'Asia/Kolkata')).toBe('2026-12-01 09:00');
    expect(parseWhen('now', 'UTC', NOW).at).toBe(NOW);
    expect(parseWhen('+10m', 'UTC', NOW).at).toBe(NOW + 600_000);
    expect(parseWhen('2026-12-01T09:00:00+01:00', 'UTC', NOW).at).toBe(Date.parse('2026-12-01T08:00:00Z'));
  });

  it('rejects unknown zones and impossible dates with a usage error', () => {
    expect(() => parseWhen('2026-12-01 09:00', 'Mars/Olympus', NOW)).toThrow(/unknown time zone/);
    expect(() => parseWhen('2026-02-30 09:00', 'UTC', NOW)).toThrow(/not a valid date/);
    expect(() => parseWhen('tomorrow-ish', 'UTC', NOW)).toThrow(/cannot read the time/);
  });
});
