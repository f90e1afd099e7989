#!/usr/bin/env bats
# Landlock, the wall behind the mount namespace, tried as an unprivileged user.
#
# Attacked: a host directory that reached the sandbox through a descriptor
# (here passed on purpose with --pass-fd, as a leaked one would be): files
# are created and read beneath it, outside every mount of the sandbox.  The
# host's abstract unix sockets with --net host (an X server's @/tmp/.X11-unix
# is one): the sandbox connects to them, from its command and from nook exec.
# What stops it: nook's Landlock rules (src/lib/landlock.c): reads and
# executes beneath the sandbox's root only, writes beneath its read-write
# mounts only, abstract unix sockets scoped to the sandbox (ABI 6).  Each
# attack is also run with --landlock=off, which must let it through: the
# test sees the wall, not some other refusal.

load "$NOOK_TESTS/lib.sh"

setup() {
  require "a kernel with Landlock" sh -c "$NOOK check | grep -q '^PASS  landlock'"
  use_private_state
  # Outside the working directory, which the sandbox has read-write (the
  # rules follow a directory however it is reached).
  hostdir=$(mktemp -d "$BATS_RUN_TMPDIR/host.XXXXXX")
  echo secret >"$hostdir/secret"
}

teardown() {
  remove_private_state
  rm -rf "$hostdir"
  [ -z "${listener:-}" ] || kill "$listener" 2>/dev/null || true
}

# Runs nook run OPTIONS with a directory fd of $hostdir passed in, and in
# the sandbox creates `leak` and reads `secret` beneath it.
attack_fd() {
  python3 - "$NOOK" "$hostdir" "$@" <<'EOF'
import os, sys
nook, host, opts = sys.argv[1], sys.argv[2], sys.argv[3:]
fd = os.open(host, os.O_RDONLY | os.O_DIRECTORY)
os.set_inheritable(fd, True)
inside = f"""
import os
for what, how in (("create", lambda: os.close(os.open("leak", os.O_CREAT | os.O_WRONLY, dir_fd={fd}))),
                  ("read", lambda: print("content", open(os.open("secret", os.O_RDONLY, dir_fd={fd})).read().strip()))):
    try:
        how(); print(what, "done")
    except OSError as e:
        print(what, "refused:", e.strerror)
"""
os.execvp(nook, [nook, "run", *opts, "--pass-fd", str(fd), "--", "python3", "-c", inside])
EOF
}

@test "a host directory reached through a descriptor: nothing is created or read beneath it" {
  run attack_fd
  assert_status 0
  assert_output_has "create refused: Permission denied"
  assert_output_has "read refused: Permission denied"
  assert_output_lacks "content secret"
  [ ! -e "$hostdir/leak" ]
}

@test "the same descriptor with --landlock=off: the attack goes through (the control)" {
  run attack_fd --landlock=off
  assert_status 0
  assert_output_has "create done"
  assert_output_has "content secret"
  [ -e "$hostdir/leak" ]
}

@test "under Landlock the sandbox still writes where it may: cwd, /tmp, a volume, /dev/null" {
  mkdir -p "$BATS_TEST_TMPDIR/proj/sub" "$BATS_TEST_TMPDIR/vol"
  cd "$BATS_TEST_TMPDIR/proj/sub"
  run nook run --landlock=on -v "$BATS_TEST_TMPDIR/vol:/data" -- sh -c \
    'echo a >here && echo b >/tmp/t && echo c >/data/v && echo d >/dev/null && mkdir d && rm -r d && ln -s here l && mv l m && cat here /tmp/t /data/v'
  assert_status 0
  [ "$output" = "$(printf 'a\nb\nc')" ]
  [ "$(cat "$BATS_TEST_TMPDIR/proj/sub/here")" = a ]
  [ "$(cat "$BATS_TEST_TMPDIR/vol/v")" = c ]
}

@test "under Landlock nested and neighbouring volumes keep their writes: beneath a read-write one, beside one whose name it extends, beneath a read-only one" {
  mkdir -p "$BATS_TEST_TMPDIR"/{d,in,dx,ro/rw,rw}
  run nook run --landlock=on -v "$BATS_TEST_TMPDIR/d:/d" -v "$BATS_TEST_TMPDIR/in:/d/in" \
    -v "$BATS_TEST_TMPDIR/dx:/dx" -v "$BATS_TEST_TMPDIR/ro:/ro:ro" -v "$BATS_TEST_TMPDIR/rw:/ro/rw" -- sh -c \
    'echo 1 >/d/f && echo 2 >/d/in/f && echo 3 >/dx/f && echo 4 >/ro/rw/f && mkdir /ro/rw/s && rmdir /ro/rw/s && cat /d/f /d/in/f /dx/f /ro/rw/f'
  assert_status 0
  [ "$output" = "$(printf '1\n2\n3\n4')" ]
  [ "$(cat "$BATS_TEST_TMPDIR/in/f" "$BATS_TEST_TMPDIR/dx/f" "$BATS_TEST_TMPDIR/rw/f")" = "$(printf '2\n3\n4')" ]
}

@test "under Landlock a read-write bind of a directory on a read-only mount keeps the writes of the read-write mounts beneath it" {
  # An outer sandbox makes the read-only mount (/x) with a read-write one
  # beneath it (/x/sub); a sandbox inside it binds /x read-write: its top
  # stays read-only (a mount's read-only flag made in an outer namespace
  # is locked), /y/sub beneath it is read-write, and Landlock allows it.
  mkdir -p inner x/sub sub
  cp "$NOOK" "$(dirname "$NOOK")/nook-init" inner/
  run nook run --allow-nested -v "$PWD/x:/x:ro" -v "$PWD/sub:/x/sub" -- sh -c \
    "cd $PWD && inner/nook run --landlock=on -v /x:/y -- sh -c 'echo nested >/y/sub/f; touch /y/top 2>&1; cat /y/sub/f'"
  assert_status 0
  assert_output_has "nested"
  assert_output_has "Read-only file system"
  [ "$(cat sub/f)" = nested ]
  [ ! -e x/top ]
}

# A listener on an abstract unix socket in the host's network namespace,
# which answers "hello" to whoever connects.
listen_abstract() {
  name="nook-landlock-$BATS_ROOT_PID-$BATS_SUITE_TEST_NUMBER"
  python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind("\0" + sys.argv[1]); s.listen(8)
open(sys.argv[2], "w").close()
while True:
    c, _ = s.accept(); c.sendall(b"hello\n"); c.close()
' "$name" "$BATS_TEST_TMPDIR/listening" &
  listener=$!
  wait_until 5 test -e "$BATS_TEST_TMPDIR/listening"
}

connect_abstract='
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    s.connect("\0" + sys.argv[1]); print("got", s.recv(16).decode().strip())
except OSError as e:
    print("refused:", e.strerror)
'

@test "--net host: the host's abstract unix sockets are out of reach, from run and from exec" {
  require "Landlock ABI 6 (scoped abstract unix sockets)" sh -c "$NOOK check | grep -q 'abstract unix sockets scoped'"
  listen_abstract
  run nook run --net host -- python3 -c "$connect_abstract" "$name"
  assert_status 0
  assert_output_has "refused: Operation not permitted"
  nook run -d --name ll --net host -- sleep 60
  run nook exec ll python3 -c "$connect_abstract" "$name"
  assert_status 0
  assert_output_has "refused: Operation not permitted"
}

@test "--net host with --landlock=off reaches the listener, from run and from exec (the control)" {
  listen_abstract
  run nook run --landlock=off --net host -- python3 -c "$connect_abstract" "$name"
  assert_status 0
  assert_output_has "got hello"
  nook run -d --name ll --landlock=off --net host -- sleep 60
  run nook exec ll python3 -c "$connect_abstract" "$name"
  assert_status 0
  assert_output_has "got hello"
}

@test "nook inspect says whether the sandbox is under Landlock" {
  nook run -d --name on -- sleep 60
  nook run -d --name off --landlock=off -- sleep 60
  run nook inspect on
  assert_output_has '"landlock":true'
  run nook inspect off
  assert_output_has '"landlock":false'
}

@test "--landlock=on with --allow-nested or --cap-add SYS_ADMIN is one error, and nothing starts" {
  run nook run --landlock=on --allow-nested -- sh -c "echo started >$BATS_TEST_TMPDIR/started"
  assert_status 125
  assert_one_error_line
  assert_output_has "--allow-nested"
  run nook run --landlock=on --cap-add SYS_ADMIN -- true
  assert_status 125
  assert_output_has "CAP_SYS_ADMIN"
  [ ! -e "$BATS_TEST_TMPDIR/started" ]
  run nook ps -a -q
  [ -z "$output" ]
}

@test "by default a sandbox that may mount is not under Landlock: --allow-nested runs a nested sandbox" {
  run nook run --allow-nested -- unshare -Urm sh -c 'mount -t tmpfs none /tmp && echo nested-mounted'
  assert_status 0
  assert_output_has "nested-mounted"
  run nook run --cap-add SYS_ADMIN -- sh -c 'mount -t tmpfs none /tmp && echo mounted'
  assert_status 0
  assert_output_has "mounted"
  run nook run --landlock=off --cap-add SYS_ADMIN -- sh -c 'mount -t tmpfs none /tmp && echo mounted'
  assert_output_has "mounted"
}

@test "--landlock with an unknown mode names the modes" {
  run nook run --landlock=maybe -- true
  assert_status 125
  assert_one_error_line
  assert_output_has "auto, on or off"
}

# Every openat of PID and its descendants (strace -f), and each Landlock
# restriction, into FILE.
trace_opens() { # FILE COMMAND...
  local file=$1
  shift
  traced -f -qq -e trace=open,openat,openat2,landlock_restrict_self -o "$file" "$@"
}

@test "Landlock's rules come from the root plan: neither the sandbox's setup nor nook exec reads a mount table" {
  require "strace" strace -V
  mkdir -p "$BATS_TEST_TMPDIR/vol"
  run trace_opens "$BATS_TEST_TMPDIR/run.trace" "$NOOK" run --landlock=on -v "$BATS_TEST_TMPDIR/vol:/data" -- \
    sh -c 'echo run >/data/f'
  assert_status 0
  [ "$(cat "$BATS_TEST_TMPDIR/vol/f")" = run ]
  # The trace saw the sandbox restrict itself, and nothing open a mountinfo.
  grep -q 'landlock_restrict_self(.*= 0' "$BATS_TEST_TMPDIR/run.trace"
  run grep mountinfo "$BATS_TEST_TMPDIR/run.trace"
  [ -z "$output" ]
  nook run -d --name ll --landlock=on -v "$BATS_TEST_TMPDIR/vol:/data" -- sleep 60
  run trace_opens "$BATS_TEST_TMPDIR/exec.trace" "$NOOK" exec ll sh -c 'echo exec >/data/f'
  assert_status 0
  [ "$(cat "$BATS_TEST_TMPDIR/vol/f")" = exec ]
  grep -q 'landlock_restrict_self(.*= 0' "$BATS_TEST_TMPDIR/exec.trace"
  run grep mountinfo "$BATS_TEST_TMPDIR/exec.trace"
  [ -z "$output" ]
}

# Runs nook exec NAME with a directory fd of $hostdir as its stdout, which
# the command inherits, and in the sandbox creates `leak` beneath it, then
# writes to the volume on /data and to /etc; says what happened on stderr.
exec_attack_stdin() { # NAME
  python3 - "$NOOK" "$hostdir" "$1" <<'EOF2'
import os, sys
nook, host, name = sys.argv[1:4]
fd = os.open(host, os.O_RDONLY | os.O_DIRECTORY)
os.dup2(fd, 1)
inside = """
import os, sys
for what, how in (("create", lambda: os.close(os.open("leak", os.O_CREAT | os.O_WRONLY, dir_fd=3))),
                  ("volume", lambda: open("/data/from-exec", "w").write("x")),
                  ("etc", lambda: open("/etc/from-exec", "w").write("x"))):
    try:
        how(); print(what, "done", file=sys.stderr)
    except OSError as e:
        print(what, "refused:", e.strerror, file=sys.stderr)
"""
# fd 1 on to 3 in the sandbox: python3 takes no directory for its stdout.
os.execvp(nook, [nook, "exec", name, "sh", "-c", 'exec 3>&1 1>&2; exec python3 -c "$0"', inside])
EOF2
}

@test "nook exec is under the rules nook run recorded: the volume is written, a host directory on its stdout is not" {
  mkdir -p "$BATS_TEST_TMPDIR/vol"
  nook run -d --name ll --landlock=on -v "$BATS_TEST_TMPDIR/vol:/data" -- sleep 60
  run exec_attack_stdin ll
  assert_status 0
  assert_output_has "create refused: Permission denied"
  assert_output_has "volume done"
  assert_output_has "etc refused: Read-only file system"
  [ ! -e "$hostdir/leak" ]
  [ -e "$BATS_TEST_TMPDIR/vol/from-exec" ]
}

@test "nook exec into a sandbox with --landlock=off creates beneath the host directory (the control)" {
  mkdir -p "$BATS_TEST_TMPDIR/vol"
  nook run -d --name ll --landlock=off -v "$BATS_TEST_TMPDIR/vol:/data" -- sleep 60
  run exec_attack_stdin ll
  assert_status 0
  assert_output_has "create done"
  assert_output_has "volume done"
  [ -e "$hostdir/leak" ]
}

@test "nook-bwrap --nook-landlock on needs no /proc in the sandbox, and still walls off a host directory on stdout" {
  bwrap=${NOOK_BWRAP:-$(dirname "$NOOK")/nook-bwrap}
  require "nook-bwrap" test -x "$bwrap"
  require "a merged /usr (the root is /usr and its symlinks)" test -L /bin -a -L /lib
  inside='
import os, sys
open("/tmp/f", "w").write("t")
print("tmp", open("/tmp/f").read(), "proc", os.path.exists("/proc/self"), file=sys.stderr)
try:
    os.close(os.open("leak", os.O_CREAT | os.O_WRONLY, dir_fd=3)); print("create done", file=sys.stderr)
except OSError as e:
    print("create refused:", e.strerror, file=sys.stderr)
'
  run python3 -c 'import os, sys; fd = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECTORY); os.dup2(fd, 1); os.execvp(sys.argv[2], sys.argv[2:])' \
    "$hostdir" "$bwrap" --nook-landlock on --ro-bind /usr /usr --symlink usr/bin /bin \
    --symlink usr/lib /lib --symlink usr/lib64 /lib64 --tmpfs /tmp -- sh -c 'exec 3>&1 1>&2; exec python3 -c "$0"' "$inside"
  assert_status 0
  assert_output_has "tmp t proc False"
  assert_output_has "create refused: Permission denied"
  [ ! -e "$hostdir/leak" ]
}
