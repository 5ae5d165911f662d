#!/usr/bin/env bash
# `npm test`: build, then run vitest. When dbus-run-session and
# gnome-keyring-daemon exist, the run happens inside a private D-Bus session
# with its own throwaway GNOME Keyring, so the keychain tests use a real
# Secret Service and never touch the user's own keychain.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build --silent
# SOCIALYNC_TEST_TYPECHECK=0 skips the typecheck (scripts/test-node.sh: it does not depend on Node's version).
[ "${SOCIALYNC_TEST_TYPECHECK:-1}" = 0 ] || npm run typecheck --silent
if command -v dbus-run-session >/dev/null 2>&1 && command -v gnome-keyring-daemon >/dev/null 2>&1; then
  exec dbus-run-session -- bash -c '. .ci/keyring-session.sh && npx vitest run "$@"' vitest "$@"
fi
echo "note: dbus-run-session or gnome-keyring-daemon missing: keychain tests will be skipped (any non-empty CI makes them fail)" >&2
exec npx vitest run "$@"
