/** Node.js version against package.json `engines` (>= 20.18). */
import { result, type Check } from './types.js';

const MIN_NODE = [20, 18] as const;

function nodeSupported(version: string): boolean {
  const [maj = 0, min = 0] = version.replace(/^v/, '').split('.').map(Number);
  return maj > MIN_NODE[0] || (maj === MIN_NODE[0] && min >= MIN_NODE[1]);
}

export const checkNode: Check = async (ctx) => {
  const v = ctx.nodeVersion.replace(/^v/, '');
  const need = `${MIN_NODE[0]}.${MIN_NODE[1]}`;
  return nodeSupported(v)
    ? [result('system', 'node', 'ok', `Node.js ${v} (needs >= ${need})`)]
    : [result('system', 'node', 'fail', `Node.js ${v} is too old (needs >= ${need})`, `install Node.js 22 LTS (e.g. nvm install 22), then: npm install -g socialync`)];
};
