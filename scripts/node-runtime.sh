#!/usr/bin/env bash
# scripts/node-runtime.sh MAJOR [DIR]: installs the newest Node.js MAJOR.x from the npm registry
# (the node-<platform>-<arch> package, which holds the release's bin/node and include/node
# headers) under DIR (default .ci-node/nodeMAJOR/runtime) and prints the folder that holds
# bin/ and include/ — the --nodedir for node-gyp. Only the npm registry is needed.
set -euo pipefail
major=$1
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${2:-$root/.ci-node/node$major/runtime}
pkg=node-$(node -p 'process.platform')-$(node -p 'process.arch')
nodedir=$dir/node_modules/$pkg
if [ ! -x "$nodedir/bin/node" ] || [ "$("$nodedir/bin/node" -p 'process.versions.node.split(".")[0]')" != "$major" ]; then
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "$pkg@$major" >&2
fi
[ -f "$nodedir/include/node/node_api.h" ] || { echo "node-runtime: $pkg@$major has no headers in $nodedir/include/node" >&2; exit 1; }
echo "$nodedir"
