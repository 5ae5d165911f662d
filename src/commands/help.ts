/**
 * `socialync help [command...]` and its topics (`environment`, `exit-codes`), and the help
 * layout of every command: wrapped at word boundaries within 80 columns.
 */
import type { Command, Help } from 'commander';
import type { IO } from '../core/io.js';
import { UsageError } from '../core/errors.js';
import { PLATFORMS } from '../providers/types.js';
import { suggest } from '../core/suggest.js';
import { padEnd, width } from '../core/text-width.js';

/** Help text never goes past this column. */
const HELP_WIDTH = 80;
/** Terms wider than this (long option lists) put their description on the next line. */
const TERM_COLUMN = 30;

/** Every environment variable socialync reads (src/ and bin/; test/e2e/help.test.ts keeps it complete). */
const ENVIRONMENT: readonly [name: string, what: string][] = [
  ['SOCIALYNC_HOME', 'one folder for config, state and secrets (instead of the XDG folders); a profile'],
  ['SOCIALYNC_SECRET_BACKEND', 'keychain (default) or file: where tokens and client secrets are kept'],
  ['SOCIALYNC_VAULT_KEY', 'the file backend\'s key (64 hex characters or a passphrase of 12+); scheduled jobs do not get it: prefer a key file'],
  ['SOCIALYNC_VAULT_KEY_FILE', 'a 0600 file holding the file backend\'s key (default <config dir>/vault.key)'],
  ['SOCIALYNC_<PLATFORM>_CLIENT_ID', 'the app\'s client id, instead of `app set` (e.g. SOCIALYNC_TIKTOK_CLIENT_ID)'],
  ['SOCIALYNC_<PLATFORM>_CLIENT_SECRET', 'the app\'s client secret, instead of the secret store'],
  ['SOCIALYNC_<PLATFORM>_<HOST>_URL', 'overrides one host of a platform, a path prefix included (e.g. SOCIALYNC_TIKTOK_API_URL=https://proxy.example/tiktok); see README "Endpoints"'],
  ['SOCIALYNC_<PLATFORM>_API_VERSION', 'the Graph API version (FACEBOOK, INSTAGRAM) or LinkedIn-Version (LINKEDIN)'],
  ['SOCIALYNC_WEBHOOK_URL', 'the URL for `notify set webhook` (keeps a token out of argv)'],
  ['SOCIALYNC_SMTP_PASSWORD', 'the SMTP password for `notify set email`'],
  ['SOCIALYNC_REFRESH_LOCK_TTL_MS', 'how long a refresh holds its cross-process lock (default 60000)'],
  ['SOCIALYNC_DATABASE_URL', 'postgres://user[:password]@host:5432/db: keep the state in PostgreSQL, shared by several machines (default: the SQLite file); never printed with its password'],
  ['NODE_COMPILE_CACHE', 'a folder for Node\'s compile cache (Node >= 22.8) instead of $XDG_CACHE_HOME/socialync/compile-cache; NODE_DISABLE_COMPILE_CACHE=1 turns it off'],
  ['NO_COLOR', 'no colours (wins over FORCE_COLOR)'],
  ['FORCE_COLOR', 'colours even when the output is not a terminal'],
  ['TERM', 'dumb: no colours'],
  ['COLUMNS', 'the width for tables, bars and notes when no terminal tells it (default 80)'],
  ['CI', 'any value but false/0: never prompt, even on a terminal'],
  ['TZ', 'the time zone for `schedule add --at` when --tz is not given'],
  ['HOME', 'the home folder (default places below)'],
  ['XDG_CONFIG_HOME', 'config folder (default ~/.config/socialync); also where `cron install` writes systemd units'],
  ['XDG_DATA_HOME', 'data folder: state database and vault (default ~/.local/share/socialync)'],
  ['XDG_CACHE_HOME', 'cache folder for Node\'s compile cache (default ~/.cache)'],
  ['XDG_RUNTIME_DIR', 'where the D-Bus session bus is looked for (Linux keychain)'],
  ['DBUS_SESSION_BUS_ADDRESS', 'the D-Bus session bus of the Secret Service (Linux keychain)'],
];

/** Word-wrapped "  TERM  description" item; a term too wide for the column gets its own line. */
function formatItem(term: string, termWidth: number, description: string, helper: Help): string {
  const indent = '  ';
  if (!description) return indent + term;
  const col = Math.min(termWidth, TERM_COLUMN);
  const pad = ' '.repeat(indent.length + col + 2);
  const lines = helper.boxWrap(description, HELP_WIDTH - pad.length).split('\n');
  const rest = lines.slice(1).map((l) => pad + l);
  if (helper.displayWidth(term) > col) return [indent + term, pad + lines[0], ...rest].join('\n');
  return [indent + padEnd(term, col) + '  ' + lines[0], ...rest].join('\n');
}

/** The layout every command inherits (call before adding commands): widths in terminal columns. */
export function configureHelpLayout(program: Command): void {
  program.configureHelp({ helpWidth: HELP_WIDTH, formatItem, displayWidth: width });
}

function environmentHelp(): string {
  const out = ['Environment variables socialync reads (config.json settings: socialync config).', ''];
  for (const [name, what] of ENVIRONMENT) out.push(`  ${name}`, ...wrap(what, HELP_WIDTH - 6).split('\n').map((l) => `      ${l}`));
  out.push('', ...wrap(`<PLATFORM> is one of ${PLATFORMS.map((p) => p.toUpperCase()).join(', ')}.`, HELP_WIDTH).split('\n'), '', 'Examples:', '  $ SOCIALYNC_HOME=./profile socialync status', '  $ NO_COLOR=1 socialync doctor');
  return out.join('\n');
}

/** Words of `text` joined into lines of at most `cols` columns; a longer word is cut after a "|" or ",". */
function wrap(text: string, cols: number): string {
  const pieces = text
    .split(/\s+/)
    .filter(Boolean)
    .flatMap((w) => (width(w) > cols ? w.split(/(?<=[|,])/).map((p, i) => ({ p, glue: i === 0 })) : [{ p: w, glue: true }]));
  const lines: string[] = [];
  let line = '';
  for (const { p, glue } of pieces) {
    const sep = line && glue ? ' ' : '';
    if (line && width(line) + sep.length + width(p) > cols) (lines.push(line), (line = p));
    else line += sep + p;
  }
  return [...lines, line].join('\n');
}

/** Splits a shell command at spaces outside quotes into lines of at most `cols` columns, joined with " \". */
function wrapCommand(line: string, cols: number): string[] {
  const indent = /^\s*/.exec(line)![0];
  const words = line.slice(indent.length).match(/(?:[^\s"']+|"[^"]*"|'[^']*')+/g) ?? [line];
  const out: string[] = [];
  let cur = indent;
  for (const w of words) {
    if (cur.trim() && width(cur) + 1 + width(w) + 2 > cols) (out.push(`${cur} \\`), (cur = `${indent}    ${w}`));
    else cur = cur.trim() ? `${cur} ${w}` : `${cur}${w}`;
  }
  return [...out, cur];
}

const isExample = (line: string) => /^\s*(\$|\*) /.test(line);

function fitExample(line: string): string[] {
  if (width(line) <= HELP_WIDTH) return [line];
  const m = /^(\s*)(.*?\S)(?:\s{2,}#?\s*|\s+#\s+)(\S.*)$/.exec(line);
  if (m && m[2]!.length > 2) return [...wrapCommand(`${m[1]}${m[2]}`, HELP_WIDTH), ...fitParagraph([`${m[1]}    ${m[3]}`])];
  return wrapCommand(line, HELP_WIDTH);
}

/** Lines of one indentation: kept as written when they fit, else reflowed at word boundaries. */
function fitParagraph(lines: string[]): string[] {
  if (lines.every((l) => width(l) <= HELP_WIDTH)) return lines;
  const indent = /^\s*/.exec(lines[0]!)![0];
  return wrap(lines.map((l) => l.trim()).join(' '), HELP_WIDTH - indent.length)
    .split('\n')
    .map((l) => indent + l);
}

/**
 * Fits help text written by hand (examples, notes) into HELP_WIDTH columns: a paragraph with a
 * long line is reflowed at word boundaries under its indentation; an example command
 * continues with " \" and its comment goes to the next line.
 */
export function fitHelp(text: string): string {
  const out: string[] = [];
  let para: string[] = [];
  const flush = () => (out.push(...fitParagraph(para)), (para = []));
  for (const line of text.split('\n')) {
    const indent = /^\s*/.exec(line)![0].length;
    const item = /^(\s*\S+(?: \S+)*? {2,})\S/.exec(line);
    if (!line.trim() || isExample(line)) {
      flush();
      out.push(...(line.trim() ? fitExample(line) : [line]));
    } else if (item) {
      // A table row ("  4  a connection needs …"): wrapped under its own text.
      flush();
      const hang = ' '.repeat(item[1]!.length);
      out.push(...(width(line) <= HELP_WIDTH ? [line] : wrap(line.slice(hang.length), HELP_WIDTH - hang.length).split('\n').map((l, i) => (i ? hang : item[1]!) + l)));
    } else {
      // A new indentation, or a line that starts with a label ("Exit codes: …"), starts a paragraph.
      if (para.length && (/^\s*/.exec(para[0]!)![0].length !== indent || /^\s*[A-Z][\w -]{0,20}: /.test(line))) flush();
      para.push(line);
    }
  }
  flush();
  return out.join('\n');
}

/** Commands people try from other tools, and where that is here. */
const ALIASES: Record<string, string> = {
  login: 'to log in to a platform: socialync connect <platform>',
  signin: 'to log in to a platform: socialync connect <platform>',
  auth: 'connections: socialync connect <platform>, socialync status, socialync disconnect <platform>',
  logout: 'to log out of a platform: socialync disconnect <platform>',
  signout: 'to log out of a platform: socialync disconnect <platform>',
  whoami: 'the accounts connected: socialync status',
  accounts: 'the accounts connected: socialync status',
  post: 'to publish: socialync schedule add --to <platforms> --at now --text …',
  settings: 'settings: socialync config list',
};

/** Flags that take a secret on purpose only from stdin or the environment. */
const SECRET_FLAGS: Record<string, string> = {
  '--client-secret': 'secrets are not taken as arguments (other users can read them): pipe it into --client-secret-stdin, or set SOCIALYNC_<PLATFORM>_CLIENT_SECRET',
  '--secret': 'pipe the client secret into --client-secret-stdin',
  '--password': 'the SMTP password comes from SOCIALYNC_SMTP_PASSWORD or a prompt',
  '--smtp-password': 'the SMTP password comes from SOCIALYNC_SMTP_PASSWORD or a prompt',
  '--url': 'pipe the webhook URL into --url-stdin (it often carries a token)',
};

/**
 * Adds our suggestions to commander's error for an unknown command or option when commander has
 * none: commands of other tools (login, logout, auth), flags that we take only from stdin, and
 * the longer flag a short one begins.
 */
export function withSuggestion(program: Command, message: string): string {
  if (/Did you mean/.test(message)) return message;
  const cmd = /unknown command '([^']+)'/.exec(message)?.[1];
  if (cmd && ALIASES[cmd.toLowerCase()]) return `${message.trimEnd()}\n(${ALIASES[cmd.toLowerCase()]})\n`;
  const flag = /unknown option '(--[^'=]+)/.exec(message)?.[1];
  if (!flag) return message;
  const longs = new Set<string>();
  const walk = (c: Command) => (c.options.forEach((o) => o.long && longs.add(o.long)), c.commands.forEach(walk));
  walk(program);
  const longer = [...longs].filter((l) => l.startsWith(`${flag}-`));
  const why = SECRET_FLAGS[flag];
  if (!why && !longer.length) return message;
  return `${message.trimEnd()}\n(Did you mean ${longer.length ? longer.join(' or ') : 'something else'}? ${why ?? ''})`.replace(/ \)$/, ')') + '\n';
}

const TOPICS: Record<string, () => string> = { environment: environmentHelp };

/** Replaces commander's `help` command: topics, nested commands, and an error for anything unknown. */
export function registerHelp(program: Command, io: Pick<IO, 'out'>): void {
  program.helpCommand(false);
  program
    .command('help')
    .description('show help for a command, or a topic: environment, exit-codes')
    .argument('[command...]', 'a command (e.g. schedule add) or a topic')
    .addHelpText('after', `
Examples:
  $ socialync help schedule add
  $ socialync help environment
  $ socialync help exit-codes`)
    .action((words: string[]) => {
      if (!words.length) return program.outputHelp();
      const topic = TOPICS[words.join(' ')];
      if (topic) return io.out(topic());
      let cmd: Command = program;
      for (const w of words) {
        const next = cmd.commands.find((c) => c.name() === w || c.aliases().includes(w));
        if (!next || next.name() === 'help') {
          const names = [...cmd.commands.filter((c) => c.name() !== 'help').map((c) => c.name()), ...(cmd === program ? Object.keys(TOPICS) : [])];
          const near = suggest(w, names);
          throw new UsageError(`no help for "${words.join(' ')}": "${w}" is not a ${cmd === program ? 'command or help topic' : `subcommand of ${cmd.name()}`}`, near ? `did you mean: socialync help ${[...words.slice(0, words.indexOf(w)), near].join(' ')}` : 'run: socialync help');
        }
        cmd = next;
      }
      cmd.outputHelp();
    });
}
