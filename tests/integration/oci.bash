# Shared by the oci-*.bats files: bundles made from Debian's busybox-static,
# a state root of the test's own, and nook-oci run with it.
: "${NOOK_OCI:=$(dirname "$NOOK")/nook-oci}"

oci_setup() {
  use_private_state
  require "busybox-static is installed" test -x /bin/busybox
  OCI_ROOT="$XDG_RUNTIME_DIR/oci-root"
  BUNDLE="$BATS_TEST_TMPDIR/bundle"
  CTR_LOG="$BATS_TEST_TMPDIR/container.log"
  make_bundle "$BUNDLE"
}

# Deletes every container the test left, then their processes are gone.
oci_teardown() {
  local id
  [ -d "${OCI_ROOT:-/nonexistent}" ] || return 0
  for id in $(ls "$OCI_ROOT"); do
    "$NOOK_OCI" --root "$OCI_ROOT" delete --force "$id" >/dev/null 2>&1
  done
  true
}

# nook-oci with the test's root, stdin closed.
oci() { "$NOOK_OCI" --root "$OCI_ROOT" "$@" </dev/null; }

# The same for create and run -d: the container inherits the runtime's
# stdout and stderr, as an engine's pipes, so they go to a file ($CTR_LOG)
# rather than to the pipe `run` reads to its end.
ocid() { "$NOOK_OCI" --root "$OCI_ROOT" "$@" </dev/null >>"$CTR_LOG" 2>&1; }

# A bundle: a busybox root (read-only), `nook-oci spec`'s config without a
# terminal, the command set by set_args, /out bound read-write from $DIR/out.
make_bundle() { # DIR
  local dir=$1 app
  mkdir -p "$dir/rootfs/bin" "$dir/rootfs/proc" "$dir/rootfs/dev" "$dir/rootfs/sys" "$dir/rootfs/tmp" \
    "$dir/rootfs/etc" "$dir/rootfs/out" "$dir/out"
  cp /bin/busybox "$dir/rootfs/bin/"
  for app in $(/bin/busybox --list); do
    [ "$app" = busybox ] || ln -sf busybox "$dir/rootfs/bin/$app"
  done
  (cd "$dir" && "$NOOK_OCI" spec)
  set_config "$dir" '.process.terminal = false
    | .mounts += [{"destination": "/out", "type": "bind", "source": "'"$dir/out"'", "options": ["rbind", "rw"]}]'
}

# Applies a jq filter to the bundle's config.json.
set_config() { # DIR JQ-FILTER
  jq "$2" "$1/config.json" >"$1/config.json.new" && mv "$1/config.json.new" "$1/config.json"
}

# The command of the bundle: set_args DIR ARG...
set_args() {
  local dir=$1
  shift
  set_config "$dir" ".process.args = $(jq -cn '$ARGS.positional' --args -- "$@")"
}

# A field of `nook-oci state ID`.
state_of() { # ID FIELD
  oci state "$1" | jq -r ".$2"
}

status_is() { [ "$(state_of "$1" status)" = "$2" ]; }

# PID has ended: no such process, or one its parent has still to reap (the
# container's init is handed to whoever reaps orphans here).
gone() { [ ! -e "/proc/$1" ] || grep -q '^State:[[:space:]]*Z' "/proc/$1/status"; }
