#!/usr/bin/env bash
# ZooKeeper 3.8: a three-node ensemble (z1..z3) with every four-letter word allowed and the
# AdminServer on, each JVM capped small. Logs go through slf4j-simple to .lab/zookeeper/zN.log.
COMPONENT=zookeeper
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

NODES=(z1 z2 z3)
declare -A PORT=([z1]=$ZK1_PORT [z2]=$ZK2_PORT [z3]=$ZK3_PORT)
declare -A QUORUM=([z1]=$ZK1_QUORUM_PORT [z2]=$ZK2_QUORUM_PORT [z3]=$ZK3_QUORUM_PORT)
declare -A ELECTION=([z1]=$ZK1_ELECTION_PORT [z2]=$ZK2_ELECTION_PORT [z3]=$ZK3_ELECTION_PORT)
declare -A ADMIN=([z1]=$ZK1_ADMIN_PORT [z2]=$ZK2_ADMIN_PORT [z3]=$ZK3_ADMIN_PORT)
# The AdminServer (Jetty) needs the servlet API, which the zookeeper jar does not list.
CLASSPATH=/usr/share/java/zookeeper.jar:/usr/share/java/servlet-api.jar:/usr/share/java/slf4j-simple.jar

mode() { tcp_say 127.0.0.1 "${PORT[$1]}" srvr | awk -F': ' '$1 == "Mode" {print $2}'; }
serving() { [[ "$(mode "$1")" =~ ^(leader|follower)$ ]]; }
leader() { local n; for n in "${NODES[@]}"; do [ "$(mode "$n")" = leader ] && echo "$n"; done; return 0; }
ready() {
  local n leaders=0 followers=0
  for n in "${NODES[@]}"; do
    case "$(mode "$n")" in
      leader) leaders=$((leaders + 1)) ;;
      follower) followers=$((followers + 1)) ;;
    esac
  done
  [ $leaders = 1 ] && [ $followers = 2 ]
}

write_conf() {
  local n=$1 i=${1#z}
  mkdir -p "$D/$n/data"
  echo "$i" >"$D/$n/data/myid"
  cat >"$D/$n/zoo.cfg" <<EOF
tickTime=1000
initLimit=10
syncLimit=3
dataDir=$D/$n/data
clientPort=${PORT[$n]}
clientPortAddress=127.0.0.1
admin.enableServer=true
admin.serverAddress=127.0.0.1
admin.serverPort=${ADMIN[$n]}
4lw.commands.whitelist=*
reconfigEnabled=false
server.1=127.0.0.1:${QUORUM[z1]}:${ELECTION[z1]}
server.2=127.0.0.1:${QUORUM[z2]}:${ELECTION[z2]}
server.3=127.0.0.1:${QUORUM[z3]}:${ELECTION[z3]}
EOF
}

start_node() {
  local n=$1
  alive "$n" && return 0
  ensure_port_free "${PORT[$n]}" "$n"
  ensure_port_free "${ADMIN[$n]}" "$n AdminServer"
  ensure_port_free "${ELECTION[$n]}" "$n election"
  spawn "$n" "$D/$n" java -Xms16m -Xmx96m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k -XX:-UsePerfData \
    -Djava.net.preferIPv4Stack=true -Dzookeeper.4lw.commands.whitelist='*' \
    -Dorg.slf4j.simpleLogger.showDateTime=true -Dorg.slf4j.simpleLogger.dateTimeFormat='yyyy-MM-dd HH:mm:ss.SSS' \
    -cp "$CLASSPATH" org.apache.zookeeper.server.quorum.QuorumPeerMain "$D/$n/zoo.cfg"
}

cmd_up() {
  local n
  if [ -f "$D/z1/zoo.cfg" ]; then
    if ready; then info "already running"; return 0; fi
  else
    for n in "${NODES[@]}"; do write_conf "$n"; done
  fi
  for n in "${NODES[@]}"; do start_node "$n"; done
  wait_for "an ensemble with one leader and two followers" "$D/z1.log (and z2, z3 .log)" "$LAB_TIMEOUT" ready
  info "ready: leader $(leader), clients ${PORT[z1]} ${PORT[z2]} ${PORT[z3]}"
}

cmd_down() {
  teardown_dir
  info "down"
}

cmd_status() {
  local n m
  for n in "${NODES[@]}"; do
    m=$(mode "$n")
    status_line "$n" "${PORT[$n]}" "$([ -n "$m" ] && echo up || echo down)" "$m admin=http://127.0.0.1:${ADMIN[$n]}/commands"
  done
}

cmd_actions() {
  cat <<EOF
zk-kill-leader              kill -9 the node whose srvr says Mode: leader
zk-restart [n]              restart node n (1-3); without n, start every stopped node
EOF
}

cmd_break() {
  local t pid n
  case "$1" in
    zk-kill-leader)
      n=$(leader)
      [ -n "$n" ] || die "no node reports Mode: leader"
      pid=$(pid_of "$n") || die "leader $n is not running"
      kill -9 "$pid"
      t=$(now_ms)
      report "$t" "kill -9 leader $n (port ${PORT[$n]}) pid $pid"
      ;;
    zk-restart)
      local targets=()
      if [ -n "${2:-}" ]; then
        [[ "$2" =~ ^[123]$ ]] || die "node number must be 1, 2 or 3"
        targets=("z$2")
      else
        for n in "${NODES[@]}"; do alive "$n" || targets+=("$n"); done
      fi
      for n in "${targets[@]}"; do
        t=$(now_ms)
        stop_name "$n"
        start_node "$n"
        wait_for "$n to serve (Mode leader or follower)" "$D/$n.log" 60 serving "$n"
        report "$t" "restarted $n (port ${PORT[$n]}); now $(mode "$n")"
      done
      ;;
    *) die "unknown action $1 (lab.sh actions)" ;;
  esac
}

dispatch "$@"
