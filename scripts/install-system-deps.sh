#!/usr/bin/env bash
# Installs the Debian packages Nines' tests, lab and benchmarks use (the list is
# scripts/system-deps.mjs). With package names as arguments, installs just those; without, every
# one that is missing. Idempotent. `npm test` runs it for you when something is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -gt 0 ]; then
  missing=("$@")
else
  read -r -a wanted <<<"$(node scripts/system-deps.mjs packages)"
  missing=()
  for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Package scripts try to start their services under systemd; nothing here needs them running.
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
