#!/usr/bin/env bash
# Installs tinyproxy, the HTTP CONNECT proxy that CorporateProxyIT starts on loopback (with basic auth) to prove
# the agent reaches the relay through a corporate proxy. Needs root on Debian/Ubuntu; does nothing when tinyproxy
# is already installed. The package's own service is stopped and disabled: the test runs its own instance.
set -euo pipefail

if command -v tinyproxy >/dev/null 2>&1; then
  echo "tinyproxy: $(tinyproxy -v 2>&1 | head -n1) already installed"
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "tinyproxy is missing and cannot be installed here (needs root and apt-get); CorporateProxyIT will be skipped" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends tinyproxy >/dev/null || { apt-get update >/dev/null && apt-get install -y --no-install-recommends tinyproxy >/dev/null; }
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet tinyproxy 2>/dev/null; then
  systemctl disable --now tinyproxy >/dev/null 2>&1 || true
elif command -v service >/dev/null 2>&1; then
  service tinyproxy stop >/dev/null 2>&1 || true
fi
echo "tinyproxy: $(tinyproxy -v 2>&1 | head -n1) installed"
