# socialync bash completion, generated from the command tree by `socialync completion bash` (do not edit;
# regenerate with: npm run completions). Connection names, post ids and time zones come from
# `socialync __complete <kind>`, which reads the local state without changing it.
# Load it: source <(socialync completion bash)   or copy it to ~/.local/share/bash-completion/completions/socialync

_socialync_spec() {
  subs= opts= vals= args=
  case "$1" in
    '') subs='app connect disconnect status sandbox secrets refresh token api notify cron doctor config completion schedule publish daemon retry db team help' opts='-V --version -q --quiet -v --verbose --debug -h --help' vals='' args='' ;;
    'app') subs='set list remove help' opts='-h --help -q --quiet -v --verbose --debug' vals='' args='' ;;
    'app set') subs='' opts='--client-id --client-secret-stdin --client-type --port --redirect-host --https --login --business-manager --programmatic-refresh --organizations --testing -h --help -q --quiet -v --verbose --debug' vals='--client-id=none --client-type=w:public,confidential --port=none --redirect-host=w:127.0.0.1,localhost --login=w:instagram,facebook' args='platforms' ;;
    'app list') subs='' opts='--json --jq -h --help -q --quiet -v --verbose --debug' vals='--jq=none' args='' ;;
    'app remove') subs='' opts='-h --help -q --quiet -v --verbose --debug' vals='' args='platforms' ;;
    'connect') subs='' opts='--name --port --no-browser --timeout --page --handle --instance --retry-failed --no-retry --json --jq -h --help -q --quiet -v --verbose --debug' vals='--name=connections --port=none --timeout=none --page=none --handle=none --instance=none --jq=none' args='platforms' ;;
    'disconnect') subs='' opts='--keep-remote -y --yes -h --help -q --quiet -v --verbose --debug' vals='' args='platforms connections' ;;
    'status') subs='' opts='--json --jq -h --help -q --quiet -v --verbose --debug' vals='--jq=none' args='platforms' ;;
    'sandbox') subs='demo serve expire revoke password-change help' opts='-h --help -q --quiet -v --verbose --debug' vals='' args='' ;;
    'sandbox demo') subs='' opts='--dir --browser --json --jq -h --help -q --quiet -v --verbose --debug' vals='--dir=dirs --jq=none' args='' ;;
    'sandbox serve') subs='' opts='--dir --auto-approve --keep -h --help -q --quiet -v --verbose --debug' vals='--dir=dirs' args='' ;;
    'sandbox expire') subs='' opts='--account --refresh-token -h --help -q --quiet -v --verbose --debug' vals='--account=connections' args='platforms' ;;
    'sandbox revoke') subs='' opts='--account -h --help -q --quiet -v --verbose --debug' vals='--account=connections' args='platforms' ;;
    'sandbox password-change') subs='' opts='--account -h --help -q --quiet -v --verbose --debug' vals='--account=connections' args='platforms' ;;
    'secrets') subs='where use-file help' opts='-h --help -q --quiet -v --verbose --debug' vals='' args='' ;;
    'secrets where') subs='' opts='--json --jq -h --help -q --quiet -v --verbose --debug' vals='--jq=none' args='' ;;
    'secrets use-file') subs='' opts='-h --help -q --quiet -v --verbose --debug' vals='' args='' ;;
    'refresh') subs='' opts='--account --force --dry-run --json --concurrency --jq -h --help -q --quiet -v --verbose --debug' vals='--account=connections --concurrency=none --jq=none' args='platforms' ;;
    'token') subs='' opts='--account --json --jq -h --help -q --quiet -v --verbose --debug' vals='--account=connections --jq=none' args='platforms' ;;
    'api') subs='' opts='--account -X --method -f --raw-field -F --field -H --header --input --paginate --slurp -i --include --silent -h --help -q --quiet -v --verbose --debug' vals='--account=connections -X=w:GET,POST,PUT,PATCH,DELETE --method=w:GET,POST,PUT,PATCH,DELETE -f=none --raw-field=none -F=none --field=none -H=none --header=none --input=files' args='platforms none' ;;
    'notify') subs='set unset list signing-secret test help' opts='-h --help -q --quiet -v --verbose --debug' vals='' args='' ;;
    'notify set') subs='webhook email desktop help' opts='-h --help -q --quiet -v --verbose --debug' vals='' args='' ;;
    'notify set webhook') subs='' opts='--url-stdin --sign --kinds -h --help -q --quiet -v --verbose --debug' vals='--kinds=w:reconnect_needed,expiring,post_failed,recovered' args='none' ;;
    'notify set email') subs='' opts='--to --from --smtp-host --smtp-port --smtp-user --smtp-secure --kinds -h --help -q --quiet -v --verbose --debug' vals='--to=none --from=none --smtp-host=none --smtp-port=none --smtp-user=none --kinds=w:reconnect_needed,expiring,post_failed,recovered' args='' ;;
    'notify set desktop') subs='' opts='--kinds -h --help -q --quiet -v --verbose --debug' vals='--kinds=w:reconnect_needed,expiring,post_failed,recovered' args='' ;;
    'notify unset') subs='' opts='-h --help -q --quiet -v --verbose --debug' vals='' args='w:webhook,email,desktop' ;;
    'notify list') subs='' opts='--json --jq -h --help -q --quiet -v --verbose --debug' vals='--jq=none' args='' ;;
    'notify signing-secret') subs='' opts='-h --help -q --quiet -v --verbose --debug' vals='' args='' ;;
    'notify test') subs='' opts='--kind -h --help -q --quiet -v --verbose --debug' vals='--kind=w:reconnect_needed,expiring,post_failed,recovered' args='w:webhook,email,desktop' ;;
    'cron') subs='install uninstall print help' opts='-h --help -q --quiet -v --verbose --debug' vals='' args='' ;;
    'cron install') subs='' opts='--systemd -h --help -q --quiet -v --verbose --debug' vals='' args='' ;;
    'cron uninstall') subs='' opts='--systemd -h --help -q --quiet -v --verbose --debug' vals='' args='' ;;
    'cron print') subs='' opts='--systemd -h --help -q --quiet -v --verbose --debug' vals='' args='' ;;
    'doctor') subs='' opts='--offline --json --timeout --jq -h --help -q --quiet -v --verbose --debug' vals='--timeout=none --jq=none' args='' ;;
    'config') subs='list get set unset help' opts='-h --help -q --quiet -v --verbose --debug' vals='' args='' ;;
    'config list') subs='' opts='--json --jq -h --help -q --quiet -v --verbose --debug' vals='--jq=none' args='' ;;
    'config get') subs='' opts='-h --help -q --quiet -v --verbose --debug' vals='' args='none' ;;
    'config set') subs='' opts='-h --help -q --quiet -v --verbose --debug' vals='' args='none none' ;;
    'config unset') subs='' opts='-h --help -q --quiet -v --verbose --debug' vals='' args='none' ;;
    'completion') subs='' opts='-h --help -q --quiet -v --verbose --debug' vals='' args='w:bash,zsh,fish' ;;
    'schedule') subs='add list show edit cancel calendar help' opts='-h --help -q --quiet -v --verbose --debug' vals='' args='' ;;
    'schedule add') subs='' opts='--to --at --tz --earlier --later --now --text --text-file --title --privacy --media --media-type --set --option --board --json --jq -h --help -q --quiet -v --verbose --debug' vals='--to=targets --at=none --tz=timezones --text=none --text-file=none --title=none --privacy=none --media=files --media-type=none --set=none --option=none --board=none --jq=none' args='' ;;
    'schedule list') subs='' opts='--status --platform --since --until -L --limit --all --json --jq -h --help -q --quiet -v --verbose --debug' vals='--status=w:scheduled,publishing,published,partial,failed,unconfirmed,cancelled --platform=platforms --since=none --until=none -L=none --limit=none --jq=none' args='' ;;
    'schedule show') subs='' opts='--json --jq -h --help -q --quiet -v --verbose --debug' vals='--jq=none' args='posts' ;;
    'schedule edit') subs='' opts='--at --tz --earlier --later --now --text --text-file --title --privacy --media --media-type --set --option --board --json --jq -h --help -q --quiet -v --verbose --debug' vals='--at=none --tz=timezones --text=none --text-file=none --title=none --privacy=none --media=files --media-type=none --set=none --option=none --board=none --jq=none' args='posts' ;;
    'schedule cancel') subs='' opts='-y --yes --json --jq -h --help -q --quiet -v --verbose --debug' vals='--jq=none' args='posts' ;;
    'schedule calendar') subs='' opts='--week --month --tz --date --json --jq -h --help -q --quiet -v --verbose --debug' vals='--tz=timezones --date=none --jq=none' args='' ;;
    'publish') subs='' opts='--limit --concurrency --json --jq -h --help -q --quiet -v --verbose --debug' vals='--limit=none --concurrency=none --jq=none' args='' ;;
    'daemon') subs='' opts='--no-refresh --concurrency -h --help -q --quiet -v --verbose --debug' vals='--concurrency=none' args='' ;;
    'retry') subs='' opts='--platform --all-failed --dry-run -y --yes --assume-not-posted --json --jq -h --help -q --quiet -v --verbose --debug' vals='--platform=platforms --jq=none' args='posts' ;;
    'db') subs='status migrate copy help' opts='-h --help -q --quiet -v --verbose --debug' vals='' args='' ;;
    'db status') subs='' opts='--json --jq -h --help -q --quiet -v --verbose --debug' vals='--jq=none' args='' ;;
    'db migrate') subs='' opts='-h --help -q --quiet -v --verbose --debug' vals='' args='' ;;
    'db copy') subs='' opts='--to --force -h --help -q --quiet -v --verbose --debug' vals='--to=none' args='' ;;
    'team') subs='init join approve remove leave status help' opts='-h --help -q --quiet -v --verbose --debug' vals='' args='' ;;
    'team init') subs='' opts='--name -h --help -q --quiet -v --verbose --debug' vals='--name=none' args='' ;;
    'team join') subs='' opts='--name -h --help -q --quiet -v --verbose --debug' vals='--name=none' args='' ;;
    'team approve') subs='' opts='--fingerprint -h --help -q --quiet -v --verbose --debug' vals='--fingerprint=none' args='none' ;;
    'team remove') subs='' opts='-y --yes -h --help -q --quiet -v --verbose --debug' vals='' args='none' ;;
    'team leave') subs='' opts='-y --yes -h --help -q --quiet -v --verbose --debug' vals='' args='' ;;
    'team status') subs='' opts='--json --jq -h --help -q --quiet -v --verbose --debug' vals='--jq=none' args='' ;;
    'help') subs='' opts='-q --quiet -v --verbose --debug' vals='' args='commands' ;;
  esac
}

# _socialync_values KIND CUR PLATFORM: fills COMPREPLY with the values of KIND.
_socialync_values() {
  local kind=$1 cur=$2 cands= prefix= line IFS=$'\n'
  case "$kind" in
    w:*) cands=${kind#w:} cands=${cands//,/$'\n'} ;;
    platforms) cands='instagram
facebook
tiktok
youtube
x
linkedin
bluesky
threads
pinterest
mastodon' ;;
    commands) cands='app
connect
disconnect
status
sandbox
secrets
refresh
token
api
notify
cron
doctor
config
completion
schedule
publish
daemon
retry
db
team
help' ;;
    files) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    dirs) COMPREPLY=($(compgen -d -- "$cur")); return ;;
    connections|posts|targets|timezones)
      while IFS=$'\t' read -r line _; do cands+=$line$'\n'; done < <("${COMP_WORDS[0]}" __complete "$kind" $3 2>/dev/null) ;;
    *) return ;;
  esac
  [[ $kind == targets && $cur == *,* ]] && prefix=${cur%,*},
  COMPREPLY=($(compgen -P "$prefix" -W "$cands" -- "${cur#"$prefix"}"))
  # bash splits words at ':' (COMP_WORDBREAKS): hand back only the part after the last colon.
  if [[ $cur == *:* && $COMP_WORDBREAKS == *:* ]]; then
    local colon=${cur%"${cur##*:}"}
    COMPREPLY=("${COMPREPLY[@]#"$colon"}")
  fi
}

_socialync() {
  local i w cur prev kind= cpath= platform= e subs opts vals args
  local -i npos=0 skip=0
  local -a ws=() argv
  # Rejoin words that bash split at ':' (e.g. --to x:alice).
  for ((i = 0; i <= COMP_CWORD; i++)); do
    w=${COMP_WORDS[i]}
    if ((i > 1)) && [[ $w == : || ${COMP_WORDS[i-1]} == : ]]; then ws[${#ws[@]}-1]+=$w; else ws+=("$w"); fi
  done
  cur=${ws[${#ws[@]}-1]}
  for ((i = 1; i < ${#ws[@]} - 1; i++)); do
    w=${ws[i]}
    if ((skip)); then skip=0; continue; fi
    _socialync_spec "$cpath"
    if [[ $w == -* ]]; then
      [[ $w != *=* && " $vals " == *" $w="* ]] && skip=1
    elif [[ " $subs " == *" $w "* ]]; then
      cpath=${cpath:+$cpath }$w npos=0
    else
      npos+=1
      read -ra argv <<< "$args"
      [[ -z $platform && ${argv[npos-1]} == platforms ]] && platform=$w
    fi
  done
  _socialync_spec "$cpath"
  if ((skip)); then
    prev=${ws[${#ws[@]}-2]}
    for e in $vals; do [[ ${e%%=*} == "$prev" ]] && kind=${e#*=}; done
  elif [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    return
  elif [[ -n $subs ]]; then
    COMPREPLY=($(compgen -W "$subs" -- "$cur"))
    return
  else
    read -ra argv <<< "$args"
    kind=${argv[npos]}
  fi
  _socialync_values "$kind" "$cur" "$platform"
}

complete -o default -F _socialync socialync
