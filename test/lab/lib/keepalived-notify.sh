#!/usr/bin/env bash
# keepalived notify script for the lab: notify "<this> <lab keepalived dir> <node>" gets
# TYPE NAME STATE PRIORITY appended by keepalived. Logs every transition and, when the lab was
# brought up with NINES_NOTIFY_URL, POSTs it as JSON from the host's network namespace (the
# namespace this runs in only reaches the lab subnet).
set -u
dir=$1 node=$2 type=${3:-} name=${4:-} state=${5:-} priority=${6:-0}
ts=$(date +%s%3N)
echo "ts_ms=$ts node=$node type=$type name=$name state=$state priority=$priority" >>"$dir/notify.log"
url=$(head -1 "$dir/notify-url" 2>/dev/null || true)
[ -n "$url" ] || exit 0
vip=$(awk '/virtual_ipaddress/ {getline; print $1}' "$dir/ka-$node.conf" 2>/dev/null)
body=$(printf '{"type":"%s","name":"%s","state":"%s","priority":%d,"node":"%s","vip":"%s","ts_ms":%s}' \
  "$type" "$name" "$state" "$priority" "$node" "${vip%/*}" "$ts")
# Backgrounded: keepalived waits for notify scripts, and a slow receiver must not delay VRRP.
(nsenter --net=/run/netns/lab-host curl -s -o /dev/null -w "notify POST $url -> %{http_code}\n" --max-time 5 \
  -H 'content-type: application/json' -d "$body" "$url" >>"$dir/notify.log" 2>&1 </dev/null &)
exit 0
