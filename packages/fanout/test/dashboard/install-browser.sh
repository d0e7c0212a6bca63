#!/bin/sh
# Installs Debian's Chromium for the dashboard's browser tests (test/dashboard), once: playwright-core drives
# it and downloads no browser of its own. Run as root (CI images are); idempotent.
set -eu
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-browser.sh: Chromium is missing at $CHROMIUM; run this script as root (it runs apt-get install chromium), or set CHROMIUM_PATH." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium >/dev/null
"$CHROMIUM" --version
