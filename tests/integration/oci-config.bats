#!/usr/bin/env bats
# config.json's fields, each observed from inside the container.

bats_require_minimum_version 1.5.0
load "$NOOK_TESTS/lib.sh"
load "$NOOK_TESTS/integration/oci.bash"

setup() { oci_setup; }
teardown() { oci_teardown; }

# Runs the bundle in the foreground with COMMAND as its process.
run_in() { # SHELL-COMMAND
  set_args "$BUNDLE" sh -c "$1"
  run oci run --bundle "$BUNDLE" "t$BATS_TEST_NUMBER"
}

@test "process: args, env exactly as given, cwd, hostname and domainname" {
  set_config "$BUNDLE" '.process.env = ["A=1", "PATH=/bin"] | .process.cwd = "/tmp" | .hostname = "box" | .domainname = "dom"'
  run_in 'env | grep -v -e ^PWD= -e ^SHLVL= | sort | tr "\n" " "; echo; pwd; hostname; cat /proc/sys/kernel/domainname'
  assert_status 0
  [ "${lines[0]}" = "A=1 PATH=/bin " ]
  [ "${lines[1]}" = /tmp ]
  [ "${lines[2]}" = box ]
  [ "${lines[3]}" = dom ]
}

@test "process.user: uid and gid inside; rootless, the caller is mapped to them" {
  set_config "$BUNDLE" '.process.user = {"uid": 1000, "gid": 1000}'
  run_in 'id -u; id -g; cat /proc/self/uid_map'
  assert_status 0
  [ "${lines[0]}" = 1000 ]
  [ "${lines[1]}" = 1000 ]
  [ "$(echo "${lines[2]}" | tr -s ' ')" = " 1000 $(id -u) 1" ]
}

@test "uidMappings and gidMappings with ranges go through newuidmap; additionalGids are set" {
  require "newuidmap is installed" command -v newuidmap
  require "a subordinate range for the test user" grep -q "^$(id -un):" /etc/subuid
  start=$(grep "^$(id -un):" /etc/subuid | head -1 | cut -d: -f2)
  gstart=$(grep "^$(id -un):" /etc/subgid | head -1 | cut -d: -f2)
  set_config "$BUNDLE" '.linux.namespaces += [{"type": "user"}]
    | .linux.uidMappings = [{"containerID": 0, "hostID": '"$(id -u)"', "size": 1}, {"containerID": 1, "hostID": '"$start"', "size": 1000}]
    | .linux.gidMappings = [{"containerID": 0, "hostID": '"$(id -g)"', "size": 1}, {"containerID": 1, "hostID": '"$gstart"', "size": 1000}]
    | .process.user = {"uid": 0, "gid": 0, "additionalGids": [5, 7]}'
  run_in 'cat /proc/self/uid_map | tr -s " " | tr "\n" ";"; echo; id -G'
  assert_status 0
  [ "${lines[0]}" = " 0 $(id -u) 1; 1 $start 1000;" ]
  [ "${lines[1]}" = "0 5 7" ]
}

@test "uidMappings and gidMappings of more than 4 extents: all of them are the container's" {
  require "newuidmap is installed" command -v newuidmap
  require "a subordinate range of 60 ids for the test user" \
    awk -F: -v u="$(id -un)" '$1 == u && $3 >= 60 { f = 1 } END { exit !f }' /etc/subuid
  start=$(grep "^$(id -un):" /etc/subuid | head -1 | cut -d: -f2)
  gstart=$(grep "^$(id -un):" /etc/subgid | head -1 | cut -d: -f2)
  # 0 is the caller; 1, 100, 200, ... ten ids each from the range.
  maps() { # FIRST-HOST-ID SELF
    local i m='{"containerID": 0, "hostID": '"$2"', "size": 1}'
    for i in 0 1 2 3 4 5; do
      m="$m, {\"containerID\": $((i * 100 + 1)), \"hostID\": $(($1 + i * 10)), \"size\": 10}"
    done
    echo "[$m]"
  }
  set_config "$BUNDLE" '.linux.namespaces += [{"type": "user"}]
    | .linux.uidMappings = '"$(maps "$start" "$(id -u)")"' | .linux.gidMappings = '"$(maps "$gstart" "$(id -g)")"
  run_in 'wc -l < /proc/self/uid_map; wc -l < /proc/self/gid_map; grep -c "^ *501 " /proc/self/uid_map'
  assert_status 0
  [ "${lines[0]}" = 7 ]
  [ "${lines[1]}" = 7 ]
  [ "${lines[2]}" = 1 ]
}

@test "uidMappings of more extents than the kernel maps are refused" {
  set_config "$BUNDLE" '.linux.namespaces += [{"type": "user"}]
    | .linux.uidMappings = [range(341) | {"containerID": ., "hostID": ., "size": 1}]
    | .linux.gidMappings = [{"containerID": 0, "hostID": 0, "size": 1}]'
  run_in true
  [ "$status" -ne 0 ]
  assert_output_has "uidMappings"
  assert_output_has "340"
}

@test "capabilities: the config's sets, nothing more" {
  set_config "$BUNDLE" '.process.capabilities = {"bounding": ["CAP_KILL", "CAP_CHOWN"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]}'
  run_in 'grep -E "^Cap(Eff|Bnd)" /proc/self/status'
  assert_status 0
  assert_output_has "CapEff:	0000000000000020"
  set_config "$BUNDLE" 'del(.process.capabilities)'
  run_in 'grep "^CapEff" /proc/self/status'
  assert_output_has "CapEff:	0000000000000000"
}

@test "rlimits, noNewPrivileges and oomScoreAdj reach the process" {
  set_config "$BUNDLE" '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 123, "hard": 456}] | .process.oomScoreAdj = 321'
  run_in 'ulimit -n; ulimit -Hn; grep NoNewPrivs /proc/self/status; cat /proc/self/oom_score_adj'
  assert_status 0
  [ "${lines[0]}" = 123 ]
  [ "${lines[1]}" = 456 ]
  assert_output_has "NoNewPrivs:	1"
  [ "${lines[3]}" = 321 ]
}

@test "mounts: bind read-only and read-write, tmpfs with size and mode, mqueue, sysfs read-only" {
  mkdir "$BATS_TEST_TMPDIR/ro" && echo data >"$BATS_TEST_TMPDIR/ro/f"
  mkdir -p "$BUNDLE/rootfs/ro" "$BUNDLE/rootfs/scratch"
  set_config "$BUNDLE" '.mounts += [{"destination": "/ro", "type": "bind", "source": "'"$BATS_TEST_TMPDIR/ro"'", "options": ["bind", "ro"]},
    {"destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m", "mode=0700"]}]'
  run_in 'cat /ro/f; touch /ro/g 2>/dev/null && echo ro-writable; touch /out/w && echo out-ok;
    stat -c %a /scratch; df -k /scratch | tail -1 | tr -s " " | cut -d" " -f2; grep -c " /dev/mqueue " /proc/self/mountinfo;
    touch /sys/x 2>/dev/null || echo sys-ro'
  assert_status 0
  [ "${lines[0]}" = data ]
  [ "${lines[1]}" = out-ok ]
  [ "${lines[2]}" = 700 ]
  [ "${lines[3]}" = 1024 ]
  [ "${lines[4]}" = 1 ]
  [ "${lines[5]}" = sys-ro ]
  [ -e "$BUNDLE/out/w" ]
  [ ! -e "$BATS_TEST_TMPDIR/ro/g" ]
}

@test "root.readonly: a read-only root unless false" {
  run_in 'touch /etc/x 2>/dev/null && echo writable || echo read-only'
  [ "$output" = read-only ]
  set_config "$BUNDLE" '.root.readonly = false'
  run_in 'touch /etc/x && echo writable'
  [ "$output" = writable ]
  [ -e "$BUNDLE/rootfs/etc/x" ]
}

@test "maskedPaths hide a file and a directory; readonlyPaths are read-only" {
  set_config "$BUNDLE" '.linux.maskedPaths = ["/out/secret", "/out/sub", "/nonexistent"] | .linux.readonlyPaths = ["/proc/sys", "/nonexistent"]'
  echo secret >"$BUNDLE/out/secret"
  mkdir "$BUNDLE/out/sub" && echo x >"$BUNDLE/out/sub/file"
  run_in 'cat /out/secret | wc -c; ls /out/sub | wc -l; { echo 1 > /proc/sys/net/ipv4/ip_forward; } 2>/dev/null || echo sys-ro'
  assert_status 0
  [ "${lines[0]}" = 0 ]
  [ "${lines[1]}" = 0 ]
  [ "${lines[2]}" = sys-ro ]
}

@test "sysctl writes the container's own namespaced values" {
  set_config "$BUNDLE" '.linux.sysctl = {"net.ipv4.ip_unprivileged_port_start": "80"}'
  run_in 'cat /proc/sys/net/ipv4/ip_unprivileged_port_start'
  assert_status 0
  [ "$output" = 80 ]
  # The container's own network namespace: the host's value is untouched.
  [ "$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)" = 1024 ]
}

@test "namespaces not listed are the host's; listed ones are new" {
  set_config "$BUNDLE" '.linux.namespaces = [{"type": "pid"}, {"type": "mount"}] | del(.hostname)'
  run_in 'readlink /proc/self/ns/net; readlink /proc/self/ns/uts; readlink /proc/self/ns/pid'
  assert_status 0
  [ "${lines[0]}" = "$(readlink /proc/self/ns/net)" ]
  [ "${lines[1]}" = "$(readlink /proc/self/ns/uts)" ]
  [ "${lines[2]}" != "$(readlink /proc/self/ns/pid)" ]
}

@test "the OCI seccomp section is compiled and loaded: a denied call fails with its errno" {
  set_config "$BUNDLE" '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
    "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}'
  run_in 'grep "^Seccomp:" /proc/self/status; mkdir /tmp/d 2>&1; echo rc=$?'
  assert_output_has "Seccomp:	2"
  assert_output_has "Operation not permitted"
  assert_output_has "rc=1"
}

@test "without a seccomp section the container runs under nook's default policy" {
  run_in 'grep "^Seccomp:" /proc/self/status'
  assert_status 0
  assert_output_has "Seccomp:	2"
}

@test "personality LINUX32 is the process' execution domain" {
  set_config "$BUNDLE" '.linux.personality = {"domain": "LINUX32"}'
  run_in 'uname -m'
  assert_status 0
  [ "$output" = i686 ]
}

@test "devices are bound from the host; apparmor and selinux are ignored with a log line" {
  set_config "$BUNDLE" '.linux.devices = [{"path": "/dev/null", "type": "c", "major": 1, "minor": 3}, {"path": "/dev/tty0", "type": "c", "major": 4, "minor": 0}]
    | .process.apparmorProfile = "x" | .process.selinuxLabel = "y"'
  require "the host has /dev/tty0" test -e /dev/tty0
  set_args "$BUNDLE" sh -c 'test -c /dev/tty0 && echo dev-ok'
  run oci --log "$BATS_TEST_TMPDIR/log" --log-level info run --bundle "$BUNDLE" dv
  assert_status 0
  assert_output_has dev-ok
  grep -q apparmorProfile "$BATS_TEST_TMPDIR/log"
  grep -q selinuxLabel "$BATS_TEST_TMPDIR/log"
}

@test "linux.resources on a host without delegated cgroups: the container runs, with a warning in the log" {
  set_config "$BUNDLE" '.linux.resources = {"memory": {"limit": 104857600}, "pids": {"limit": 100}}'
  set_args "$BUNDLE" echo ran
  run oci --log "$BATS_TEST_TMPDIR/log" --log-format json run --bundle "$BUNDLE" rs
  assert_status 0
  assert_output_has ran
  jq -e 'select(.level == "warning") | .msg | test("cgroup")' "$BATS_TEST_TMPDIR/log"
}

@test "a namespace path is joined; as root of a user namespace its own ids are mapped as themselves" {
  require "unshare(1) is installed" command -v unshare
  set_args "$BUNDLE" sh -c 'cat /proc/self/uid_map | tr -s " "; readlink /proc/self/ns/net; cat /proc/sys/net/ipv4/ping_group_range'
  # podman's sysctl for the network namespace it made: written by the
  # runtime, which is privileged there, not by the container.
  set_config "$BUNDLE" '.linux.sysctl = {"net.ipv4.ping_group_range": "0 0"}'
  export -f set_config
  export BUNDLE NOOK_OCI OCI_ROOT
  # rootless podman's setting: the runtime is root of a user namespace
  # that holds the network namespace the config names.
  run unshare -r bash -c 'unshare -n sleep 1000 & p=$!
    until [ "$(readlink /proc/$p/ns/net)" != "$(readlink /proc/self/ns/net)" ]; do sleep 0.05; done
    readlink /proc/$p/ns/net
    set_config "$BUNDLE" ".linux.namespaces |= map(if .type == \"network\" then .path = \"/proc/$p/ns/net\" else . end)"
    "$NOOK_OCI" --root "$OCI_ROOT" run --bundle "$BUNDLE" nsp </dev/null; s=$?; kill $p; exit $s'
  assert_status 0
  [ "${lines[1]}" = " 0 0 1" ]
  [ "${lines[2]}" = "${lines[0]}" ]
  [ "$(echo "${lines[3]}" | tr -s "\t " " ")" = "0 0" ]
}
