/**
 * Stack traces in the terms of the source (printed with --debug). The bundled CLI's
 * identifiers are minified for start-up speed; its source maps (dist/cli.cjs.map and
 * dist/commands/*.cjs.map, read only here) turn each of its frames back into a src/ file,
 * line and column.
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, relative, resolve } from 'node:path';

const maps = new Map<string, SourceMap | undefined>();

function mapFor(file: string): SourceMap | undefined {
  if (!maps.has(file)) {
    let map: SourceMap | undefined;
    try {
      if (existsSync(`${file}.map`)) map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
    } catch {
      /* an unreadable map leaves the frame as it is */
    }
    maps.set(file, map);
  }
  return maps.get(file);
}

/** `stack` with every frame of a file that has a `.map` beside it rewritten to its origin. */
export function originalStack(stack: string): string {
  return stack.replace(/(\(|at (?:async )?)([^\s()]+?):(\d+):(\d+)(\)?)$/gm, (frame, open: string, file: string, line: string, col: string, close: string) => {
    const map = mapFor(file);
    if (!map) return frame;
    const o = map.findOrigin(Number(line), Number(col)) as { fileName?: string; lineNumber?: number; columnNumber?: number };
    if (!o.fileName) return frame;
    // Relative to the package folder (above dist/, also from dist/commands/).
    const at = file.lastIndexOf('/dist/');
    const root = at >= 0 ? file.slice(0, at) : resolve(dirname(file), '..');
    const source = relative(root, resolve(dirname(file), o.fileName));
    return `${open}${source}:${o.lineNumber}:${o.columnNumber}${close}`;
  });
}
