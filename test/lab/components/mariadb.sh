#!/usr/bin/env bash
# MariaDB 10.11: m1 (primary, binlog) and m2 (GTID replica, read_only). mariadbd runs as mysql.
# SQL user lab/lab (all privileges, from anywhere) for probes and tests; repl/repl for replication.
COMPONENT=mariadb
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

NODES=(m1 m2)
declare -A PORT=([m1]=$MARIADB1_PORT [m2]=$MARIADB2_PORT)
declare -A ID=([m1]=1 [m2]=2)

q() { # q <node> <sql>: as root over the node's socket, tab-separated, no headers
  timeout 10 mariadb --no-defaults -S "$D/$1.sock" -uroot -N -B -e "$2" 2>/dev/null
}
slave_field() { # slave_field <node> <Field> from SHOW SLAVE STATUS
  timeout 10 mariadb --no-defaults -S "$D/$1.sock" -uroot -e 'SHOW SLAVE STATUS\G' 2>/dev/null |
    awk -F': ' -v f="$2" '$1 ~ "^ *"f"$" {print $2}'
}
answers() { q "$1" 'select 1' | has 1; }
replicating() { [ "$(slave_field m2 Slave_IO_Running)" = Yes ] && [ "$(slave_field m2 Slave_SQL_Running)" = Yes ]; }

write_cnf() { # write_cnf <node>
  local n=$1
  cat >"$D/$n.cnf" <<EOF
[mariadbd]
datadir=$D/$n/data
socket=$D/$n.sock
pid-file=$D/$n.mariadb.pid
port=${PORT[$n]}
bind-address=127.0.0.1
log-error=$D/$n.log
skip-name-resolve
server-id=${ID[$n]}
log-bin=$n-bin
relay-log=$n-relay
log-slave-updates=ON
binlog-format=ROW
gtid-domain-id=0
slave-net-timeout=4
innodb-buffer-pool-size=32M
innodb-log-file-size=16M
innodb-flush-log-at-trx-commit=2
innodb-doublewrite=0
sync-binlog=0
performance-schema=OFF
max-connections=50
$([ "$n" = m2 ] && echo read-only=ON)
EOF
}

start_node() {
  local n=$1
  alive "$n" && return 0
  ensure_port_free "${PORT[$n]}" "$n"
  spawn "$n" "$D" mariadbd --defaults-file="$D/$n.cnf" --user=mysql
  wait_for "$n to accept connections" "$D/$n.log" "$LAB_TIMEOUT" answers "$n"
}

create_fresh() {
  rm -rf "${D:?}"/m1 "${D:?}"/m2
  mkdir -p "$D/m1/data"
  write_cnf m1
  write_cnf m2
  touch "$D/m1.log" "$D/m2.log"
  chown -R mysql: "$D"
  # Installed without a binlog, then copied: m2 starts identical to m1 and replays all of m1's binlog.
  mariadb-install-db --no-defaults --datadir="$D/m1/data" --user=mysql --auth-root-authentication-method=socket \
    --skip-test-db --skip-name-resolve \
    --innodb-log-file-size=16M --innodb-buffer-pool-size=32M --innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 \
    >"$D/install.log" 2>&1 || die "mariadb-install-db failed; log: $D/install.log"
  cp -a "$D/m1" "$D/m2"
  start_node m1
  start_node m2
  q m1 "CREATE USER 'repl'@'127.0.0.1' IDENTIFIED BY 'repl';
        GRANT REPLICATION SLAVE ON *.* TO 'repl'@'127.0.0.1';
        CREATE USER 'lab'@'%' IDENTIFIED BY 'lab';
        GRANT ALL ON *.* TO 'lab'@'%' WITH GRANT OPTION;
        CREATE DATABASE lab;
        CREATE TABLE lab.heartbeat (id BIGINT AUTO_INCREMENT PRIMARY KEY, at TIMESTAMP(3) DEFAULT CURRENT_TIMESTAMP(3));" ||
    die "creating users on m1 failed; log: $D/m1.log"
  q m2 "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${PORT[m1]}, MASTER_USER='repl', MASTER_PASSWORD='repl',
          MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1; START SLAVE;" ||
    die "configuring replication on m2 failed; log: $D/m2.log"
}

cmd_up() {
  if [ -d "$D/m1/data/mysql" ] && [ -d "$D/m2/data/mysql" ]; then
    if answers m1 && answers m2 && replicating; then info "already running"; return 0; fi
    start_node m1
    start_node m2
    [ "$(slave_field m2 Slave_SQL_Running)" = Yes ] || q m2 'START SLAVE' || true
  else
    create_fresh
  fi
  wait_for "m2 replicating from m1 (Slave_IO_Running and Slave_SQL_Running = Yes)" "$D/m2.log" "$LAB_TIMEOUT" replicating
  wait_for "m2 to have m1's lab database" "$D/m2.log" "$LAB_TIMEOUT" q m2 'select 1 from lab.heartbeat limit 1'
  info "ready: primary m1 (${PORT[m1]}), replica m2 (${PORT[m2]}) replicating"
}

cmd_down() {
  teardown_dir
  info "down"
}

cmd_status() {
  local n state detail
  for n in "${NODES[@]}"; do
    state=down detail=""
    if answers "$n"; then
      state=up
      if [ "$n" = m2 ]; then
        detail="replica io=$(slave_field m2 Slave_IO_Running) sql=$(slave_field m2 Slave_SQL_Running) lag=$(slave_field m2 Seconds_Behind_Master)"
      else
        detail=primary
      fi
    fi
    status_line "$n" "${PORT[$n]}" "$state" "$detail"
  done
}

cmd_actions() {
  cat <<EOF
mariadb-kill-primary        kill -9 m1
mariadb-start-primary       start m1 again (m2's IO thread reconnects within a second)
mariadb-stop-replica-sql    STOP SLAVE SQL_THREAD on m2: replication broken, lag grows with writes
mariadb-start-replica-sql   START SLAVE SQL_THREAD on m2
EOF
}

cmd_break() {
  local t pid
  case "$1" in
    mariadb-kill-primary)
      pid=$(pid_of m1) || die "m1 is not running"
      kill -9 "$pid"
      t=$(now_ms)
      report "$t" "kill -9 m1 mariadbd pid $pid (port ${PORT[m1]})"
      ;;
    mariadb-start-primary)
      t=$(now_ms)
      start_node m1
      report "$t" "started m1 (port ${PORT[m1]})"
      ;;
    mariadb-stop-replica-sql)
      t=$(now_ms)
      q m2 'STOP SLAVE SQL_THREAD' || die "STOP SLAVE SQL_THREAD on m2 failed"
      q m1 'INSERT INTO lab.heartbeat () VALUES ()' || true
      report "$t" "stopped the SQL thread on m2 (port ${PORT[m2]}) and wrote one row on m1"
      ;;
    mariadb-start-replica-sql)
      t=$(now_ms)
      q m2 'START SLAVE SQL_THREAD' || die "START SLAVE SQL_THREAD on m2 failed"
      report "$t" "started the SQL thread on m2 (port ${PORT[m2]})"
      ;;
    *) die "unknown action $1 (lab.sh actions)" ;;
  esac
}

dispatch "$@"
