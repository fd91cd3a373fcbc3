#!/usr/bin/env bash
# The browser tests (Web UI codec, /docs) drive Debian's Chromium: installed from Debian's
# packages when neither CHROMIUM_PATH nor /usr/bin/chromium names one. Nothing comes from the web.
set -euo pipefail
if [ -n "${CHROMIUM_PATH:-}" ] || [ -x /usr/bin/chromium ]; then exit 0; fi
echo "test: installing Debian's chromium for the browser tests"
SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y -q chromium >/dev/null || { $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q chromium >/dev/null; }
[ -x /usr/bin/chromium ] || { echo "test: chromium did not install" >&2; exit 1; }
