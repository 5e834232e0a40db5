#!/usr/bin/env bash
# HAProxy and nginx in front of two HTTP backends. Each backend is its own single-process nginx
# answering with "X-Backend: bN" and body "backend bN", so a probe can tell who answered and a
# backend can be stopped alone.
COMPONENT=proxy
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

declare -A PORT=([b1]=$BACKEND1_PORT [b2]=$BACKEND2_PORT [nginx]=$NGINX_PORT [haproxy]=$HAPROXY_PORT)

http_get() { curl -s --max-time 2 "$@" 2>/dev/null; }

nginx_common() { # nginx_common <name>: the lines every nginx instance here shares
  cat <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $D/$1.nginx.pid;
error_log $D/$1.log notice;
events { worker_connections 256; }
EOF
}
nginx_http_common() {
  cat <<EOF
  access_log off;
  default_type text/plain;
  client_body_temp_path $D/tmp/$1-body;
  proxy_temp_path $D/tmp/$1-proxy;
  fastcgi_temp_path $D/tmp/$1-fastcgi;
  uwsgi_temp_path $D/tmp/$1-uwsgi;
  scgi_temp_path $D/tmp/$1-scgi;
EOF
}

write_confs() {
  local b
  mkdir -p "$D/tmp"
  for b in b1 b2; do
    cat >"$D/$b.conf" <<EOF
$(nginx_common "$b")
http {
$(nginx_http_common "$b")
  server {
    listen 127.0.0.1:${PORT[$b]};
    add_header X-Backend $b always;
    location = /health { return 200 "ok $b\n"; }
    location / { return 200 "backend $b\n"; }
  }
}
EOF
  done
  cat >"$D/nginx.conf" <<EOF
$(nginx_common nginx)
http {
$(nginx_http_common nginx)
  upstream lab_backends {
    server 127.0.0.1:${PORT[b1]} max_fails=1 fail_timeout=2s;
    server 127.0.0.1:${PORT[b2]} max_fails=1 fail_timeout=2s;
  }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    add_header X-Lab-Proxy nginx always;
    location = /nginx-health { return 200 "ok nginx\n"; }
    location / {
      proxy_pass http://lab_backends;
      proxy_connect_timeout 1s;
      proxy_next_upstream error timeout http_502 http_503;
    }
  }
  server {
    listen 127.0.0.1:$NGINX_STATUS_PORT;
    location = /stub_status { stub_status; }
  }
}
EOF
  cat >"$D/haproxy.cfg" <<EOF
global
  log stdout format short local0 info
  pidfile $D/haproxy.haproxy.pid
  stats socket $D/haproxy.sock mode 600 level admin
  maxconn 256
  nbthread 1

defaults
  mode http
  log global
  option httplog
  option dontlognull
  timeout connect 1s
  timeout client 10s
  timeout server 10s
  default-server inter 500ms fall 2 rise 2

frontend lab_fe
  bind 127.0.0.1:$HAPROXY_PORT
  http-response set-header X-Lab-Proxy haproxy
  default_backend lab_be

backend lab_be
  balance roundrobin
  option httpchk GET /health
  http-check expect status 200
  option redispatch
  retries 1
  server b1 127.0.0.1:${PORT[b1]} check
  server b2 127.0.0.1:${PORT[b2]} check

frontend lab_stats
  bind 127.0.0.1:$HAPROXY_STATS_PORT
  no log
  http-request use-service prometheus-exporter if { path /metrics }
  stats enable
  stats uri /stats
  stats refresh 5s
  stats show-legends
EOF
}

start_node() {
  local n=$1
  alive "$n" && return 0
  ensure_port_free "${PORT[$n]}" "$n"
  case "$n" in
    b1 | b2 | nginx)
      [ "$n" != nginx ] || ensure_port_free "$NGINX_STATUS_PORT" "nginx stub_status"
      spawn "$n" "$D" nginx -p "$D/" -c "$D/$n.conf" -e "$D/$n.log"
      ;;
    haproxy)
      ensure_port_free "$HAPROXY_STATS_PORT" "haproxy stats"
      haproxy -c -q -f "$D/haproxy.cfg" >>"$D/haproxy.log" 2>&1 || die "haproxy.cfg is invalid; log: $D/haproxy.log"
      spawn haproxy "$D" haproxy -db -f "$D/haproxy.cfg"
      ;;
  esac
}

backend_up() { http_get "http://127.0.0.1:${PORT[$1]}/" | has -x "backend $1"; }
# HAProxy's view of a backend server from the stats CSV: UP, DOWN, "UP 1/2", ...
haproxy_server_status() {
  http_get "http://127.0.0.1:$HAPROXY_STATS_PORT/stats;csv" | awk -F, -v s="$1" '$1 == "lab_be" && $2 == s {print $18}'
}
ready() {
  backend_up b1 && backend_up b2 || return 1
  http_get "http://127.0.0.1:$NGINX_PORT/" | has '^backend b[12]$' || return 1
  http_get "http://127.0.0.1:$NGINX_STATUS_PORT/stub_status" | has 'Active connections' || return 1
  http_get "http://127.0.0.1:$HAPROXY_PORT/" | has '^backend b[12]$' || return 1
  [ "$(haproxy_server_status b1)" = UP ] && [ "$(haproxy_server_status b2)" = UP ]
}

cmd_up() {
  local n
  if [ -f "$D/haproxy.cfg" ]; then
    if ready; then info "already running"; return 0; fi
  else
    write_confs
  fi
  for n in b1 b2 nginx haproxy; do start_node "$n"; done
  wait_for "backends, nginx, stub_status, haproxy and both servers UP in haproxy's stats" "$D/haproxy.log (and b1, b2, nginx .log)" "$LAB_TIMEOUT" ready
  info "ready: haproxy $HAPROXY_PORT (stats $HAPROXY_STATS_PORT), nginx $NGINX_PORT (stub_status $NGINX_STATUS_PORT), backends ${PORT[b1]} ${PORT[b2]}"
}

cmd_down() {
  teardown_dir
  info "down"
}

cmd_status() {
  local n
  for n in b1 b2; do
    status_line "$n" "${PORT[$n]}" "$(backend_up "$n" && echo up || echo down)" "haproxy sees $(haproxy_server_status "$n")"
  done
  status_line nginx "$NGINX_PORT" "$(http_get "http://127.0.0.1:$NGINX_PORT/nginx-health" | has ok && echo up || echo down)" "stub_status :$NGINX_STATUS_PORT/stub_status"
  status_line haproxy "$HAPROXY_PORT" "$(http_get -o /dev/null "http://127.0.0.1:$HAPROXY_STATS_PORT/stats;csv" && echo up || echo down)" "stats :$HAPROXY_STATS_PORT/stats;csv /metrics"
}

cmd_actions() {
  cat <<EOF
backend-stop <1|2>          stop backend bN (HAProxy marks it DOWN after ~1s of failed checks)
backend-start <1|2>         start backend bN again
haproxy-kill                kill -9 haproxy
haproxy-start               start haproxy again
nginx-kill                  kill -9 nginx (the proxy, not a backend)
nginx-start                 start nginx again
EOF
}

cmd_break() {
  local t pid n
  case "$1" in
    backend-stop | backend-start)
      [[ "${2:-}" =~ ^[12]$ ]] || die "usage: $1 <1|2>"
      n=b$2
      if [ "$1" = backend-stop ]; then
        pid=$(pid_of "$n") || die "$n is not running"
        t=$(now_ms)
        stop_name "$n" TERM
        report "$t" "stopped backend $n (port ${PORT[$n]}, pid $pid)"
      else
        t=$(now_ms)
        start_node "$n"
        wait_for "$n to answer" "$D/$n.log" 30 backend_up "$n"
        report "$t" "started backend $n (port ${PORT[$n]})"
      fi
      ;;
    haproxy-kill | nginx-kill)
      n=${1%-kill}
      pid=$(pid_of "$n") || die "$n is not running"
      kill -9 "$pid"
      t=$(now_ms)
      report "$t" "kill -9 $n pid $pid (port ${PORT[$n]})"
      ;;
    haproxy-start | nginx-start)
      n=${1%-start}
      t=$(now_ms)
      start_node "$n"
      wait_for "$n to answer" "$D/$n.log" 30 listening "${PORT[$n]}"
      report "$t" "started $n (port ${PORT[$n]})"
      ;;
    *) die "unknown action $1 (lab.sh actions)" ;;
  esac
}

dispatch "$@"
