#!/usr/bin/env bash
# The single sign-on tests log in through a real OpenID Connect provider (oauth2-mock-server)
# started on loopback. Install it from tests/sso/provider's lock file (exact versions, integrity
# hashes) into .cache/oidc, again only when the lock changed. Needs Node.js 20+ and npm.
set -euo pipefail
cd "$(dirname "$0")/.."
source_dir=tests/sso/provider
target=.cache/oidc
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "The single sign-on tests need Node.js 20 or later with npm (apt-get install nodejs npm)." >&2
  exit 1
fi
if [ -d "$target/node_modules" ] && cmp -s "$source_dir/package-lock.json" "$target/package-lock.json"; then
  exit 0
fi
echo "Installing the OpenID Connect test provider into $target ..."
mkdir -p "$target"
rm -rf "$target/node_modules"
cp "$source_dir/package.json" "$source_dir/package-lock.json" "$target/"
# --ignore-scripts: nothing from the registry runs at install time.
(cd "$target" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
