#!/usr/bin/env bash
# Debian packages Nines' tests, lab and benchmarks use. Idempotent: installs only what is missing.
set -euo pipefail
PKGS=(prometheus prometheus-blackbox-exporter prometheus-alertmanager redis-sentinel haproxy nginx memcached zookeeper keepalived iproute2 procps
  # test/lab: servers it runs, the clients it drives them with, ZooKeeper's AdminServer and log binding
  postgresql-15 mariadb-server mariadb-client redis-server redis-tools default-jre-headless libslf4j-java libservlet-api-java curl util-linux
  # the weekly report e2e test opens the HTML preview in headless Chromium (375 px, console errors, screenshot)
  chromium)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Package scripts try to start their services under systemd; nothing here needs them running.
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  rm -f /usr/sbin/policy-rc.d
fi
