/** Bash completion script (plain `complete -F`; bash-completion is not required). */
import { PLATFORMS } from '../providers/types.js';
import { HEADER, pathWords, sq } from './common.js';
import type { CommandSpec } from './spec.js';

export function bashScript(spec: CommandSpec[]): string {
  const cases = pathWords(spec)
    .map((p) => `    ${sq(p.path)}) subs=${sq(p.subs.join(' '))} opts=${sq(p.opts.join(' '))} vals=${sq(p.vals.join(' '))} args=${sq(p.args.join(' '))} ;;`)
    .join('\n');
  const commands = spec[0]!.subcommands.map((s) => s.name).join(' ');
  return `# ${HEADER('bash')}
# Load it: source <(socialync completion bash)   or copy it to ~/.local/share/bash-completion/completions/socialync

_socialync_spec() {
  subs= opts= vals= args=
  case "$1" in
${cases}
  esac
}

# _socialync_values KIND CUR PLATFORM: fills COMPREPLY with the values of KIND.
_socialync_values() {
  local kind=$1 cur=$2 cands= prefix= line IFS=$'\\n'
  case "$kind" in
    w:*) cands=\${kind#w:} cands=\${cands//,/$'\\n'} ;;
    platforms) cands=${sq(PLATFORMS.join('\n'))} ;;
    commands) cands=${sq(commands.split(' ').join('\n'))} ;;
    files) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    dirs) COMPREPLY=($(compgen -d -- "$cur")); return ;;
    connections|posts|targets|timezones)
      while IFS=$'\\t' read -r line _; do cands+=$line$'\\n'; done < <("\${COMP_WORDS[0]}" __complete "$kind" $3 2>/dev/null) ;;
    *) return ;;
  esac
  [[ $kind == targets && $cur == *,* ]] && prefix=\${cur%,*},
  COMPREPLY=($(compgen -P "$prefix" -W "$cands" -- "\${cur#"$prefix"}"))
  # bash splits words at ':' (COMP_WORDBREAKS): hand back only the part after the last colon.
  if [[ $cur == *:* && $COMP_WORDBREAKS == *:* ]]; then
    local colon=\${cur%"\${cur##*:}"}
    COMPREPLY=("\${COMPREPLY[@]#"$colon"}")
  fi
}

_socialync() {
  local i w cur prev kind= cpath= platform= e subs opts vals args
  local -i npos=0 skip=0
  local -a ws=() argv
  # Rejoin words that bash split at ':' (e.g. --to x:alice).
  for ((i = 0; i <= COMP_CWORD; i++)); do
    w=\${COMP_WORDS[i]}
    if ((i > 1)) && [[ $w == : || \${COMP_WORDS[i-1]} == : ]]; then ws[\${#ws[@]}-1]+=$w; else ws+=("$w"); fi
  done
  cur=\${ws[\${#ws[@]}-1]}
  for ((i = 1; i < \${#ws[@]} - 1; i++)); do
    w=\${ws[i]}
    if ((skip)); then skip=0; continue; fi
    _socialync_spec "$cpath"
    if [[ $w == -* ]]; then
      [[ $w != *=* && " $vals " == *" $w="* ]] && skip=1
    elif [[ " $subs " == *" $w "* ]]; then
      cpath=\${cpath:+$cpath }$w npos=0
    else
      npos+=1
      read -ra argv <<< "$args"
      [[ -z $platform && \${argv[npos-1]} == platforms ]] && platform=$w
    fi
  done
  _socialync_spec "$cpath"
  if ((skip)); then
    prev=\${ws[\${#ws[@]}-2]}
    for e in $vals; do [[ \${e%%=*} == "$prev" ]] && kind=\${e#*=}; done
  elif [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    return
  elif [[ -n $subs ]]; then
    COMPREPLY=($(compgen -W "$subs" -- "$cur"))
    return
  else
    read -ra argv <<< "$args"
    kind=\${argv[npos]}
  fi
  _socialync_values "$kind" "$cur" "$platform"
}

complete -o default -F _socialync socialync
`;
}
