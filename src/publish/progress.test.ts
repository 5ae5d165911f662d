import { describe, expect, it } from 'vitest';
import { barLine, createBoard } from './progress.js';
import { width } from '../core/text-width.js';

const MIB = 1024 * 1024;
const plain = (s: string) => s.replace(/\u001b\[\d*[A-Z]/g, '').replace(/\r/g, '');

describe('upload progress bars', () => {
  it('a line with the bar, percent, MiB sent of total, speed and time left, within the width', () => {
    const line = barLine({ label: 'youtube:alice', sent: 10 * MIB, total: 40 * MIB, startedAt: 0 }, 13, 5000, 80);
    expect(line).toMatch(/^youtube:alice {2}\[█+░+\] +25% {2}10\.0\/40\.0 MiB {2}2\.0 MiB\/s {2}0:15 left$/);
    expect(line.length).toBeLessThan(80);
    const narrow = barLine({ label: 'youtube:alice', sent: 10 * MIB, total: 40 * MIB, startedAt: 0 }, 13, 5000, 50);
    expect(narrow.length).toBeLessThan(50);
    expect(narrow).toContain('10.0/40.0 MiB');
    expect(barLine({ label: 'x:a', sent: 2 * MIB, total: 2 * MIB, startedAt: 0 }, 3, 1000, 80)).toMatch(/100% {2}2\.0\/2\.0 MiB {2}2\.0 MiB\/s {2}done$/);
  });

  it('several bars redraw together in place; at most every 100 ms, always at 100 %', () => {
    let out = '';
    let t = 0;
    const board = createBoard((s) => (out += s), () => t, () => 80);
    const a = board.bar('tiktok:alice');
    const b = board.bar('youtube:alice');
    a(MIB, 4 * MIB);
    expect(plain(out).split('\n').filter(Boolean)).toHaveLength(1);
    t = 50;
    b(MIB, 2 * MIB); // within 100 ms: not drawn yet
    expect(plain(out).split('\n').filter(Boolean)).toHaveLength(1);
    t = 150;
    b(2 * MIB, 2 * MIB);
    expect(out).toContain('\u001b[1A'); // back up over the first frame
    const frame = plain(out.slice(out.lastIndexOf('\u001b[1A'))).split('\n').filter(Boolean);
    expect(frame[0]).toMatch(/^tiktok:alice {3}\[.*\] +25% {2}1\.0\/4\.0 MiB/);
    expect(frame[1]).toMatch(/^youtube:alice {2}\[█+\] +100% {2}2\.0\/2\.0 MiB .* done$/);
  });

  it('a target without media draws nothing', () => {
    let out = '';
    createBoard((s) => (out += s), () => 0, () => 80).bar('x:alice');
    expect(out).toBe('');
  });

  it('labels with CJK or emoji account names line up by terminal columns and fit the width', () => {
    let out = '';
    const board = createBoard((s) => (out += s), () => 1000, () => 60);
    board.bar('x:東京アカウント')(MIB, 2 * MIB);
    board.bar('tiktok:👩‍👩‍👧‍👦team')(2 * MIB, 2 * MIB);
    const frame = plain(out.slice(out.lastIndexOf('\u001b[1A'))).split('\n').filter(Boolean);
    const barAt = frame.map((l) => width(l.slice(0, l.indexOf('['))));
    expect(barAt).toEqual([18, 18]); // 'x:東京アカウント' is 16 columns, then two spaces
    for (const l of frame) expect(width(l)).toBeLessThan(60);
    // A label wider than the window is cut by columns, never inside a character.
    const cut = barLine({ label: 'x:東京アカウント東京アカウント', sent: MIB, total: 2 * MIB, startedAt: 0 }, 30, 1000, 20);
    expect(cut).toBe('x:東京アカウント東'); // 18 columns of the 19 allowed: 京 would need two
  });
});
