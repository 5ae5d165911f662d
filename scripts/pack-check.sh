#!/usr/bin/env bash
# Packaging smoke check: `npm pack`, then `npm install -g` of that tarball into
# a throwaway prefix (no dev dependencies), then run the installed binary:
# --version and the sandbox demo must work.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tarball=$(npm pack --silent --pack-destination "$work" | tail -n 1)
echo "pack-check: installing $tarball"
(cd "$work" && npm install -g --prefix "$work/prefix" --allow-scripts=better-sqlite3 --no-audit --no-fund "$work/$tarball" >/dev/null)
bin="$work/prefix/bin/socialync"
[ "$("$bin" --version)" = "$(node -p 'require("./package.json").version')" ] || { echo "pack-check: wrong --version" >&2; exit 1; }
(cd "$work" && "$bin" sandbox demo --dir "$work/demo" --json >"$work/status.json")
node -e '
const fs = require("fs");
const s = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
// Every platform of src/providers/types.ts, each connected once and healthy.
const all = JSON.parse(/export const PLATFORMS = (\[[^\]]*\])/.exec(fs.readFileSync("src/providers/types.ts", "utf8"))[1].replace(/'"'"'/g, "\""));
const got = s.filter((e) => e.health === "healthy").map((e) => e.platform).sort().join();
if (s.length !== all.length || got !== [...all].sort().join()) { console.error(`pack-check: demo status shows ${s.map((e) => e.platform + " " + e.health).join(", ")}; expected every platform healthy: ${all.join(", ")}`); process.exit(1); }
' "$work/status.json"
# The installed status and schedule list (dist/commands/, each finds its own SQLite addon) on that profile.
SOCIALYNC_HOME="$work/demo" "$bin" status --json >"$work/status2.json"
node -e '
const [a, b] = process.argv.slice(1).map((f) => JSON.parse(require("fs").readFileSync(f, "utf8")).map((e) => `${e.platform}/${e.name} ${e.health}`).join());
if (a !== b) { console.error(`pack-check: status shows ${b}, the demo showed ${a}`); process.exit(1); }
' "$work/status.json" "$work/status2.json"
[ "$(SOCIALYNC_HOME="$work/demo" "$bin" schedule list --status published | wc -l)" -ge 1 ] || { echo "pack-check: schedule list shows no post" >&2; exit 1; }
echo "pack-check: installed tarball works (--version, sandbox demo: every platform connected and healthy, status, schedule list)"
