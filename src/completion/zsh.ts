/** Zsh completion script: works from $fpath (as `_socialync`) and when sourced. */
import { PLATFORMS } from '../providers/types.js';
import { HEADER, pathWords, sq } from './common.js';
import type { CommandSpec } from './spec.js';

const arr = (xs: string[]) => `(${xs.map(sq).join(' ')})`;

export function zshScript(spec: CommandSpec[]): string {
  const cases = pathWords(spec)
    .map((p) => `    (${sq(p.path)}) subs=${arr(p.subs)} descs=${arr(p.subDescriptions)} opts=${arr(p.opts)} vals=${arr(p.vals)} args=${arr(p.args)} ;;`)
    .join('\n');
  const commands = spec[0]!.subcommands.map((s) => s.name);
  return `#compdef socialync
# ${HEADER('zsh')}
# Load it: put this file in a folder of $fpath as _socialync, or: source <(socialync completion zsh)

_socialync_spec() {
  subs=() descs=() opts=() vals=() args=()
  case "$1" in
${cases}
  esac
}

# _socialync_values KIND CUR PLATFORM
_socialync_values() {
  local kind=$1 cur=$2 prefix=
  local -a cands
  case "$kind" in
    (w:*) cands=(\${(s:,:)kind#w:}) ;;
    (platforms) cands=${arr([...PLATFORMS])} ;;
    (commands) cands=${arr(commands)} ;;
    (files) _files; return ;;
    (dirs) _files -/; return ;;
    (connections|posts|targets|timezones)
      cands=(\${(f)"$(\${words[1]} __complete $kind $3 2>/dev/null)"})
      cands=(\${cands%%$'\\t'*}) ;;
    (*) return 1 ;;
  esac
  if [[ $kind == targets && $cur == *,* ]]; then
    prefix=\${cur%,*},
    compadd -P "$prefix" -- $cands
  else
    compadd -- $cands
  fi
}

_socialync() {
  local cpath= w cur=\${words[CURRENT]} platform= kind= e
  local -i i npos=0 skip=0
  local -a subs descs opts vals args
  for (( i = 2; i < CURRENT; i++ )); do
    w=\${words[i]}
    if (( skip )); then skip=0; continue; fi
    _socialync_spec "$cpath"
    if [[ $w == -* ]]; then
      [[ $w != *=* && -n \${(M)vals:#\${w}=*} ]] && skip=1
    elif (( \${subs[(Ie)$w]} )); then
      cpath=\${cpath:+$cpath }$w
      npos=0
    else
      npos+=1
      [[ -z $platform && \${args[npos]} == platforms ]] && platform=$w
    fi
  done
  _socialync_spec "$cpath"
  if (( skip )); then
    e=\${(M)vals:#\${words[CURRENT-1]}=*}
    kind=\${e#*=}
  elif [[ $cur == -* ]]; then
    compadd -- $opts
    return
  elif (( \${#subs} )); then
    compadd -d descs -- $subs
    return
  else
    kind=\${args[npos+1]}
  fi
  _socialync_values "$kind" "$cur" "$platform"
}

if [[ \${funcstack[1]} == _socialync ]]; then
  _socialync "$@"
elif (( $+functions[compdef] )); then
  compdef _socialync socialync
fi
`;
}
