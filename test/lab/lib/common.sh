# Helpers shared by test/lab/components/*.sh. Sourced, never run; lab.sh exports the port plan.
# A component script sets COMPONENT before sourcing this file.
: "${LAB_DIR:?run components through test/lab/lab.sh}"
: "${COMPONENT:?COMPONENT must be set before sourcing common.sh}"
set -euo pipefail

D="$LAB_DIR/$COMPONENT"
LAB_TIMEOUT=${LAB_TIMEOUT:-90} # seconds any single readiness wait may take

now_ms() { date +%s%3N; }
# grep -q in a pipeline exits at the first match; under pipefail the writer's SIGPIPE then fails
# the whole test. has reads everything.
has() { grep "$@" >/dev/null; }
info() { echo "$*"; }
die() {
  echo "lab: $COMPONENT: $*" >&2
  exit 1
}

# What a break action prints: tests parse ts_ms to measure detection time from that instant.
REPORTED=0
report() { # report <ts_ms> <text>
  echo "ts_ms=$1 $ACTION: $2"
  REPORTED=1
}

# One lock per component: parallel `up`s from test files, and breaks during an `up`, take turns.
lock_component() {
  mkdir -p "$LAB_DIR/.locks"
  exec 9>"$LAB_DIR/.locks/$COMPONENT.lock"
  flock -w 600 9 || die "could not take the lock $LAB_DIR/.locks/$COMPONENT.lock"
}

# Starts a long-running server in the background, detached from our stdio (so callers reading our
# output are not held open) and from our lock. Usage: spawn <name> <cwd> cmd...; pid in $D/<name>.pid
spawn() {
  local name=$1 cwd=$2
  shift 2
  (cd "$cwd" && exec setsid "$@" </dev/null >>"$D/$name.log" 2>&1 9>&-) &
  echo $! >"$D/$name.pid"
}

# A pid is ours if it is one of the lab's server programs and was started with a path inside this
# component's dir or works in it (redis rewrites its command line). A user's shell or `tail -f` that
# merely looks at .lab/ is never ours. Builtins only until the name matches: this runs on every pid.
SERVER_COMMS='^(postgres|mariadbd|redis-server|redis-sentinel|redis-check-rd|java|nginx|haproxy|memcached|keepalived)$'
is_ours() {
  local pid=$1 dir=${2:-$D} comm args cwd
  [ -n "$pid" ] && read -r comm 2>/dev/null <"/proc/$pid/comm" || return 1
  [[ "$comm" =~ $SERVER_COMMS ]] || return 1
  ! zombie "$pid" || return 1
  mapfile -d '' args 2>/dev/null <"/proc/$pid/cmdline" || return 1
  [[ " ${args[*]} " == *"$dir/"* ]] && return 0
  cwd=$(readlink "/proc/$pid/cwd" 2>/dev/null || true)
  cwd=${cwd% (deleted)} # .lab/ removed under a running server
  [[ "$cwd/" == "$dir/"* ]]
}

zombie() { # a killed process stays a zombie until init reaps it
  local stat
  read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
  stat=${stat##*) }
  [ "${stat%% *}" = Z ]
}

pid_of() { # pid_of <name> → prints the pid when that process is alive and ours
  local pid
  pid=$(cat "$D/$1.pid" 2>/dev/null || true)
  is_ours "$pid" && echo "$pid"
}

alive() { pid_of "$1" >/dev/null; }

# Every process of ours still running under a directory: the safety net when pid files are lost.
pids_under() {
  local dir=${1:-$D} p
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    [ "$p" != $$ ] && [ "$p" != "$BASHPID" ] || continue
    is_ours "$p" "$dir" && echo "$p"
  done
  return 0
}

children_of() { ps -o pid= --ppid "$1" 2>/dev/null | tr -d ' ' || true; }

kill9() { # kill9 <pid> and its direct children, at once (a crash, not a shutdown)
  local pid=$1
  local kids
  kids=$(children_of "$pid")
  # shellcheck disable=SC2086
  kill -9 "$pid" $kids 2>/dev/null || true
}

wait_gone() { # wait_gone <pid> [seconds]
  local pid=$1 deadline=$(($(date +%s) + ${2:-10}))
  while [ -d "/proc/$pid" ] && ! zombie "$pid"; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.05
  done
}

stop_name() { # stop_name <name> [signal]: signal the process, wait for it, then SIGKILL
  local pid
  pid=$(pid_of "$1") || return 0
  kill "-${2:-TERM}" "$pid" 2>/dev/null || true
  wait_gone "$pid" 10 || {
    kill -9 "$pid" 2>/dev/null || true
    wait_gone "$pid" 5 || true
  }
  rm -f "$D/$1.pid"
}

# Kill everything of this component that still runs, then remove its data.
teardown_dir() {
  local p
  for p in $(pids_under "$D"); do kill -9 "$p" 2>/dev/null || true; done
  for p in $(pids_under "$D"); do wait_gone "$p" 5 || true; done
  rm -rf "$D"
}

# wait_for <what> <log> <seconds> cmd... : poll cmd until it succeeds or fail naming the component and log.
wait_for() {
  local what=$1 log=$2 secs=$3
  shift 3
  local deadline=$(($(date +%s) + secs))
  until "$@" >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "lab: $COMPONENT: timed out after ${secs}s waiting for $what; log: $log" >&2
      [ -f "$log" ] && tail -n 15 "$log" | sed 's/^/    /' >&2
      exit 1
    fi
    sleep 0.2
  done
}

# Fails clearly if something that is not ours listens on a port we are about to use.
ensure_port_free() { # ensure_port_free <port> <name>
  local line
  line=$(ss -Hltnp "sport = :$1" 2>/dev/null | head -1 || true)
  [ -z "$line" ] || die "port $1 for $2 is already in use: $line"
}

listening() { ss -Hltn "sport = :$1" 2>/dev/null | has .; }

# Sends one line over TCP and prints the reply (ZooKeeper four-letter words, memcached).
tcp_say() { # tcp_say <host> <port> <text>
  timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2" && printf "%s" "$3" >&3 && cat <&3' _ "$1" "$2" "$3" 2>/dev/null
}

# Standard dispatch for component scripts: defines nothing, just runs "$@" against cmd_* functions.
dispatch() {
  local verb=${1:-}
  shift || true
  case "$verb" in
    up) lock_component; mkdir -p "$D"; cmd_up "$@" ;;
    down) lock_component; cmd_down "$@" ;;
    status) cmd_status "$@" ;;
    mem) mem_report ;;
    actions) cmd_actions ;;
    break)
      ACTION=${1:?action}
      shift
      lock_component
      [ -d "$D" ] || die "not up (run: lab.sh up $COMPONENT)"
      cmd_break "$ACTION" "$@"
      # A restore with nothing to restore still says so, with a time, so callers can rely on a line.
      [ "$REPORTED" = 1 ] || report "$(now_ms)" "nothing to do (already in that state)"
      ;;
    *) die "unknown verb '$verb'" ;;
  esac
}

# Memory of this component's processes: PSS (shared pages split between sharers) and process count.
mem_report() {
  local p kb total=0 count=0
  for p in $(pids_under "$D"); do
    kb=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || true)
    total=$((total + ${kb:-0}))
    count=$((count + 1))
  done
  printf '%-15s %3d processes %7d KiB PSS\n' "$COMPONENT" "$count" "$total"
}

status_line() { # status_line <node> <port> <state> [role/detail]
  printf '%-15s %-6s %-6s %-5s %s\n' "$COMPONENT" "$1" "$2" "$3" "${4:-}"
}
