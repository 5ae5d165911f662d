#!/usr/bin/env bash
# scripts/test-node.sh [--prepare-only] MAJOR [vitest args]: runs the e2e and integration tests (default:
# test/e2e test/integration: the built binary, and the commands in-process) on Node.js
# MAJOR (22, 24, ...), taken from the npm registry by scripts/node-runtime.sh, in a copy of the
# project under .ci-node/nodeMAJOR/app whose node_modules hard-links this one's except
# better-sqlite3: that one is copied and rebuilt from source for MAJOR's ABI with node-gyp
# and the package's own headers (no download from nodejs.org or GitHub). The copy is kept, so
# a second run only refreshes the project files. --prepare-only stops before the tests (.ci/run
# prepares 22 and 24 side by side: the addon build is one long single-threaded compile).
set -euo pipefail
prepare_only=false
if [ "${1:-}" = --prepare-only ]; then prepare_only=true; shift; fi
major=$1
shift
root=$(cd "$(dirname "$0")/.." && pwd)
work=$root/.ci-node/node$major
nodedir=$(bash "$root/scripts/node-runtime.sh" "$major" "$work/runtime")
app=$work/app
modules=$(readlink -f "$root/node_modules")

# The project files (this checkout without .git, node_modules and dist: scripts/test.sh builds it).
mkdir -p "$app"
tar -C "$root" --exclude=./.git --exclude=./node_modules --exclude=./.ci-node --exclude=./dist -cf - . | tar -C "$app" -xf -
# node_modules is made again when the lock file changed since it was made.
lock=$(sha1sum "$root/package-lock.json" | cut -d' ' -f1)
[ "$(cat "$work/lock.sha1" 2>/dev/null)" = "$lock" ] || rm -rf "$app/node_modules"
if [ ! -d "$app/node_modules" ]; then
  cp -al "$modules" "$app/node_modules" 2>/dev/null || cp -a "$modules" "$app/node_modules"
  rm -rf "$app/node_modules/better-sqlite3"
  cp -a "$modules/better-sqlite3" "$app/node_modules/better-sqlite3"
  rm -rf "$app/node_modules/better-sqlite3/build"
  echo "$lock" >"$work/lock.sha1"
fi

host_node=$(command -v node)
export PATH=$nodedir/bin:$PATH
addon=$app/node_modules/better-sqlite3/build/Release/better_sqlite3.node
if ! (cd "$app" && node -e 'require("better-sqlite3")(":memory:")' 2>/dev/null); then
  echo "test-node: building the SQLite addon for $(node --version) (node-gyp, headers from $nodedir)"
  # build_from_source: better-sqlite3's install script skips prebuild-install's download.
  (cd "$app" && npm_config_nodedir=$nodedir npm_config_build_from_source=true npm rebuild better-sqlite3 --loglevel=error)
  [ -f "$addon" ] || { echo "test-node: the addon was not built for $(node --version)" >&2; exit 1; }
fi

$prepare_only && exit 0
echo "test-node: e2e and integration tests on $(node --version)"
cd "$app"
# The Node.js this script started with is the one the addon was NOT built for: the refusal
# test (test/e2e/node-abi.test.ts) runs the CLI with it.
export SOCIALYNC_FOREIGN_NODE=$host_node
if [ $# -eq 0 ]; then set -- test/e2e test/integration; fi
SOCIALYNC_TEST_TYPECHECK=0 bash scripts/test.sh "$@"
