#!/usr/bin/env bash
# The customer responsibility matrix's PDF is laid out by WeasyPrint, which needs Debian's Pango
# and a font: DejaVu (fonts-dejavu-core), named by the PDF's stylesheet. Install them when missing
# and we may. Otherwise: with --optional (bin/run) say what to install and go on, as only the
# PDF download needs them; without it (bin/test) stop with the reason rather than skip.
set -euo pipefail
optional="${1:-}"
have() {
  ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' &&
    command -v fc-list >/dev/null && fc-list 2>/dev/null | grep -q 'DejaVu Sans'
}
have && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's Pango and DejaVu fonts for the PDF exports ..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    libpango-1.0-0 libpangoft2-1.0-0 fontconfig fonts-dejavu-core >/dev/null
  exit 0
fi
message="PDF exports need Pango and the DejaVu fonts: run 'sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 fontconfig fonts-dejavu-core'."
if [ "$optional" = "--optional" ]; then
  echo "Note: $message" >&2
  exit 0
fi
echo "$message" >&2
exit 1
