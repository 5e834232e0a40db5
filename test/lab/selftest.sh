#!/usr/bin/env bash
# Exercises the whole lab for real: up, every break action and its restore (checking the servers
# really changed state), down, checking nothing is left. Usage: test/lab/selftest.sh [rounds]
# Takes a few minutes per round; prints how long each failover took to become visible.
set -euo pipefail
LAB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lab.sh"
eval "$(bash "$LAB" env | sed 's/^/export /; s/=\(.*\)$/="\1"/')"
ROUNDS=${1:-1}
PGBIN=/usr/lib/postgresql/15/bin

pass=0
has() { grep "$@" >/dev/null; } # not grep -q: see test/lab/lib/common.sh
ok() { pass=$((pass + 1)); echo "  ok: $*"; }
fail() { echo "  FAIL: $*" >&2; bash "$LAB" status >&2 || true; exit 1; }
brk() { # brk <action> [arg] → prints the lab's line, sets TS
  local out
  out=$(bash "$LAB" break "$@") || fail "lab.sh break $* failed: $out"
  echo "  $out"
  TS=$(sed -n 's/^ts_ms=\([0-9]*\) .*/\1/p' <<<"$out" | head -1)
}
# until_true <seconds> <what> cmd... ; prints ms since TS when it became true
until_true() {
  local secs=$1 what=$2
  shift 2
  local deadline=$(($(date +%s) + secs))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || fail "$what not seen within ${secs}s"
    sleep 0.1
  done
  ok "$what (+$(($(date +%s%3N) - TS)) ms after the action)"
}

pgq() { "$PGBIN/psql" -X -At -h 127.0.0.1 -p "$1" -U postgres -d postgres -c "$2" 2>/dev/null; }
pg_role() { case "$(pgq "$1" 'select pg_is_in_recovery()')" in f) echo primary ;; t) echo replica ;; *) echo down ;; esac; }
pg_primaries() { local n=0 p; for p in $PG1_PORT $PG2_PORT; do [ "$(pg_role $p)" = primary ] && n=$((n + 1)); done; echo $n; }
is() { [ "$("${@:2}")" = "$1" ]; }
my() { timeout 5 mariadb --no-defaults -h 127.0.0.1 -P "$1" -ulab -plab -N -B -e "$2" 2>/dev/null; }
my_slave() { timeout 5 mariadb --no-defaults -h 127.0.0.1 -P "$MARIADB2_PORT" -ulab -plab -e 'SHOW SLAVE STATUS\G' 2>/dev/null | awk -F': ' -v f="$1" '$1 ~ "^ *"f"$" {print $2}'; }
sentinel_master() { redis-cli -p "$SENTINEL1_PORT" sentinel get-master-addr-by-name "$SENTINEL_MASTER" | sed -n 2p; }
slot0_owner() { redis-cli -p "$1" cluster nodes | awk '$3 ~ /master/ && $3 !~ /fail/ && $9 ~ /^0-/ {split($2, a, "[:@]"); print a[2]}'; }
zk_mode() { timeout 2 bash -c 'exec 3<>/dev/tcp/127.0.0.1/'"$1"'; printf srvr >&3; cat <&3' 2>/dev/null | awk -F': ' '$1 == "Mode" {print $2}'; }
zk_leaders() { local n=0 p; for p in $ZK1_PORT $ZK2_PORT $ZK3_PORT; do [ "$(zk_mode $p)" = leader ] && n=$((n + 1)); done; echo $n; }
csv_status() { curl -s --max-time 1 "$HAPROXY_STATS_CSV_URL" | awk -F, -v s="$1" '$1 == "lab_be" && $2 == s {print $18}'; }
http_body() { curl -s --max-time 1 "$1"; }
down_port() { ! timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }
vip() { curl -s --max-time 1 "$VIP_URL"; }

round() {
  echo "== round $1: up"
  local t0
  t0=$(date +%s%3N)
  bash "$LAB" up
  echo "  lab.sh up took $(($(date +%s%3N) - t0)) ms"

  echo "== postgres"
  brk pg-kill-primary
  until_true 10 "old primary refuses connections" down_port "$PG1_PORT"
  brk pg-promote-replica
  until_true 10 "pg2 is primary" is primary pg_role "$PG2_PORT"
  brk pg-rejoin-old-primary
  until_true 30 "pg1 replica of pg2" is replica pg_role "$PG1_PORT"
  brk pg-split-brain
  until_true 10 "two primaries (split brain)" is 2 pg_primaries
  brk pg-rejoin-old-primary
  until_true 30 "one primary again" is 1 pg_primaries
  brk pg-pause-replay
  local rp
  rp=$([ "$(pg_role "$PG1_PORT")" = replica ] && echo "$PG1_PORT" || echo "$PG2_PORT")
  until_true 10 "replay paused with WAL waiting" is t pgq "$rp" 'select pg_is_wal_replay_paused() and pg_last_wal_receive_lsn() > pg_last_wal_replay_lsn()'
  brk pg-resume-replay
  until_true 10 "replay caught up" is t pgq "$rp" 'select not pg_is_wal_replay_paused() and pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()'
  brk pg-kill-primary
  brk pg-restart-old-primary
  until_true 30 "old primary back as the only primary" is 1 pg_primaries
  brk pg-heal
  bash "$LAB" up postgres >/dev/null && ok "postgres ready after the drills"

  echo "== mariadb"
  brk mariadb-kill-primary
  until_true 10 "m2 IO thread lost m1" is Connecting my_slave Slave_IO_Running
  brk mariadb-start-primary
  until_true 20 "m2 IO thread back" is Yes my_slave Slave_IO_Running
  brk mariadb-stop-replica-sql
  until_true 5 "m2 SQL thread stopped" is No my_slave Slave_SQL_Running
  brk mariadb-start-replica-sql
  until_true 5 "m2 SQL thread running" is Yes my_slave Slave_SQL_Running
  bash "$LAB" up mariadb >/dev/null && ok "mariadb ready after the drills"

  echo "== redis-sentinel"
  local old
  old=$(sentinel_master)
  brk redis-kill-master
  until_true 20 "Sentinel failed over away from $old" bash -c "[ \"\$(redis-cli -p $SENTINEL1_PORT sentinel get-master-addr-by-name $SENTINEL_MASTER | sed -n 2p)\" != $old ]"
  brk redis-restart-old-master
  until_true 30 "old master $old is a replica" is slave bash -c "redis-cli -p $old role | head -1"
  brk redis-kill-sentinel 2
  until_true 5 "sentinel 2 down" down_port "$SENTINEL2_PORT"
  brk redis-start-sentinels
  bash "$LAB" up redis-sentinel >/dev/null && ok "redis-sentinel ready after the drills"

  echo "== redis-cluster"
  local any owner
  owner=$(slot0_owner 16401)
  any=$([ "$owner" = 16401 ] && echo 16402 || echo 16401)
  brk cluster-kill-master
  until_true 30 "slot 0 moved from $owner" bash -c "redis-cli -p $any cluster nodes | awk '\$3 ~ /master/ && \$3 !~ /fail/ && \$9 ~ /^0-/' | grep -qv ':$owner@'"
  brk cluster-restart-node
  bash "$LAB" up redis-cluster >/dev/null && ok "redis-cluster ready after the drills"

  echo "== zookeeper"
  brk zk-kill-leader
  until_true 30 "a new leader" is 1 zk_leaders
  brk zk-restart
  brk zk-restart 1
  bash "$LAB" up zookeeper >/dev/null && ok "zookeeper ready after the drills"

  echo "== proxy"
  brk backend-stop 1
  until_true 10 "haproxy marks b1 DOWN" is DOWN csv_status b1
  until_true 5 "haproxy frontend answers from b2" is "backend b2" http_body "http://127.0.0.1:$HAPROXY_PORT/"
  until_true 5 "nginx answers from b2" is "backend b2" http_body "http://127.0.0.1:$NGINX_PORT/"
  brk backend-start 1
  until_true 10 "haproxy marks b1 UP" is UP csv_status b1
  brk haproxy-kill
  until_true 5 "haproxy down" down_port "$HAPROXY_PORT"
  brk haproxy-start
  brk nginx-kill
  until_true 5 "nginx down" down_port "$NGINX_PORT"
  brk nginx-start
  curl -s --max-time 2 "$HAPROXY_METRICS_URL" | has '^haproxy_backend_status' && ok "haproxy Prometheus /metrics"
  bash "$LAB" up proxy >/dev/null && ok "proxy ready after the drills"

  echo "== memcached"
  brk memcached-kill
  until_true 5 "memcached down" down_port "$MEMCACHED_PORT"
  brk memcached-start
  bash "$LAB" up memcached >/dev/null && ok "memcached ready"

  echo "== keepalived"
  until_true 5 "VIP answered by lb1" is "node lb1" vip
  brk vip-fail
  until_true 15 "VIP answered by lb2" is "node lb2" vip
  brk vip-restore
  until_true 15 "VIP back on lb1" is "node lb1" vip
  brk vip-isolate
  until_true 15 "VIP answered by lb2 while lb1 is cut off" is "node lb2" vip
  brk vip-reconnect
  until_true 15 "VIP back on lb1" is "node lb1" vip
  bash "$LAB" up keepalived >/dev/null && ok "keepalived ready after the drills"

  echo "== whole lab again (idempotent up)"
  t0=$(date +%s%3N)
  bash "$LAB" up >/dev/null
  ok "lab.sh up on a running lab took $(($(date +%s%3N) - t0)) ms"
  bash "$LAB" mem

  echo "== down"
  bash "$LAB" down >/dev/null
  [ ! -e "$LAB_DIR" ] && ok ".lab/ removed"
  [ -z "$(ip netns list | grep -E '^lab-')" ] && ok "no lab namespaces left"
  ! ip link show lab-br0 >/dev/null 2>&1 && ok "bridge removed"
  ip route show type unreachable 198.18.0.0/16 | has . && ok "unreachable 198.18.0.0/16 kept"
  ! curl -s --max-time 1 "$VIP_URL" >/dev/null 2>&1 && ok "VIP probe fails locally after teardown"
  local left=""
  for p in $PG1_PORT $PG2_PORT $MARIADB1_PORT $MARIADB2_PORT $REDIS1_PORT $REDIS2_PORT $SENTINEL1_PORT 16400 16405 $ZK1_PORT $HAPROXY_PORT $NGINX_PORT $BACKEND1_PORT $MEMCACHED_PORT; do
    down_port "$p" || left="$left $p"
  done
  [ -z "$left" ] && ok "no lab port listening" || fail "still listening:$left"
}

for r in $(seq 1 "$ROUNDS"); do round "$r"; done
echo "selftest: $pass checks passed in $ROUNDS round(s)"
