import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Median of a list of numbers (the figure every benchmark reports). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * `runs` interleaved runs of each command after a warm-up (bench/rusage.py, which needs
 * python3): per command the median wall time and median CPU time of the child (user + system;
 * it moves much less than wall time when the machine is shared), in ms, and the lines its last
 * run printed. A command is { argv, env, pipe (stdout to a pipe, else /dev/null), codes
 * (accepted exit codes, default [0]) }. Also returns the load average at the end.
 */
export function timeInterleaved(cmds, runs) {
  const r = spawnSync('python3', [join(dirname(fileURLToPath(import.meta.url)), 'rusage.py')], { input: JSON.stringify({ runs, cmds }), maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`bench/rusage.py failed (it needs python3): ${r.stderr}`);
  const { load, results } = JSON.parse(r.stdout);
  const rows = results.map((x, i) => {
    const bad = x.codes.find((c) => !(cmds[i].codes ?? [0]).includes(c));
    if (bad !== undefined) throw new Error(`${cmds[i].argv.join(' ')} exited ${bad}: ${x.stderr}`);
    return { ms: median(x.wall), cpu: median(x.cpu), lines: x.lines };
  });
  return { load, rows };
}

/** A benchmark row comparing `row` with the baseline `base` (both from timeInterleaved). */
export function ratioRow(name, row, base, target) {
  return { name, ms: row.ms, baseline: base.ms, ratio: row.ms / base.ms, cpuRatio: row.cpu / base.cpu, target };
}
