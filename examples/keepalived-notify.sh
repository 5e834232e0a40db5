#!/bin/sh
# keepalived notify script for Nines. In keepalived.conf:
#   vrrp_instance VI_1 { ... notify "/etc/keepalived/nines-notify.sh" }
# keepalived calls it as: <script> INSTANCE|GROUP <name> MASTER|BACKUP|FAULT|STOP <priority>
# Set NINES_URL (default http://127.0.0.1:9797) and optionally NINES_SYSTEM and NINES_NODE.
# NINES_TOKEN_FILE: a file holding an ingest token for keepalived
#   (nines token create --name lb1-notify --role ingest --source keepalived | tail -1 > FILE; chmod 600 FILE);
#   read from a file so the token is not in keepalived.conf or the process list.
TYPE="$1"; NAME="$2"; STATE="$3"; PRIORITY="${4:-0}"
URL="${NINES_URL:-http://127.0.0.1:9797}/api/v1/events/keepalived"
NODE="${NINES_NODE:-$(hostname)}"
SYSTEM_FIELD=""
[ -n "$NINES_SYSTEM" ] && SYSTEM_FIELD=",\"system\":\"$NINES_SYSTEM\""
BODY="{\"type\":\"$TYPE\",\"name\":\"$NAME\",\"state\":\"$STATE\",\"priority\":$PRIORITY,\"node\":\"$NODE\"$SYSTEM_FIELD}"
# Never block keepalived: short timeouts, run in the background, a few retries.
AUTH=""
[ -n "$NINES_TOKEN_FILE" ] && [ -r "$NINES_TOKEN_FILE" ] && AUTH="Authorization: Bearer $(cat "$NINES_TOKEN_FILE")"
( for i in 1 2 3; do
    if [ -n "$AUTH" ]; then
      printf 'header = "%s"\n' "$AUTH" | curl -fsS -m 2 -K - -H 'content-type: application/json' -d "$BODY" "$URL" >/dev/null 2>&1 && exit 0
    else
      curl -fsS -m 2 -H 'content-type: application/json' -d "$BODY" "$URL" >/dev/null 2>&1 && exit 0
    fi
    sleep 1
  done ) &
exit 0
