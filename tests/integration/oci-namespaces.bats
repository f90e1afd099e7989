#!/usr/bin/env bats
# linux.namespaces with paths for user, mount and cgroup, and
# linux.rootfsPropagation: each observed from inside the container.

bats_require_minimum_version 1.5.0
load "$NOOK_TESTS/lib.sh"
load "$NOOK_TESTS/integration/oci.bash"

setup() {
  oci_setup
  HOLDER=
}
teardown() {
  oci_teardown
  [ -z "$HOLDER" ] || kill "$HOLDER" 2>/dev/null
  true
}

# A process in a user, mount and cgroup namespace of its own, as another
# container (or a pod's infra process) would hold them: HOLDER.
start_holder() {
  require "unshare(1) is installed" command -v unshare
  unshare --user --map-root-user --mount --cgroup sleep 1000 </dev/null >/dev/null 2>&1 &
  HOLDER=$!
  wait_until 10 sh -c '[ "$(readlink /proc/'"$HOLDER"'/ns/mnt)" != "$(readlink /proc/self/ns/mnt)" ]'
}

# The bundle's namespaces: TYPE=PATH ... get a path; the rest stay new.
ns_paths() {
  local kv filter='.'
  for kv in "$@"; do
    filter="$filter | .linux.namespaces |= (map(select(.type != \"${kv%%=*}\")) + [{\"type\": \"${kv%%=*}\", \"path\": \"${kv#*=}\"}])"
  done
  set_config "$BUNDLE" "$filter"
}

@test "user, mount and cgroup namespaces given by path are joined, with no map written" {
  start_holder
  ns_paths user=/proc/$HOLDER/ns/user mount=/proc/$HOLDER/ns/mnt cgroup=/proc/$HOLDER/ns/cgroup
  set_args "$BUNDLE" sh -c 'for n in user mnt cgroup; do readlink /proc/self/ns/$n; done; cat /proc/self/uid_map | tr -s " "; id -u; ls /out >/dev/null && echo root-ok; exec sleep 1000'
  ocid run -d --bundle "$BUNDLE" j1
  wait_until 10 grep -q root-ok "$CTR_LOG"
  run cat "$CTR_LOG"
  [ "${lines[0]}" = "$(readlink /proc/$HOLDER/ns/user)" ]
  [ "${lines[1]}" = "$(readlink /proc/$HOLDER/ns/mnt)" ]
  [ "${lines[2]}" = "$(readlink /proc/$HOLDER/ns/cgroup)" ]
  # The holder's map (written by unshare), none of nook's own.
  [ "${lines[3]}" = " 0 $(id -u) 1" ]
  [ "${lines[4]}" = 0 ]
  # The container's root was composed in that mount namespace (which
  # it has made its own, as with runc).
  [ "${lines[5]}" = root-ok ]
  # exec enters the same namespaces.
  run oci exec j1 sh -c 'for n in user mnt; do readlink /proc/self/ns/$n; done'
  assert_status 0
  [ "${lines[0]}" = "$(readlink /proc/$HOLDER/ns/user)" ]
  [ "${lines[1]}" = "$(readlink /proc/$HOLDER/ns/mnt)" ]
}

@test "a namespace path of the wrong type is refused, and nothing is left" {
  start_holder
  ns_paths user=/proc/$HOLDER/ns/user mount=/proc/$HOLDER/ns/net
  set_args "$BUNDLE" sleep 4251
  run oci create --bundle "$BUNDLE" j2
  [ "$status" -ne 0 ]
  assert_output_has "is no mount namespace"
  [ ! -e "$OCI_ROOT/j2" ]
  ns_paths user=/proc/$HOLDER/ns/mnt
  run oci create --bundle "$BUNDLE" j2
  [ "$status" -ne 0 ]
  assert_output_has "is no user namespace"
  [ ! -e "$OCI_ROOT/j2" ]
  run pgrep -u "$(id -u)" -f "sleep 425[1]"
  [ "$status" -ne 0 ]
}

@test "a mount namespace path without its user namespace is refused with a hint" {
  start_holder
  ns_paths mount=/proc/$HOLDER/ns/mnt
  set_args "$BUNDLE" true
  run oci run --bundle "$BUNDLE" j3
  [ "$status" -ne 0 ]
  assert_output_has "user namespace that owns it"
  assert_output_has "Hint:"
  [ ! -e "$OCI_ROOT/j3" ]
}

# The optional fields of the root's line in the container's mountinfo.
root_propagation() { # ROOTFS-PROPAGATION or "" for none
  if [ -n "$1" ]; then
    set_config "$BUNDLE" ".linux.rootfsPropagation = \"$1\""
  else
    set_config "$BUNDLE" 'del(.linux.rootfsPropagation)'
  fi
  set_args "$BUNDLE" awk '$5 == "/" { o = ""; for (i = 7; $i != "-"; i++) o = o " " $i; print "opt:" o }' /proc/self/mountinfo
  run oci run --bundle "$BUNDLE" "p$BATS_TEST_NUMBER"
  assert_status 0
}

@test "linux.rootfsPropagation: shared, unbindable, private are the root's in the container" {
  root_propagation rshared
  [[ "$output" == "opt: shared:"* ]]
  root_propagation unbindable
  [ "$output" = "opt: unbindable" ]
  root_propagation private
  [ "$output" = "opt:" ]
  root_propagation ""
  [ "$output" = "opt:" ]
}

@test "linux.rootfsPropagation slave: the root stays a slave of the mount it came from" {
  require "unshare(1) is installed" command -v unshare
  mkdir "$BATS_TEST_TMPDIR/shared"
  set_config "$BUNDLE" ".root.path = \"$BATS_TEST_TMPDIR/shared/rootfs\""
  set_args "$BUNDLE" awk '$5 == "/" { o = ""; for (i = 7; $i != "-"; i++) o = o " " $i; print "opt:" o }' /proc/self/mountinfo
  export NOOK_OCI OCI_ROOT
  # The root's file system is a shared mount (as / is on most hosts),
  # made in a mount namespace of the test's own.
  run unshare -rm --propagation unchanged bash -c '
    mount -t tmpfs tmpfs "$1" && mount --make-shared "$1" && cp -a "$2" "$1/rootfs" || exit 99
    for p in rslave rprivate; do
      jq ".linux.rootfsPropagation = \"$p\"" "$3/config.json" >"$3/c.new" && mv "$3/c.new" "$3/config.json"
      "$NOOK_OCI" --root "$OCI_ROOT" run --bundle "$3" "s$p" </dev/null || exit
    done' sh "$BATS_TEST_TMPDIR/shared" "$BUNDLE/rootfs" "$BUNDLE"
  assert_status 0
  [[ "${lines[0]}" == "opt: master:"* ]]
  [ "${lines[1]}" = "opt:" ]
}

@test "linux.rootfsPropagation: an unknown value is refused" {
  set_config "$BUNDLE" '.linux.rootfsPropagation = "sideways"'
  set_args "$BUNDLE" true
  run oci run --bundle "$BUNDLE" pbad
  [ "$status" -ne 0 ]
  assert_output_has "rootfsPropagation"
  [ ! -e "$OCI_ROOT/pbad" ]
}
