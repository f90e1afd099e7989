#!/usr/bin/env bats
# Resource limits on a host whose cgroup v2 tree has no controllers (hybrid
# or v1 mode, as the machines here): every limit is refused, clearly,
# before anything is created.  Enforcement is tested in a VM (tests/vm/).

load "$NOOK_TESTS/lib.sh"

setup() {
  cd "$BATS_TEST_TMPDIR"
  mode=$(stat -f -c %T /sys/fs/cgroup)
  require "a hybrid or v1 cgroup host (on unified cgroup v2, the VM suite tests limits)" test "$mode" != cgroup2fs
}

# Every cgroup directory this user owns: nook must not create one.
own_cgroups() { find /sys/fs/cgroup -maxdepth 6 -type d -user "$(id -u)" 2>/dev/null | sort; }

check_refused() { # OPTION... -- CONTROLLER
  local ctl=${*: -1} before
  before=$(own_cgroups)
  run nook run "${@:1:$#-2}" -- sh -c 'echo RAN'
  assert_status 125
  assert_one_error_line
  assert_output_lacks RAN
  assert_output_has "nook: $1 needs the $ctl controller delegated to you (cgroup v2), but this host "
  assert_output_has 'see `nook check`'
  [ "$(own_cgroups)" = "$before" ]
}

@test "--memory is refused on a hybrid host, naming the memory controller" {
  check_refused --memory 10m -- memory
}

@test "--memory-swap is refused on a hybrid host, naming the memory controller" {
  check_refused --memory-swap 0 -- memory
}

@test "--memory-high is refused on a hybrid host, naming the memory controller" {
  check_refused --memory-high 64m -- memory
}

@test "--cpus is refused on a hybrid host, naming the cpu controller" {
  check_refused --cpus 0.5 -- cpu
}

@test "--cpu-weight is refused on a hybrid host, naming the cpu controller" {
  check_refused --cpu-weight 512 -- cpu
}

@test "--pids-limit is refused on a hybrid host, naming the pids controller" {
  check_refused --pids-limit 64 -- pids
}

@test "--io-weight is refused on a hybrid host, naming the io controller" {
  check_refused --io-weight 100 -- io
}

@test "--device-read-bps and --device-write-bps are refused on a hybrid host, naming the io controller" {
  dev=$(find /dev -maxdepth 1 -type b | head -1)
  require "a block device in /dev" test -n "$dev"
  check_refused --device-read-bps "$dev:1m" -- io
  check_refused --device-write-bps "$dev:1m" -- io
}

@test "--cpuset-cpus is refused on a hybrid host, naming the cpuset controller" {
  check_refused --cpuset-cpus 0 -- cpuset
}

@test "the hybrid mode is named in the message" {
  run nook run --memory 10m -- true
  assert_output_has "hybrid mode, where the controllers belong to cgroup v1"
}

@test "several limits: the first one that cannot be enforced is named" {
  run nook run --pids-limit 10 --memory 10m -- true
  assert_status 125
  assert_one_error_line
  assert_output_has "nook: --memory needs the memory controller"
}

@test "malformed limit values are refused with the expected form" {
  run nook run --memory 12q -- true
  assert_status 125
  assert_output_has "--memory needs a size such as 512k, 64m or 2g, not \`12q\`"
  run nook run --cpus 0 -- true
  assert_status 125
  assert_output_has "--cpus needs a number of CPUs"
  run nook run --cpu-weight 10001 -- true
  assert_status 125
  assert_output_has "--cpu-weight needs a number from 1 to 10000"
  run nook run --cpuset-cpus 1-,2 -- true
  assert_status 125
  assert_output_has "--cpuset-cpus needs a CPU list"
  run nook run --device-read-bps /etc/passwd:1m -- true
  assert_status 125
  assert_output_has "is not a block device"
}

@test "nook stats with no sandbox running prints only the header" {
  # Its own state: nook stats lists every running sandbox of the user.
  use_private_state
  run nook stats --no-stream
  assert_status 0
  [ "${lines[0]}" = "$(printf '%-20s %7s %21s %10s %12s %21s' NAME 'CPU %' 'MEM USAGE / LIMIT' 'MEM PEAK' 'PIDS / MAX' 'IO READ / WRITE')" ]
  [ "${#lines[@]}" -eq 1 ]
  run nook stats --no-stream --format json
  assert_status 0
  [ "$output" = "[]" ]
  remove_private_state
}

@test "nook stats for an unknown sandbox is one clear error" {
  run nook stats --no-stream nosuch
  assert_status 125
  assert_one_error_line
  assert_output_has "nosuch"
}

@test "without limits, nook run does no cgroup work" {
  before=$(own_cgroups)
  run nook run --verbose -- true
  assert_status 0
  assert_output_lacks cgroup
  # The command stays in the caller's cgroups, seen from the host; none was made for it.
  "$NOOK" run -- sleep "9$$" </dev/null &
  pid=$!
  wait_until 5 pgrep -u "$(id -u)" -xf "sleep 9$$"
  cgroups=$(cat "/proc/$(pgrep -u "$(id -u)" -xf "sleep 9$$")/cgroup")
  after=$(own_cgroups)
  kill "$pid"
  wait "$pid" || true
  [ "$cgroups" = "$(cat /proc/self/cgroup)" ]
  [ "$after" = "$before" ]
}
