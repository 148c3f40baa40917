#!/usr/bin/env bash
# The one way a runnable server is made, used by the Dockerfile and by the packaged-install test:
# build, pack the package as npm would publish it, and install that tarball with production
# dependencies only into OUTDIR. Run the result with `node OUTDIR/node_modules/.bin/linkaja-pay serve`.
#
#   scripts/release-build.sh OUTDIR
#
# LINKAJA_REUSE_NATIVE_FROM=<a node_modules folder with better-sqlite3 already compiled> skips
# compiling the SQLite addon again (about a minute on two cores): the test sets it to the checkout's
# own node_modules, same package version on the same machine. The Dockerfile compiles it.
set -euo pipefail
out=${1:?usage: scripts/release-build.sh OUTDIR}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)

cd "$root"
if [ "${LINKAJA_SKIP_BUILD:-0}" != 1 ]; then npm run build; fi
tarball=$(npm pack --ignore-scripts --silent --pack-destination "$out" | tail -n 1)

cd "$out"
cat > package.json <<JSON
{
  "name": "linkaja-pay-server",
  "private": true,
  "type": "module",
  "dependencies": { "linkaja-pay": "file:./$tarball" }
}
JSON
install=(npm install --omit=dev --no-audit --no-fund --prefer-offline --loglevel=error)
if [ -n "${LINKAJA_REUSE_NATIVE_FROM:-}" ]; then
  "${install[@]}" --ignore-scripts
  cp -R "$LINKAJA_REUSE_NATIVE_FROM/better-sqlite3/build" node_modules/better-sqlite3/
else
  "${install[@]}"
fi
echo "release-build: $out (from $tarball)"
