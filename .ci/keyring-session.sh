# shellcheck shell=bash
# Source this INSIDE a D-Bus session to get a real, unlocked Secret Service
# (gnome-keyring) for the secret-store tests:
#
#   dbus-run-session -- bash -c '. .ci/keyring-session.sh && npm test'
#
# The keyring daemon gets its own throwaway HOME/XDG dirs, so it never touches
# the user's keyrings; the calling shell's HOME is left alone (npm keeps its
# cache and config). Needs: dbus (dbus-run-session, dbus-send), gnome-keyring.

if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
  echo "keyring-session.sh: no D-Bus session; run it as: dbus-run-session -- bash -c '. .ci/keyring-session.sh && npm test'" >&2
  return 1 2>/dev/null || exit 1
fi
if ! command -v gnome-keyring-daemon >/dev/null 2>&1; then
  echo "keyring-session.sh: gnome-keyring-daemon not found (apt-get install gnome-keyring)" >&2
  return 1 2>/dev/null || exit 1
fi

SOCIALYNC_KEYRING_TMP="$(mktemp -d "${TMPDIR:-/tmp}/socialync-keyring.XXXXXX")"
mkdir -p "$SOCIALYNC_KEYRING_TMP/data" "$SOCIALYNC_KEYRING_TMP/run"
chmod 700 "$SOCIALYNC_KEYRING_TMP" "$SOCIALYNC_KEYRING_TMP/run"
trap 'rm -rf "$SOCIALYNC_KEYRING_TMP"' EXIT

# --unlock reads the login keyring password from stdin (creating the keyring with
# it on first start), so the collection is unlocked and nothing ever prompts.
# DISPLAY/WAYLAND_DISPLAY are cleared so an unexpected prompt fails instead of waiting.
eval "$(printf '%s' 'socialync-ci' | env -u DISPLAY -u WAYLAND_DISPLAY \
  HOME="$SOCIALYNC_KEYRING_TMP" XDG_DATA_HOME="$SOCIALYNC_KEYRING_TMP/data" \
  XDG_RUNTIME_DIR="$SOCIALYNC_KEYRING_TMP/run" XDG_CONFIG_HOME="$SOCIALYNC_KEYRING_TMP/config" \
  XDG_CACHE_HOME="$SOCIALYNC_KEYRING_TMP/cache" \
  gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL

# Wait (max ~5 s) until the daemon owns org.freedesktop.secrets on this bus.
for _ in $(seq 1 50); do
  if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; then
    export SOCIALYNC_TEST_SECRET_SERVICE=1
    break
  fi
  sleep 0.1
done
if [ "${SOCIALYNC_TEST_SECRET_SERVICE:-}" != 1 ]; then
  echo "keyring-session.sh: gnome-keyring did not register org.freedesktop.secrets" >&2
  return 1 2>/dev/null || exit 1
fi
