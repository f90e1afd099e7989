#!/usr/bin/env bats
# nook run --net: none, host, slirp4netns, pasta, auto; the host's loopback;
# generated /etc files; the helpers' lifetime; bad input.
# Only loopback and the sandboxes' own namespaces are ever contacted.

load "$NOOK_TESTS/lib.sh"

# An HTTP server on the host's 127.0.0.1 only, serving a marker file.
start_host_server() {
  HOST_PORT=$(pick_port)
  mkdir -p "$BATS_TEST_TMPDIR/www"
  echo "host-secret" >"$BATS_TEST_TMPDIR/www/marker"
  /usr/bin/python3 -m http.server "$HOST_PORT" --bind 127.0.0.1 --directory "$BATS_TEST_TMPDIR/www" \
    >/dev/null 2>&1 3>&- &
  SERVER_PID=$!
  wait_until 5 curl -sf -o /dev/null "http://127.0.0.1:$HOST_PORT/marker"
}

# The pid of nook's child started as NAME (a network helper; pasta execs
# passt.avx2 under argv[0] "pasta", so match the command line).
helper_of() { # NOOK_PID NAME
  pgrep -P "$1" -f "^$2 "
}

# Succeeds when PID is dead within a second (a zombie waiting for init to
# reap it counts as dead: it runs nothing and holds no socket).
is_dead() { ! [ -e "/proc/$1" ] || grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }
gone_within_1s() { # PID
  for _ in $(seq 1 20); do
    is_dead "$1" && return 0
    sleep 0.05
  done
  is_dead "$1"
}

# Runs ARGS... (nook) as the child of a child subreaper, which the helpers
# nook leaves are reparented to; prints nook's exit status, then one line
# "COMM CODE STATUS" for each process the subreaper reaps after nook
# exited (CODE 2 is CLD_KILLED).
run_as_reaper() { # ARGS...
  /usr/bin/python3 - "$@" <<'PY'
import ctypes, os, sys
if ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) != 0:  # PR_SET_CHILD_SUBREAPER
    sys.exit("prctl: %s" % os.strerror(ctypes.get_errno()))
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
_, status = os.waitpid(pid, 0)
print("nook", os.waitstatus_to_exitcode(status))
sys.stdout.flush()
while True:
    try:
        info = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOWAIT)
    except ChildProcessError:
        break
    with open("/proc/%d/comm" % info.si_pid) as f:
        comm = f.read().strip()
    os.waitid(os.P_PID, info.si_pid, os.WEXITED)
    print(comm, info.si_code, info.si_status)
PY
}

setup() { cd "$BATS_TEST_TMPDIR"; }

teardown() {
  [ -z "${SERVER_PID:-}" ] || kill "$SERVER_PID" 2>/dev/null || true
}

@test "--net none: only lo, and the host's loopback server is unreachable" {
  start_host_server
  run nook run --net none -- sh -c "ip -o link show | awk -F': ' '{print \$2}'; curl -s --max-time 2 http://127.0.0.1:$HOST_PORT/marker; echo rc=\$?"
  assert_status 0
  [ "${lines[0]}" = lo ]
  [ "${#lines[@]}" -eq 2 ]
  assert_output_lacks host-secret
  assert_output_has "rc=7"
}

@test "--net host shares the host's network namespace, like --share-net" {
  host_ns=$(readlink /proc/self/ns/net)
  run nook run --net host -- readlink /proc/self/ns/net
  assert_status 0
  [ "$output" = "$host_ns" ]
  run nook run -- readlink /proc/self/ns/net
  [ "$output" != "$host_ns" ]
}

@test "--net slirp4netns configures tap0 with MTU 65520 and a default route through 10.0.2.2" {
  require "slirp4netns" command -v slirp4netns
  run nook run --net slirp4netns -- sh -c 'ip -o link show tap0; ip -4 -o addr show tap0; ip route show default'
  assert_status 0
  assert_output_has "mtu 65520"
  assert_output_has "10.0.2.100/24"
  assert_output_has "default via 10.0.2.2 dev tap0"
}

@test "--net slirp4netns does not reach the host's loopback unless --allow-host-loopback" {
  require "slirp4netns" command -v slirp4netns
  start_host_server
  run nook run --net slirp4netns -- curl -s --max-time 3 "http://10.0.2.2:$HOST_PORT/marker"
  assert_output_lacks host-secret
  [ "$status" -ne 0 ]
  run nook run --net slirp4netns --allow-host-loopback -- curl -s --max-time 3 "http://10.0.2.2:$HOST_PORT/marker"
  assert_status 0
  [ "$output" = host-secret ]
}

@test "--net pasta configures the namespace and reaches the host's loopback only through the gateway with --allow-host-loopback" {
  require "pasta" command -v pasta
  start_host_server
  # -T none: the host's ports do not appear on the sandbox's own loopback.
  run nook run --net pasta -- sh -c "ip route show default | grep -q . && echo routed; curl -s --max-time 2 http://127.0.0.1:$HOST_PORT/marker"
  assert_output_has routed
  assert_output_lacks host-secret
  run nook run --net pasta --allow-host-loopback -- sh -c \
    "gw=\$(ip route show default | awk '{print \$3; exit}'); curl -s --max-time 3 http://\$gw:$HOST_PORT/marker"
  assert_status 0
  [ "$output" = host-secret ]
}

@test "the network works at the command's first instruction: a connect at once succeeds" {
  require "slirp4netns" command -v slirp4netns
  require "pasta" command -v pasta
  require "a default route on the host (pasta copies it)" ip -4 route show default
  start_host_server
  # pasta copies the host's gateway; slirp4netns's is fixed.  Both map it to
  # the host's loopback with --allow-host-loopback.
  pasta_gw=$(ip -4 route show default | awk '{print $3; exit}')
  # bash's /dev/tcp is the first thing the command does: no retry, no
  # sleep.  nook starts the command only once the helper said it is ready.
  for i in 1 2 3; do
    for mode in slirp4netns pasta; do
      gw=10.0.2.2
      [ "$mode" = pasta ] && gw=$pasta_gw
      run nook run --net "$mode" --allow-host-loopback -- /bin/bash -c \
        "exec 3<>/dev/tcp/$gw/$HOST_PORT && echo connected"
      [ "$output" = connected ] || { echo "$mode, run $i: $output"; false; }
    done
  done
}

@test "pasta runs without automatic port forwarding or a namespace watch" {
  require "pasta" command -v pasta
  for ports in "" "-p $(pick_port):80"; do
    # shellcheck disable=SC2086 # the option and its value, or nothing
    "$NOOK" run --net pasta $ports -- sleep 100 </dev/null &
    nook_pid=$!
    wait_until 5 helper_of "$nook_pid" pasta
    cmdline=" $(tr '\0' ' ' </proc/"$(helper_of "$nook_pid" pasta)"/cmdline)"
    kill "$nook_pid"
    wait "$nook_pid" || true
    # -T/-U auto would forward every port bound on the host's loopback and
    # rescan /proc/net every second; -t/-u auto, every port bound inside.
    [[ "$cmdline" == *" -T none -U none "* ]]
    [[ "$cmdline" == *" -u none "* ]]
    if [ -z "$ports" ]; then [[ "$cmdline" == *" -t none "* ]]; else [[ "$cmdline" == *" -t "*":80 "* ]]; fi
    [[ "$cmdline" != *" auto "* ]]
    # nook stops pasta itself: no inotify watch on the sandbox's
    # /proc/PID/ns, whose release at exit delays every run.
    [[ "$cmdline" == *" --no-netns-quit "* ]]
  done
}

@test "--net auto picks pasta when it is installed, else slirp4netns" {
  require "slirp4netns" command -v slirp4netns
  require "pasta" command -v pasta
  run nook run --verbose --net auto -- true
  assert_status 0
  assert_output_has "--net auto: pasta"
  # The helper that runs is pasta, and the sandbox has its device.
  "$NOOK" run --net auto -- sleep 100 </dev/null &
  nook_pid=$!
  wait_until 5 helper_of "$nook_pid" pasta
  kill "$nook_pid"
  wait "$nook_pid" || true
  # Without pasta in PATH: slirp4netns, whose device is tap0.
  mkdir -p only-slirp
  ln -s "$(command -v slirp4netns)" only-slirp/slirp4netns
  run env PATH="$PWD/only-slirp" "$NOOK" run --verbose --net auto -- /bin/cat /proc/net/dev
  assert_status 0
  assert_output_has "--net auto: slirp4netns"
  assert_output_has "tap0:"
}

@test "/etc/resolv.conf points at the helper's DNS and /etc/hosts names the sandbox" {
  require "slirp4netns" command -v slirp4netns
  run nook run --net slirp4netns --name web -- sh -c 'cat /etc/resolv.conf; getent hosts web; getent hosts localhost'
  assert_status 0
  assert_output_has "nameserver 10.0.2.3"
  [[ "$output" =~ 10\.0\.2\.100[[:space:]]+web ]]
  run nook run --net slirp4netns --dns 192.0.2.53 -- cat /etc/resolv.conf
  assert_output_has "nameserver 192.0.2.53"
  assert_output_lacks "10.0.2.3"
  # The generated files are read-only, and the host's are untouched.
  run nook run --net slirp4netns -- sh -c 'echo x >> /etc/hosts'
  [ "$status" -ne 0 ]
  run ! grep -q "Generated by nook" /etc/hosts /etc/resolv.conf
}

@test "a read-only --rootfs gets the generated /etc/hosts over its own, and runs without one" {
  require "slirp4netns" command -v slirp4netns
  mkdir -p root/bin root/proc root/dev root/tmp root/etc
  cp /bin/busybox root/bin/
  run nook run --rootfs root --net slirp4netns -- /bin/busybox ls /etc
  assert_status 0
  [ -z "$output" ]
  touch root/etc/hosts
  run nook run --rootfs root --net slirp4netns --name img -- /bin/busybox cat /etc/hosts
  assert_status 0
  [[ "$output" =~ 10\.0\.2\.100[[:space:]]+img ]]
  [ ! -s root/etc/hosts ]
}

@test "the helper stops with the sandbox" {
  require "slirp4netns" command -v slirp4netns
  require "pasta" command -v pasta
  for mode in slirp4netns pasta; do
    "$NOOK" run --net "$mode" -- sleep 1 </dev/null &
    nook_pid=$!
    wait_until 5 helper_of "$nook_pid" "$mode"
    helper=$(helper_of "$nook_pid" "$mode")
    wait "$nook_pid"
    # Killed, it may still be finishing its exit once nook is gone.
    wait_until 5 is_dead "$helper"
  done
}

@test "nook's exit does not wait for the helper's teardown: the helper, killed, is reaped by nook's reaper" {
  require "slirp4netns" command -v slirp4netns
  require "pasta" command -v pasta
  for mode in slirp4netns pasta; do
    run run_as_reaper "$NOOK" run --net "$mode" -- sh -c 'exit 3' </dev/null
    assert_status 0
    # nook exits with the command's status while its helper, SIGKILLed
    # (CLD_KILLED, signal 9), is still dying: the helper is reparented to
    # the subreaper above nook and reaped there, after nook.
    [ "${lines[0]}" = "nook 3" ]
    [ "${#lines[@]}" -eq 2 ]
    [[ "${lines[1]}" =~ ^(slirp4netns|pasta[.a-z0-9]*|passt[.a-z0-9]*)\ 2\ 9$ ]]
    [[ "${lines[1]}" == "$mode "* ]] || [ "$mode" = pasta ]
  done
}

@test "the helpers start when nook's caller ignores SIGPIPE" {
  require "slirp4netns" command -v slirp4netns
  require "pasta" command -v pasta
  # As a Python program or a shell with `trap '' PIPE` starts nook: an
  # ignored signal stays ignored across exec, and pasta refuses to start.
  for mode in slirp4netns pasta; do
    run bash -c 'trap "" PIPE; exec "$0" run --net "$1" -- sh -c "ip -o link | grep -vc \" lo:\""' "$NOOK" "$mode" </dev/null
    assert_status 0
    [ "$output" = 1 ]
  done
}

@test "a helper that publishes ports is reaped before nook exits: the next run binds the port at once" {
  require "slirp4netns" command -v slirp4netns
  require "pasta" command -v pasta
  for mode in slirp4netns pasta; do
    port=$(pick_port)
    run run_as_reaper "$NOOK" run --net "$mode" -p "$port:80" -- true </dev/null
    assert_status 0
    [ "$output" = "nook 0" ]
    run "$NOOK" run --net "$mode" -p "$port:80" -- true </dev/null
    assert_status 0
  done
}

@test "nook SIGKILLed: no slirp4netns or pasta left within a second" {
  require "slirp4netns" command -v slirp4netns
  require "pasta" command -v pasta
  for mode in slirp4netns pasta; do
    "$NOOK" run --net "$mode" -p "$(pick_port):80" -- sleep 100 </dev/null &
    nook_pid=$!
    wait_until 5 helper_of "$nook_pid" "$mode"
    helper=$(helper_of "$nook_pid" "$mode")
    kill -KILL "$nook_pid"
    gone_within_1s "$helper"
  done
  # No API socket directory is left behind either.
  [ -z "$(ls "${XDG_RUNTIME_DIR:-/tmp/nook-$(id -u)}" 2>/dev/null | grep "^slirp-$nook_pid")" ]
}

@test "a helper that dies while the sandbox runs is reported on exit with its status" {
  require "slirp4netns" command -v slirp4netns
  "$NOOK" run --net slirp4netns -- sh -c 'touch started; i=0; until [ -e killed ] || [ $i -ge 200 ]; do sleep 0.05; i=$((i + 1)); done' \
    </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1 &
  nook_pid=$!
  wait_until 5 test -e started
  helper=$(helper_of "$nook_pid" slirp4netns)
  kill -KILL "$helper"
  wait_until 5 is_dead "$helper"
  touch killed
  wait "$nook_pid" || true
  output=$(cat "$BATS_TEST_TMPDIR/out")
  assert_output_has "nook: warning: slirp4netns exited while the sandbox ran (killed by signal 9)"
  assert_output_has "the sandbox lost its network"
}

@test "a helper that exits during setup fails the run with its last message, exit 125, nothing left" {
  use_private_state
  mkdir -p bin
  printf '#!/bin/sh\necho "pasta: no interface with a route" >&2\nexit 3\n' >bin/pasta
  chmod 755 bin/pasta
  run env PATH="$PWD/bin:$PATH" "$NOOK" run --net pasta -- true
  assert_status 125
  assert_one_error_line
  assert_output_has "pasta exited during setup (status 3): pasta: no interface with a route"
  [ -z "$(ls "$STATE/sandboxes" 2>/dev/null)" ]
}

@test "a sandbox whose setup fails while its helper starts reports its own error at once" {
  use_private_state
  # A helper that never gets ready: nook waits for it beside the sandbox's
  # setup, which fails (no /etc for the generated resolv.conf in a
  # read-only root), and says so without waiting for the helper.
  marker=$((200000 + BATS_ROOT_PID % 100000))
  mkdir -p bin root/bin root/proc root/dev root/tmp
  printf '#!/bin/sh\nexec sleep %s\n' "$marker" >bin/pasta
  chmod 755 bin/pasta
  cp /bin/busybox root/bin/
  start=$SECONDS
  run env PATH="$PWD/bin:$PATH" "$NOOK" run --rootfs root --net pasta -- /bin/busybox true
  assert_status 125
  assert_one_error_line
  assert_output_has "create \`/etc\` in the sandbox"
  assert_output_lacks "did not get ready"
  [ $((SECONDS - start)) -lt 5 ]
  # The helper was stopped with the sandbox (killed, it may still be
  # ending when nook returns).
  no_marker() { [ "$(count_procs "sleep $marker")" -eq 0 ]; }
  wait_until 5 no_marker
  [ -z "$(ls "$STATE/sandboxes" 2>/dev/null)" ]
}

@test "a helper that is not installed is named with its package, exit 125" {
  mkdir -p empty
  run env PATH="$BATS_TEST_TMPDIR/empty" "$NOOK" run --net slirp4netns -- /bin/true
  assert_status 125
  assert_one_error_line
  assert_output_has "slirp4netns\` is not installed"
  assert_output_has "install the slirp4netns package"
  run env PATH="$BATS_TEST_TMPDIR/empty" "$NOOK" run --net pasta -- /bin/true
  assert_status 125
  assert_output_has "install the passt package"
  run env PATH="$BATS_TEST_TMPDIR/empty" "$NOOK" run --net auto -- /bin/true
  assert_status 125
  assert_one_error_line
  assert_output_has "neither pasta nor slirp4netns is installed"
}

@test "bad network options fail with one line and exit 125" {
  for args in "--net bogus" "--net slirp4netns -p 99999:80" "--net slirp4netns -p 8000-8002:80" \
    "--net slirp4netns -p 8000-8002" "--net pasta -p 1.2.3:80:80" \
    "--net slirp4netns -p 8080:80/sctp" "-p 18080:80" "--net host -p 18080:80" "--allow-host-loopback" \
    "--share-net --net slirp4netns" "--net slirp4netns --dns nameserver" "--net none --dns 10.0.0.1" \
    "--net slirp4netns -p 18080:80 -p 18080:81" "--net slirp4netns -p 18079-18081:79-81 -p 18080:82" \
    "--net slirp4netns -p [::1]:18080:80" "--net slirp4netns -p ::1:18080:80"; do
    run nook run $args -- true
    assert_status 125
    assert_one_error_line
  done
  run nook run --net bogus -- true
  assert_output_has "--net \`bogus\`: no such mode or network"
}
