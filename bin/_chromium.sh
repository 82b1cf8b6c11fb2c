#!/usr/bin/env bash
# Browser tests drive Debian's Chromium through Playwright (no browser download). Install it
# when missing and we may; otherwise stop with the reason rather than skip those tests.
set -euo pipefail
chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
[ -x "$chromium" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium for the browser tests ..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "Browser tests need Chromium at $chromium: run 'sudo apt-get install chromium'" \
  "or set CHROMIUM_PATH." >&2
exit 1
