/** Fish completion script: one function computes the candidates (with descriptions). */
import { PLATFORMS } from '../providers/types.js';
import { HEADER, pathWords } from './common.js';
import type { CommandSpec } from './spec.js';

const fq = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const list = (xs: string[]) => xs.map(fq).join(' ');

export function fishScript(spec: CommandSpec[]): string {
  const cases = pathWords(spec)
    .map((p) =>
      [
        `        case ${fq(p.path)}`,
        `            set -g __socialync_subs ${list(p.subs)}`,
        `            set -g __socialync_descs ${list(p.subDescriptions)}`,
        `            set -g __socialync_opts ${list(p.opts)}`,
        `            set -g __socialync_optdescs ${list(p.optDescriptions)}`,
        `            set -g __socialync_vals ${list(p.vals)}`,
        `            set -g __socialync_args ${list(p.args)}`,
      ].join('\n'),
    )
    .join('\n');
  const commands = spec[0]!.subcommands.map((s) => s.name);
  return `# ${HEADER('fish')}
# Load it: copy to ~/.config/fish/completions/socialync.fish, or: socialync completion fish | source

function __socialync_spec
    set -g __socialync_subs
    set -g __socialync_descs
    set -g __socialync_opts
    set -g __socialync_optdescs
    set -g __socialync_vals
    set -g __socialync_args
    switch "$argv[1]"
${cases}
    end
end

# __socialync_values KIND CUR PLATFORM CMD
function __socialync_values
    set -l kind $argv[1]
    set -l cur $argv[2]
    switch $kind
        case 'w:*'
            string split , -- (string sub -s 3 -- $kind)
        case platforms
            printf '%s\\n' ${list([...PLATFORMS])}
        case commands
            printf '%s\\n' ${list(commands)}
        case files
            __fish_complete_path $cur
        case dirs
            __fish_complete_directories $cur
        case connections posts targets timezones
            set -l prefix ''
            if test $kind = targets; and string match -q -- '*,*' $cur
                set prefix (string replace -r ',[^,]*$' ',' -- $cur)
            end
            for line in ($argv[4] __complete $kind $argv[3] 2>/dev/null)
                echo $prefix$line
            end
    end
end

function __socialync_complete
    set -l tokens (commandline -opc)
    set -l cur (commandline -ct)
    set -l cpath ''
    set -l npos 0
    set -l skip 0
    set -l platform ''
    set -l prev ''
    for w in $tokens[2..-1]
        if test $skip = 1
            set skip 0
            set prev $w
            continue
        end
        __socialync_spec "$cpath"
        if string match -q -- '-*' $w
            if not string match -q -- '*=*' $w; and contains -- $w (string replace -r '=.*' '' -- $__socialync_vals)
                set skip 1
            end
        else if contains -- $w $__socialync_subs
            set cpath (string trim -- "$cpath $w")
            set npos 0
        else
            set npos (math $npos + 1)
            if test -z "$platform"; and test $npos -le (count $__socialync_args); and test "$__socialync_args[$npos]" = platforms
                set platform $w
            end
        end
        set prev $w
    end
    __socialync_spec "$cpath"
    if test $skip = 1
        for e in $__socialync_vals
            if test (string replace -r '=.*' '' -- $e) = "$prev"
                __socialync_values (string replace -r '^[^=]*=' '' -- $e) "$cur" "$platform" $tokens[1]
            end
        end
        return
    end
    if string match -q -- '-*' $cur
        for i in (seq (count $__socialync_opts))
            printf '%s\\t%s\\n' $__socialync_opts[$i] $__socialync_optdescs[$i]
        end
        return
    end
    if set -q __socialync_subs[1]
        for i in (seq (count $__socialync_subs))
            printf '%s\\t%s\\n' $__socialync_subs[$i] $__socialync_descs[$i]
        end
        return
    end
    set -l n (math $npos + 1)
    if test $n -le (count $__socialync_args)
        __socialync_values $__socialync_args[$n] "$cur" "$platform" $tokens[1]
    end
end

complete -c socialync -f -a '(__socialync_complete)'
`;
}
