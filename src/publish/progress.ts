/**
 * Upload progress on a terminal (stderr, only when io.progress: a TTY, not --quiet, not CI):
 * one bar per target with the bytes sent in MiB, the speed and the time left, like
 *
 *   youtube:alice  [██████████░░░░░░░░░░]  52%  10.4/20.0 MiB  8.1 MiB/s  0:02 left
 *
 * Several bars live on one board and are redrawn together in place (cursor up, clear line), at
 * most every 100 ms and always at 100 %; a finished bar stays as a record. Nothing is drawn
 * off a terminal, so cron and pipes never see control characters.
 */
import type { Deps } from '../deps.js';
import { fitStart, padEnd, width as columnsOf } from '../core/text-width.js';

const MIB = 1024 * 1024;
const REDRAW_MS = 100;

interface Bar {
  label: string;
  sent: number;
  total: number;
  startedAt: number;
}

export interface Board {
  /** A progress callback for one upload (PublishContext.onProgress). */
  bar(label: string): (sent: number, total: number) => void;
}

const boards = new WeakMap<Deps['io'], Board>();

/** The board of this process's terminal (one per IO, so every target draws on the same one). */
export function uploadProgress(deps: Pick<Deps, 'io' | 'clock'>, label: string): (sent: number, total: number) => void {
  let board = boards.get(deps.io);
  if (!board) boards.set(deps.io, (board = createBoard((s) => void deps.io.stderrStream.write(s), () => deps.clock.now(), () => deps.io.columns)));
  return board.bar(label);
}

export function createBoard(write: (s: string) => void, now: () => number, width: () => number): Board {
  let bars: Bar[] = [];
  let drawn = 0; // lines of the board on screen
  let lastDraw = -Infinity;
  const draw = () => {
    const labelWidth = Math.max(...bars.map((b) => columnsOf(b.label)));
    const up = drawn ? `\u001b[${drawn}A` : '';
    write(up + bars.map((b) => `\r\u001b[2K${barLine(b, labelWidth, now(), width())}\n`).join(''));
    drawn = bars.length;
    lastDraw = now();
  };
  return {
    bar(label) {
      let b: Bar | undefined;
      return (sent, total) => {
        if (!b) {
          // Shown from its first bytes (a target without media draws nothing). An upload after
          // every earlier one finished starts a fresh board below them.
          if (bars.every((x) => x.total && x.sent >= x.total)) (bars = []), (drawn = 0);
          bars.push((b = { label, sent: 0, total: 0, startedAt: now() }));
        }
        const finished = total > 0 && sent >= total && !(b.total > 0 && b.sent >= b.total);
        b.sent = sent;
        b.total = total;
        if (finished || now() - lastDraw >= REDRAW_MS) draw();
      };
    },
  };
}

/** One bar's line, fitted to the width (terminal columns): the bar shrinks first, then speed and time left go. */
export function barLine(b: Bar, labelWidth: number, at: number, width: number): string {
  const pct = b.total ? Math.min(100, Math.floor((b.sent / b.total) * 100)) : 0;
  const seconds = Math.max(0.001, (at - b.startedAt) / 1000);
  const speed = b.sent / seconds;
  const done = b.total > 0 && b.sent >= b.total;
  const left = done ? 'done' : speed > 0 ? `${clock((b.total - b.sent) / speed)} left` : '';
  const bytes = `${(b.sent / MIB).toFixed(1)}/${(b.total / MIB).toFixed(1)} MiB`;
  const head = `${padEnd(b.label, labelWidth)}  `;
  const tail = [`${String(pct).padStart(3)}%`, bytes, `${(speed / MIB).toFixed(1)} MiB/s`, left].filter(Boolean);
  for (let keep = tail.length; keep >= 2; keep--) {
    const rest = `  ${tail.slice(0, keep).join('  ')}`;
    const room = width - 1 - columnsOf(head) - rest.length - 2; // -1: never the last column (no wrap)
    if (room >= 10) {
      const cells = Math.min(30, room);
      const full = Math.round((pct / 100) * cells);
      return `${head}[${'█'.repeat(full)}${'░'.repeat(cells - full)}]${rest}`;
    }
  }
  return fitStart(`${head}${tail.slice(0, 2).join('  ')}`, Math.max(1, width - 1), true);
}

/** 0:07, 3:25, 1:02:03. */
function clock(s: number): string {
  const t = Math.ceil(s);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = String(t % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}
