#!/usr/bin/env bash
# memcached on 16211 (TCP only, 16 MB), run as the memcache user.
COMPONENT=memcached
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

USER_=$(id -u memcache >/dev/null 2>&1 && echo memcache || echo nobody)
ready() { tcp_say 127.0.0.1 "$MEMCACHED_PORT" $'version\r\nquit\r\n' | has '^VERSION'; }

start() {
  alive memcached && return 0
  ensure_port_free "$MEMCACHED_PORT" memcached
  spawn memcached "$D" memcached -l 127.0.0.1 -p "$MEMCACHED_PORT" -U 0 -m 16 -c 256 -u "$USER_" -v
}

cmd_up() {
  if ready; then info "already running"; return 0; fi
  start
  wait_for "memcached to answer version" "$D/memcached.log" "$LAB_TIMEOUT" ready
  info "ready: memcached $MEMCACHED_PORT"
}

cmd_down() {
  teardown_dir
  info "down"
}

cmd_status() {
  local v
  v=$(tcp_say 127.0.0.1 "$MEMCACHED_PORT" $'version\r\nquit\r\n' | tr -d '\r' || true)
  status_line memcached "$MEMCACHED_PORT" "$([ -n "$v" ] && echo up || echo down)" "$v"
}

cmd_actions() {
  cat <<EOF
memcached-kill              kill -9 memcached
memcached-start             start memcached again (empty)
EOF
}

cmd_break() {
  local t pid
  case "$1" in
    memcached-kill)
      pid=$(pid_of memcached) || die "memcached is not running"
      kill -9 "$pid"
      t=$(now_ms)
      report "$t" "kill -9 memcached pid $pid (port $MEMCACHED_PORT)"
      ;;
    memcached-start)
      t=$(now_ms)
      start
      wait_for "memcached to answer version" "$D/memcached.log" 30 ready
      report "$t" "started memcached (port $MEMCACHED_PORT)"
      ;;
    *) die "unknown action $1 (lab.sh actions)" ;;
  esac
}

dispatch "$@"
