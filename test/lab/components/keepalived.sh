#!/usr/bin/env bash
# keepalived VRRP pair in two network namespaces (lab-lb1, lab-lb2) joined to the host by veths on
# the bridge lab-br0. The VIP is served by a small nginx in each namespace naming its node
# (header X-Lab-Node, body "node lbN"), so a probe of the VIP can tell who holds it.
#
# Addresses come from 198.18.0.0/15 (RFC 2544 benchmarking, never routed publicly). Before anything
# is created, 198.18.0.0/16 is routed "unreachable" and that route is kept after teardown: a probe of
# a torn-down lab fails here instead of leaving the machine by the default route.
#
# Notify hook: if NINES_NOTIFY_URL is set when `lab.sh up keepalived` runs (again), every VRRP
# transition is POSTed to it as JSON {type, name, state, priority, node, vip, ts_ms}; transitions are
# always appended to .lab/keepalived/notify.log.
COMPONENT=keepalived
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

NODES=(lb1 lb2)
declare -A ADDR=([lb1]=$LB1_ADDR [lb2]=$LB2_ADDR)
declare -A PRIO=([lb1]=150 [lb2]=100)
BR=lab-br0
HOSTNS=lab-host # a name for the host's own network namespace, for the notify hook
PREFIX=${LAB_SUBNET#*/}
NOTIFY="$LAB_HOME/lib/keepalived-notify.sh"

ns() { echo "lab-$1"; }
in_ns() { local n=$1; shift; ip netns exec "$(ns "$n")" "$@"; }
has_vip() { ip -n "$(ns "$1")" -o addr show dev eth0 2>/dev/null | has " $VIP_ADDR/"; }
holder() { local n; for n in "${NODES[@]}"; do has_vip "$n" && echo "$n"; done; return 0; }
vip_answer() { curl -s --max-time 1 "http://$VIP_ADDR:$VIP_PORT/" 2>/dev/null; }

require_root_net() {
  [ "$(id -u)" = 0 ] || die "needs root (network namespaces, veth, bridge)"
  command -v ip >/dev/null || die "needs iproute2"
  ip netns list >/dev/null 2>&1 || die "cannot use network namespaces here (ip netns list failed)"
}

guard_route() {
  ip route show type unreachable "$LAB_GUARD_ROUTE" | has . || ip route add unreachable "$LAB_GUARD_ROUTE"
}

net_up() {
  require_root_net
  guard_route
  # The lab subnet must be ours alone: no route or address outside our bridge and namespaces.
  local clash
  clash=$(ip -o route show | grep -F "${LAB_SUBNET%.*/*}." | grep -v " dev $BR " || true)
  [ -z "$clash" ] || die "$LAB_SUBNET is already routed on this machine: $clash"
  if ! ip link show "$BR" >/dev/null 2>&1; then
    ip link add "$BR" type bridge
    ip link set "$BR" type bridge stp_state 0 forward_delay 0
    ip addr add "$LAB_HOST_ADDR/$PREFIX" dev "$BR"
    ip link set "$BR" up
  fi
  [ -e "/run/netns/$HOSTNS" ] || ip netns attach "$HOSTNS" $$
  local n
  for n in "${NODES[@]}"; do
    if ! ip netns list | has -w "$(ns "$n")"; then
      ip netns add "$(ns "$n")"
      ip link add "$(ns "$n")-h" type veth peer name eth0 netns "$(ns "$n")"
      ip link set "$(ns "$n")-h" master "$BR" up
      ip -n "$(ns "$n")" link set lo up
      ip -n "$(ns "$n")" addr add "${ADDR[$n]}/$PREFIX" dev eth0
      ip -n "$(ns "$n")" link set eth0 up
    fi
  done
}

write_confs() {
  local n
  mkdir -p "$D/tmp"
  for n in "${NODES[@]}"; do
    cat >"$D/web-$n.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $D/web-$n.nginx.pid;
error_log $D/web-$n.log notice;
events { worker_connections 64; }
http {
  access_log off;
  default_type text/plain;
  client_body_temp_path $D/tmp/$n-body;
  proxy_temp_path $D/tmp/$n-proxy;
  fastcgi_temp_path $D/tmp/$n-fastcgi;
  uwsgi_temp_path $D/tmp/$n-uwsgi;
  scgi_temp_path $D/tmp/$n-scgi;
  server {
    listen 0.0.0.0:$VIP_PORT;
    add_header X-Lab-Node $n always;
    location / { return 200 "node $n\n"; }
  }
}
EOF
    cat >"$D/ka-$n.conf" <<EOF
global_defs {
  router_id lab-$n
  script_user root
  enable_script_security
  vrrp_garp_master_delay 1
  vrrp_garp_master_repeat 3
}
vrrp_instance lab_vip {
  state $([ "$n" = lb1 ] && echo MASTER || echo BACKUP)
  interface eth0
  virtual_router_id 77
  priority ${PRIO[$n]}
  advert_int 1
  virtual_ipaddress {
    $VIP_ADDR/$PREFIX dev eth0
  }
  notify "$NOTIFY $D $n"
}
EOF
  done
}

start_web() {
  local n=$1
  alive "web-$n" && return 0
  spawn "web-$n" "$D" ip netns exec "$(ns "$n")" nginx -p "$D/" -c "$D/web-$n.conf" -e "$D/web-$n.log"
}
start_ka() {
  local n=$1
  alive "ka-$n" && return 0
  spawn "ka-$n" "$D" ip netns exec "$(ns "$n")" keepalived --dont-fork --log-console --log-detail --no-syslog --vrrp \
    -f "$D/ka-$n.conf" -p "$D/ka-$n.keepalived.pid" -r "$D/ka-$n.vrrp.pid"
}

ready() {
  local n h
  for n in "${NODES[@]}"; do alive "ka-$n" && alive "web-$n" || return 1; done
  h=$(holder)
  [ "$(wc -w <<<"$h")" = 1 ] || return 1
  [ "$(vip_answer)" = "node $h" ]
}

cmd_up() {
  local n p
  net_up
  # Idempotent up also refreshes the notify hook, so a test can point it at its own Nines.
  printf '%s\n' "${NINES_NOTIFY_URL:-}" >"$D/notify-url"
  if [ -f "$D/ka-lb1.conf" ] && ready; then info "already running; VIP $VIP_ADDR on $(holder)"; return 0; fi
  if [ ! -f "$D/ka-lb1.conf" ]; then
    # Namespaces that outlived their .lab/ directory may still run an old keepalived or responder.
    for n in "${NODES[@]}"; do
      for p in $(ip netns pids "$(ns "$n")" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
    done
    write_confs
  fi
  for n in "${NODES[@]}"; do
    start_web "$n"
    start_ka "$n"
  done
  wait_for "exactly one node holding $VIP_ADDR and answering on :$VIP_PORT" "$D/ka-lb1.log and $D/ka-lb2.log" "$LAB_TIMEOUT" ready
  info "ready: VIP $VIP_ADDR:$VIP_PORT on $(holder) (lb1 ${ADDR[lb1]}, lb2 ${ADDR[lb2]}, host $LAB_HOST_ADDR on $BR)"
}

cmd_down() {
  local n p
  for n in "${NODES[@]}"; do
    if ip netns list 2>/dev/null | has -w "$(ns "$n")"; then
      # Everything in a lab namespace was started by the lab.
      for p in $(ip netns pids "$(ns "$n")" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
      for p in $(ip netns pids "$(ns "$n")" 2>/dev/null); do wait_gone "$p" 5 || true; done
      ip netns del "$(ns "$n")"
    fi
  done
  ip link del "$BR" 2>/dev/null || true
  [ -e "/run/netns/$HOSTNS" ] && ip netns del "$HOSTNS" 2>/dev/null || true
  teardown_dir
  info "down (route 'unreachable $LAB_GUARD_ROUTE' kept)"
}

# keepalived's own view, from the last transition its notify script logged.
vrrp_state() { awk -v n="node=$1" '$2 == n {s = $5} END {sub("state=", "", s); print s}' "$D/notify.log" 2>/dev/null; }

cmd_status() {
  local n
  for n in "${NODES[@]}"; do
    local state=down detail=""
    if alive "ka-$n"; then
      state=up
      detail="$(vrrp_state "$n")$(! has_vip "$n" || echo " (holds $VIP_ADDR)")"
    fi
    status_line "$n" "$VIP_PORT" "$state" "keepalived $detail addr ${ADDR[$n]}"
  done
  status_line vip "$VIP_PORT" "$([ -n "$(vip_answer)" ] && echo up || echo down)" "$VIP_ADDR answers: $(vip_answer)"
}

cmd_actions() {
  cat <<EOF
vip-fail                    stop keepalived on the node holding the VIP (the other takes over)
vip-restore                 start stopped keepalived instances (lb1 has priority and takes the VIP back)
vip-isolate                 take the VIP holder's link down (its keepalived goes FAULT, the other takes over in ~3s)
vip-reconnect               restore cut links (VRRP settles on lb1 again)
EOF
}

cmd_break() {
  local t n pid
  case "$1" in
    vip-fail)
      n=$(holder)
      [ "$(wc -w <<<"$n")" = 1 ] || die "expected one node holding $VIP_ADDR, found: '${n}'"
      pid=$(pid_of "ka-$n") || die "keepalived on $n is not running"
      t=$(now_ms)
      stop_name "ka-$n" TERM
      report "$t" "stopped keepalived on MASTER $n (pid $pid); VIP $VIP_ADDR moves to the other node"
      ;;
    vip-restore)
      for n in "${NODES[@]}"; do
        alive "ka-$n" && continue
        t=$(now_ms)
        start_ka "$n"
        wait_for "keepalived on $n to run" "$D/ka-$n.log" 30 alive "ka-$n"
        report "$t" "started keepalived on $n (priority ${PRIO[$n]})"
      done
      ;;
    vip-isolate)
      n=$(holder)
      [ "$(wc -w <<<"$n")" = 1 ] || die "expected one node holding $VIP_ADDR, found: '${n}'"
      ip link set "$(ns "$n")-h" down
      t=$(now_ms)
      report "$t" "cut $n's link ($(ns "$n")-h down); $n goes FAULT, the other node takes over $VIP_ADDR"
      ;;
    vip-reconnect)
      for n in "${NODES[@]}"; do
        if ! ip link show "$(ns "$n")-h" | has 'state UP\|,UP'; then
          ip link set "$(ns "$n")-h" up
          t=$(now_ms)
          report "$t" "reconnected $n ($(ns "$n")-h up)"
        fi
      done
      ;;
    *) die "unknown action $1 (lab.sh actions)" ;;
  esac
}

dispatch "$@"
