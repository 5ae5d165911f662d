/**
 * The terminal's own measure of text: each text is printed in a tmux window of its own server
 * and the cursor's column asked of the terminal, so a test checks alignment with the terminal's
 * character widths, not with the code under test (CJK two columns, a ZWJ family two, a
 * combining mark none). Also what the screen reads back for each text: tmux keeps only so many
 * bytes per cell, so a long emoji sequence comes back shortened (a ZWJ family loses a person).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Measured {
  /** Columns the cursor moved while the text was printed. */
  columns: number;
  /** The text as capture-pane reads it back from the screen. */
  shown: string;
}

/** Measures every text in one terminal (400 columns wide, so none wraps). */
export async function terminalColumns(texts: string[]): Promise<Measured[]> {
  const dir = mkdtempSync(join(tmpdir(), 'socialync-cols-'));
  const socket = join(dir, 'tmux.sock');
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  // The cursor position comes from the terminal's answer to "where is the cursor?" (ESC [6n),
  // asked in the same output stream, so it always follows the text just printed.
  const steps = texts.map((t, i) => {
    writeFileSync(join(dir, `t${i}`), t);
    return `cat ${quote(join(dir, `t${i}`))}; IFS='[;' read -rs -d R -p $'\\e[6n' _ _ col; echo $((col - 1)) > ${quote(join(dir, `c${i}`))}; printf '\\r\\n'`;
  });
  writeFileSync(join(dir, 'run.sh'), `stty -echo -icanon\n${steps.join('\n')}\ntouch ${quote(join(dir, 'done'))}\nsleep 600\n`);
  const tmux = (...a: string[]) => execFileSync('tmux', ['-S', socket, ...a], { encoding: 'utf8' });
  try {
    tmux('-f', '/dev/null', 'new-session', '-d', '-x', '400', '-y', String(texts.length + 5), `bash ${quote(join(dir, 'run.sh'))}`);
    for (let waited = 0; !existsSync(join(dir, 'done')); waited += 20) {
      if (waited > 20_000) throw new Error('the terminal did not print the texts');
      await new Promise((r) => setTimeout(r, 20));
    }
    const shown = tmux('capture-pane', '-p', '-t', '0').split('\n');
    return texts.map((_, i) => ({ columns: Number(readFileSync(join(dir, `c${i}`), 'utf8').trim()), shown: shown[i]!.replace(/\s+$/, '') }));
  } finally {
    try {
      tmux('kill-server');
    } catch {
      /* already gone */
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
