#!/usr/bin/env bash
# LibreOffice is the tests' second, independent reader of our workbooks (headless Calc). Install
# Debian's package when missing and we may; otherwise stop with the reason rather than skip.
set -euo pipefail
command -v soffice >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's libreoffice-calc-nogui for the workbook tests ..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    libreoffice-calc-nogui >/dev/null
  exit 0
fi
echo "Workbook tests need LibreOffice Calc (soffice): run" \
  "'sudo apt-get install libreoffice-calc-nogui'." >&2
exit 1
