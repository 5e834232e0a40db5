#!/bin/sh
# keepalived notify script for Nines. In keepalived.conf:
#   vrrp_instance VI_1 { ... notify "/etc/keepalived/nines-notify.sh" }
# keepalived calls it as: <script> INSTANCE|GROUP <name> MASTER|BACKUP|FAULT|STOP <priority>
# Set NINES_URL (default http://127.0.0.1:9797) and optionally NINES_SYSTEM and NINES_NODE.
TYPE="$1"; NAME="$2"; STATE="$3"; PRIORITY="${4:-0}"
URL="${NINES_URL:-http://127.0.0.1:9797}/api/v1/events/keepalived"
NODE="${NINES_NODE:-$(hostname)}"
SYSTEM_FIELD=""
[ -n "$NINES_SYSTEM" ] && SYSTEM_FIELD=",\"system\":\"$NINES_SYSTEM\""
BODY="{\"type\":\"$TYPE\",\"name\":\"$NAME\",\"state\":\"$STATE\",\"priority\":$PRIORITY,\"node\":\"$NODE\"$SYSTEM_FIELD}"
# Never block keepalived: short timeouts, run in the background, a few retries.
( for i in 1 2 3; do
    curl -fsS -m 2 -H 'content-type: application/json' -d "$BODY" "$URL" >/dev/null 2>&1 && exit 0
    sleep 1
  done ) &
exit 0
