#!/usr/bin/env bash
# PostgreSQL 15: pg1 (starts as primary) and pg2 (streaming replica), run as the postgres user.
# Data checksums and wal_log_hints are on so pg_rewind can rejoin a failed primary.
COMPONENT=postgres
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

PGBIN=/usr/lib/postgresql/15/bin
NODES=(pg1 pg2)
declare -A PORT=([pg1]=$PG1_PORT [pg2]=$PG2_PORT)
export PGCONNECT_TIMEOUT=2

as_pg() { runuser -u postgres -- "$@" 9>&-; }
sql() { # sql <node> <statement> → single unaligned value(s)
  "$PGBIN/psql" -X -q -At -h 127.0.0.1 -p "${PORT[$1]}" -U postgres -d postgres -v ON_ERROR_STOP=1 -c "$2" 2>/dev/null
}
other() { [ "$1" = pg1 ] && echo pg2 || echo pg1; }
postmaster_pid() { head -1 "$D/$1/postmaster.pid" 2>/dev/null; }
running() { local p; p=$(postmaster_pid "$1") && is_ours "$p" "$D/$1"; }
role() { # primary | replica | down
  case "$(sql "$1" 'select pg_is_in_recovery()' || true)" in
    f) echo primary ;;
    t) echo replica ;;
    *) echo down ;;
  esac
}
primaries() { local n; for n in "${NODES[@]}"; do [ "$(role "$n")" = primary ] && echo "$n"; done; return 0; }
# The timeline a primary writes on now (the control file only learns it at the next checkpoint).
timeline() {
  local hex
  hex=$(sql "$1" 'select substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)') || return 1
  echo $((16#$hex))
}
# The primary a replica reports streaming from, as a node name.
upstream_of() {
  local port
  port=$(sql "$1" "select sender_port from pg_stat_wal_receiver where status = 'streaming'" || true)
  for n in "${NODES[@]}"; do [ "${PORT[$n]}" = "$port" ] && echo "$n"; done
  return 0
}
streaming_from() { [ "$(role "$1")" = replica ] && [ "$(upstream_of "$1")" = "$2" ]; }

write_conf() {
  cat >>"$D/pg1/postgresql.conf" <<EOF

# --- Nines lab ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$D/run'
max_connections = 50
shared_buffers = 16MB
wal_level = replica
max_wal_senders = 10
max_replication_slots = 10
wal_keep_size = 256MB
wal_log_hints = on
full_page_writes = on
hot_standby = on
hot_standby_feedback = on
wal_receiver_status_interval = 1s
wal_retrieve_retry_interval = 1s
# A lab, not a bank: a killed process loses nothing anyway, only a machine crash would.
fsync = off
synchronous_commit = off
log_line_prefix = '%m [%p] %q%a '
log_replication_commands = on
EOF
  cat >"$D/pg1/pg_hba.conf" <<EOF
local all all trust
local replication all trust
host all all 127.0.0.1/32 trust
host replication all 127.0.0.1/32 trust
EOF
}

# Point <node> at <primary>: standby.signal plus primary_conninfo naming the node.
make_standby() {
  local node=$1 primary=$2 auto="$D/$1/postgresql.auto.conf"
  touch "$auto"
  sed -i '/^primary_conninfo/d; /^primary_slot_name/d' "$auto"
  echo "primary_conninfo = 'host=127.0.0.1 port=${PORT[$primary]} user=postgres application_name=$node'" >>"$auto"
  touch "$D/$node/standby.signal"
  chown postgres: "$auto" "$D/$node/standby.signal"
}

start_node() {
  local n=$1
  running "$n" && return 0
  clean_after_crash "$n"
  ensure_port_free "${PORT[$n]}" "$n"
  as_pg "$PGBIN/pg_ctl" -D "$D/$n" -l "$D/$n.log" -o "-p ${PORT[$n]} -c cluster_name=$n" -w -t 60 start >/dev/null 2>>"$D/$n.log" ||
    die "$n did not start; log: $D/$n.log"
}

stop_node() { # stop_node <node> [mode]
  local n=$1
  if running "$n"; then
    as_pg "$PGBIN/pg_ctl" -D "$D/$n" -m "${2:-fast}" -w -t 30 stop >/dev/null || true
  fi
  clean_after_crash "$n"
}

# A postmaster killed with -9 leaves its SysV segment behind; remove it once nothing is attached.
# Its pid must also be reaped (init here reaps with a delay): postgres refuses a lock file whose pid
# still exists, even as a zombie.
clean_after_crash() {
  local n=$1 key id pid
  running "$n" && return 0
  [ -f "$D/$n/postmaster.pid" ] || return 0
  pid=$(postmaster_pid "$n")
  local deadline=$(($(date +%s) + 10))
  while [ -n "$pid" ] && [ -d "/proc/$pid" ] && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.05; done
  read -r key id < <(sed -n 7p "$D/$n/postmaster.pid") || true
  if [ -n "${id:-}" ] && ipcs -m -i "$id" 2>/dev/null | has 'nattch=0'; then ipcrm -m "$id" 2>/dev/null || true; fi
}

basebackup() { # basebackup <node> <from>
  local n=$1 from=$2
  rm -rf "${D:?}/$n"
  as_pg "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "${PORT[$from]}" -U postgres -D "$D/$n" -X stream -c fast --no-sync >>"$D/$n.log" 2>&1 ||
    die "pg_basebackup of $n from $from failed; log: $D/$n.log"
  make_standby "$n" "$from"
}

create_fresh() {
  rm -rf "${D:?}"/pg1 "${D:?}"/pg2
  mkdir -p "$D/run"
  touch "$D/pg1.log" "$D/pg2.log"
  chown -R postgres: "$D"
  as_pg "$PGBIN/initdb" -D "$D/pg1" -U postgres --auth=trust --data-checksums -E UTF8 --locale=C.UTF-8 --no-sync >>"$D/pg1.log" 2>&1 ||
    die "initdb failed; log: $D/pg1.log"
  write_conf
  start_node pg1
  sql pg1 'create table if not exists lab_heartbeat (id bigserial primary key, at timestamptz not null default now())' >/dev/null
  basebackup pg2 pg1
  start_node pg2
}

# Rejoin <node> to <primary> as a replica: pg_rewind, or a fresh base backup if rewind cannot.
rejoin() {
  local n=$1 p=$2 how=pg_rewind
  # pg_rewind reads the source's timeline from its control file, which a promotion only updates at
  # the next checkpoint.
  sql "$p" checkpoint >/dev/null || die "new primary $p does not answer"
  stop_node "$n" fast
  if ! as_pg "$PGBIN/pg_rewind" --no-sync -D "$D/$n" --source-server="host=127.0.0.1 port=${PORT[$p]} user=postgres dbname=postgres" >>"$D/$n.log" 2>&1; then
    echo "pg_rewind of $n failed (see $D/$n.log); taking a fresh base backup" >&2
    how=pg_basebackup
    basebackup "$n" "$p"
  fi
  make_standby "$n" "$p"
  start_node "$n"
  echo "$how"
}

# Converge to one primary with the other node streaming from it, whatever happened before.
heal() {
  local n p ps
  declare -A r=([pg1]=$(role pg1) [pg2]=$(role pg2))
  for n in "${NODES[@]}"; do
    p=$(other "$n")
    # A node that is down next to a running primary is rejoined below rather than started, so a
    # killed old primary never comes back as a second primary. Otherwise it returns as it was.
    if [ "${r[$n]}" = down ] && [ "${r[$p]}" != primary ]; then
      start_node "$n"
      r[$n]=$(role "$n")
    fi
  done
  mapfile -t ps < <(primaries)
  case ${#ps[@]} in
    0)
      sql pg1 'select pg_promote(true, 30)' >/dev/null || die "no primary and pg1 cannot be promoted"
      ps=(pg1)
      ;;
    2)
      # Split brain: the node on the higher timeline was promoted last and wins.
      if [ "$(timeline pg2)" -gt "$(timeline pg1)" ]; then ps=(pg2); else ps=(pg1); fi
      ;;
  esac
  p=${ps[0]}
  n=$(other "$p")
  if ! streaming_from "$n" "$p"; then
    # A replica that is merely connecting gets a few seconds before it is rewound.
    if [ "$(role "$n")" != replica ] || ! wait_streaming_quiet "$n" "$p" 5; then
      info "rejoining $n to primary $p via $(rejoin "$n" "$p")"
    fi
  fi
}

wait_streaming_quiet() { # wait_streaming_quiet <node> <primary> <secs>: true once streaming
  local deadline=$(($(date +%s) + $3))
  until streaming_from "$1" "$2"; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

ready() {
  local ps n
  mapfile -t ps < <(primaries)
  [ ${#ps[@]} = 1 ] || return 1
  n=$(other "${ps[0]}")
  streaming_from "$n" "${ps[0]}" && [ "$(sql "${ps[0]}" "select count(*) from pg_stat_replication where state = 'streaming'")" = 1 ]
}

cmd_up() {
  if [ -f "$D/pg1/PG_VERSION" ] && [ -f "$D/pg2/PG_VERSION" ]; then
    if ready; then info "already running"; return 0; fi
    heal
  else
    create_fresh
  fi
  wait_for "one primary with its replica streaming" "$D/pg1.log and $D/pg2.log" "$LAB_TIMEOUT" ready
  local p
  p=$(primaries)
  info "ready: primary $p (${PORT[$p]}), replica $(other "$p") (${PORT[$(other "$p")]}) streaming"
}

cmd_down() {
  local n
  for n in "${NODES[@]}"; do
    # immediate: data is about to be removed, and it still cleans up shared memory.
    running "$n" && as_pg "$PGBIN/pg_ctl" -D "$D/$n" -m immediate -w -t 20 stop >/dev/null 2>&1 || true
    clean_after_crash "$n"
  done
  teardown_dir
  info "down"
}

cmd_status() {
  local n r detail
  for n in "${NODES[@]}"; do
    r=$(role "$n")
    detail=$r
    if [ "$r" = replica ]; then
      detail="replica of $(upstream_of "$n")"
      [ "$detail" != "replica of " ] || detail="replica (not streaming)"
    fi
    [ "$r" = replica ] && [ "$(sql "$n" 'select pg_is_wal_replay_paused()')" = t ] && detail="$detail (replay paused)"
    status_line "$n" "${PORT[$n]}" "$([ "$r" = down ] && echo down || echo up)" "$detail"
  done
}

cmd_actions() {
  cat <<EOF
pg-kill-primary             kill -9 the current primary's postmaster and its children
pg-restart-old-primary      start stopped nodes as they were (a killed primary returns as a primary)
pg-promote-replica          promote the replica (after pg-kill-primary: a failover)
pg-split-brain              promote the replica while the primary still runs
pg-rejoin-old-primary       make the node that lost a replica of the current primary (pg_rewind, else base backup)
pg-pause-replay             pg_wal_replay_pause() on the replica, then write on the primary so lag grows
pg-resume-replay            pg_wal_replay_resume() on the replica
pg-heal                     converge to one primary and one streaming replica, whatever the state
EOF
}

the_replica() {
  local n
  for n in "${NODES[@]}"; do [ "$(role "$n")" = replica ] && { echo "$n"; return 0; }; done
  die "no running replica"
}

promote() { # promote <node>: returns when it accepts writes
  local n=$1 t
  t=$(now_ms)
  sql "$n" 'select pg_promote(false)' >/dev/null || die "pg_promote on $n failed"
  local deadline=$(($(date +%s) + 30))
  until [ "$(role "$n")" = primary ]; do
    [ "$(date +%s)" -lt "$deadline" ] || die "$n still in recovery 30s after pg_promote; log: $D/$n.log"
    sleep 0.05
  done
  echo "$t"
}

cmd_break() {
  local ps n t how
  case "$1" in
    pg-kill-primary)
      mapfile -t ps < <(primaries)
      [ ${#ps[@]} -ge 1 ] || die "no running primary to kill"
      n=${2:-${ps[0]}}
      [[ "$n" =~ ^pg[12]$ ]] || die "node must be pg1 or pg2"
      local pid
      pid=$(postmaster_pid "$n")
      is_ours "$pid" "$D/$n" || die "$n is not running"
      kill9 "$pid"
      t=$(now_ms)
      report "$t" "kill -9 $n postmaster pid $pid and its children (port ${PORT[$n]})"
      ;;
    pg-restart-old-primary)
      for n in "${NODES[@]}"; do
        if ! running "$n"; then
          clean_after_crash "$n"
          t=$(now_ms)
          start_node "$n"
          report "$t" "started $n (port ${PORT[$n]}) as $(role "$n")"
        fi
      done
      ;;
    pg-promote-replica | pg-split-brain)
      n=$(the_replica)
      if [ "$1" = pg-split-brain ]; then
        mapfile -t ps < <(primaries)
        [ ${#ps[@]} = 1 ] || die "split brain needs a running primary"
      fi
      t=$(promote "$n")
      report "$t" "promoted $n (port ${PORT[$n]}); primaries now: $(primaries | tr '\n' ' ')"
      ;;
    pg-rejoin-old-primary)
      mapfile -t ps < <(primaries)
      case ${#ps[@]} in
        1) n=$(other "${ps[0]}") ;;
        2) if [ "$(timeline pg2)" -gt "$(timeline pg1)" ]; then n=pg1; else n=pg2; fi ;;
        *) die "no running primary to rejoin to" ;;
      esac
      local p
      p=$(other "$n")
      t=$(now_ms)
      how=$(rejoin "$n" "$p")
      wait_for "$n streaming from $p" "$D/$n.log" 60 streaming_from "$n" "$p"
      report "$t" "rejoined $n as replica of $p via $how; streaming after $(($(now_ms) - t)) ms"
      ;;
    pg-pause-replay)
      n=$(the_replica)
      t=$(now_ms)
      sql "$n" 'select pg_wal_replay_pause()' >/dev/null
      sql "$(other "$n")" 'insert into lab_heartbeat default values' >/dev/null || true
      report "$t" "paused WAL replay on $n (port ${PORT[$n]}) and wrote one row on $(other "$n")"
      ;;
    pg-resume-replay)
      n=$(the_replica)
      t=$(now_ms)
      sql "$n" 'select pg_wal_replay_resume()' >/dev/null
      report "$t" "resumed WAL replay on $n (port ${PORT[$n]})"
      ;;
    pg-heal)
      t=$(now_ms)
      heal
      wait_for "one primary with its replica streaming" "$D/pg1.log and $D/pg2.log" "$LAB_TIMEOUT" ready
      report "$t" "healed: primary $(primaries), replica streaming"
      ;;
    *) die "unknown action $1 (lab.sh actions)" ;;
  esac
}

dispatch "$@"
