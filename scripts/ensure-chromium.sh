#!/usr/bin/env bash
# The browser tests use Debian's Chromium at /usr/bin/chromium (no downloaded browser).
# Installs it when we are root; otherwise says exactly what to install.
set -euo pipefail
CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: $CHROMIUM is missing; installing Debian's chromium package..." >&2
  apt-get update
  apt-get install -y chromium
  [ -x "$CHROMIUM" ] && exit 0
fi
echo "ensure-chromium: $CHROMIUM is missing. Install Debian's chromium package, e.g.:" >&2
echo "  sudo apt-get update && sudo apt-get install -y chromium" >&2
exit 1
