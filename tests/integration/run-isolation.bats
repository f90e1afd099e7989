#!/usr/bin/env bats
# nook run: what the sandbox sees of the host.

load "$NOOK_TESTS/lib.sh"

setup() { cd "$BATS_TEST_TMPDIR"; }

@test "PID 1 is nook-init and the command is PID 2; ps shows only the sandbox" {
  run nook run -- sh -c 'echo $$; ps -e -o pid=,comm='
  assert_status 0
  [ "${lines[0]}" = 2 ]
  [ "$(echo ${lines[1]})" = "1 nook-init" ]
  [ "$(echo ${lines[2]})" = "2 sh" ]
  [ "${#lines[@]}" -eq 4 ] # nook-init, sh, ps
}

@test "the hostname is the sandbox's own and the host's is unchanged" {
  host=$(hostname)
  run nook run --hostname box.example --cap-add SYS_ADMIN -- sh -c 'hostname; hostname other; hostname'
  assert_status 0
  [ "${lines[0]}" = box.example ]
  [ "${lines[1]}" = other ]
  [ "$(hostname)" = "$host" ]
  run nook run -- hostname
  [ "$output" = nook ]
  run nook run --name web1 -- hostname
  [ "$output" = web1 ]
}

@test "--share-uts keeps the host's hostname" {
  run nook run --share-uts -- hostname
  assert_status 0
  [ "$output" = "$(hostname)" ]
}

@test "the only network interface is lo, and it is up" {
  run nook run -- sh -c 'ls /sys/class/net 2>/dev/null || cat /proc/net/dev'
  assert_status 0
  run nook run -- cat /proc/net/dev
  assert_status 0
  ifaces=$(echo "$output" | tail -n +3 | cut -d: -f1 | tr -d ' ' | tr '\n' ' ')
  [ "$ifaces" = "lo " ]
  run nook run -- ip -o link show lo
  assert_output_has "UP"
}

@test "--share-net keeps the host's interfaces" {
  host_ifaces=$(tail -n +3 /proc/net/dev | wc -l)
  run nook run --share-net -- cat /proc/net/dev
  assert_status 0
  [ "$(echo "$output" | tail -n +3 | wc -l)" -eq "$host_ifaces" ]
}

@test "IPC objects are private unless --share-ipc" {
  id=$(ipcmk -Q | grep -o '[0-9]*$')
  run nook run -- sh -c 'ipcs -q | grep -c "^0x" || true'
  run_status=$status
  private=$output
  run nook run --share-ipc -- ipcs -q -i "$id"
  ipcrm -q "$id"
  [ "$run_status" -eq 0 ]
  [ "$private" = 0 ]
  assert_status 0
  assert_output_has "Message Queue msqid=$id"
}

@test "--share-pid shows host processes" {
  sleep 30 &
  pid=$!
  run nook run --share-pid -- sh -c "test -d /proc/$pid && echo seen"
  kill $pid
  assert_status 0
  [ "$output" = seen ]
  run nook run -- sh -c "test -d /proc/$pid/fd && echo seen || echo hidden"
  [ "$output" = hidden ]
}

@test "the root is read-only, /tmp and the working directory are writable" {
  run nook run -- sh -c 'touch /newfile 2>&1; touch /usr/x 2>&1; touch /etc/x 2>&1; touch /tmp/ok && echo tmp-ok; touch ./here && echo cwd-ok'
  assert_output_has "Read-only file system"
  assert_output_has "tmp-ok"
  assert_output_has "cwd-ok"
  [ -f "$BATS_TEST_TMPDIR/here" ]
  [ "$(echo "$output" | grep -c 'Read-only file system')" -eq 3 ]
}

@test "the working directory is the caller's, bound at the same path" {
  mkdir -p "$BATS_TEST_TMPDIR/proj/sub"
  cd "$BATS_TEST_TMPDIR/proj/sub"
  echo hello >file
  run nook run -- sh -c 'pwd; cat file'
  assert_status 0
  [ "${lines[0]}" = "$BATS_TEST_TMPDIR/proj/sub" ]
  [ "${lines[1]}" = hello ]
}

@test "the home directory is hidden under an empty tmpfs" {
  home=$(getent passwd "$(id -un)" | cut -d: -f6)
  require "a writable home" touch "$home/.nook-secret-$$"
  run nook run -- sh -c "ls -A $home; echo end"
  rm -f "$home/.nook-secret-$$"
  assert_status 0
  [ "$output" = end ]
}

@test "host files outside the root are unreachable by path, .., symlink and /proc" {
  secret=$(mktemp -d /var/tmp/nook-secret.XXXXXX 2>/dev/null) || secret=$(mktemp -d "$HOME/nook-secret.XXXXXX")
  echo s3cret >"$secret/file"
  mkdir work
  ln -s "$secret/file" work/link
  cd work
  run nook run -- sh -c "cat $secret/file; cat link; cat ../../../../..$secret/file; cat /proc/1/root$secret/file; cat /proc/self/root$secret/file; ls /proc/1/root/ | tr '\n' ' '"
  rm -rf "$secret"
  assert_output_lacks s3cret
  # /proc/1 is nook-init, whose root is the sandbox's.
  assert_output_has "proc"
  assert_output_lacks "root "
}

@test "mounts of the sandbox are not visible on the host" {
  mkdir vol
  at="/nook-vol-$$"
  # Looked at while the sandbox runs, holding its mounts: a volume at a
  # path of its own, seen inside, and the root's /tmp.
  "$NOOK" run -v "$PWD/vol:$at" -- sh -c "grep -c ' $at ' /proc/self/mountinfo >$at/inside
    until [ -e $at/go ]; do sleep 0.05; done" </dev/null &
  box=$!
  wait_until 10 test -s vol/inside
  [ "$(cat vol/inside)" = 1 ]
  run ! grep -q " $at " /proc/self/mountinfo
  run ! grep -q " /tmp tmpfs.*mode=755" /proc/self/mountinfo
  touch vol/go
  wait "$box"
}

@test "/dev has only the harmless devices and a private devpts" {
  run nook run -- sh -c 'ls /dev | tr "\n" " "; echo; ls /dev/pts | tr "\n" " "; echo; echo x > /dev/null && echo null-ok; head -c4 /dev/zero | wc -c'
  assert_status 0
  [ "${lines[0]}" = "fd full null ptmx pts random shm stderr stdin stdout tty urandom zero " ]
  [ "${lines[1]}" = "ptmx " ]
  [ "${lines[2]}" = null-ok ]
  [ "${lines[3]}" = 4 ]
}

@test "merged-/usr symlinks are reproduced as symlinks" {
  require "a host with merged /usr" test -L /bin
  run nook run -- readlink /bin
  assert_status 0
  [ "$output" = "$(readlink /bin)" ]
}

@test "file descriptors of the caller do not leak into the sandbox" {
  exec 7>"$BATS_TEST_TMPDIR/leak"
  run nook run -- sh -c 'ls /proc/self/fd | tr "\n" " "'
  exec 7>&-
  assert_status 0
  [ "$output" = "0 1 2 3 " ] # 3 is ls's own directory fd
}

@test "ping works without CAP_NET_RAW: the sandbox's ICMP echo sockets are enabled" {
  require "ping (iputils-ping)" command -v ping
  run nook run -- sh -c 'grep CapEff /proc/self/status; cat /proc/sys/net/ipv4/ping_group_range; ping -c1 -W2 127.0.0.1'
  assert_status 0
  assert_output_has "1 received"
  # CAP_NET_RAW (bit 13) is not in the default set: the datagram socket is what works.
  [ $(( 0x$(echo "$output" | awk '/CapEff/ {print $2}') >> 13 & 1 )) = 0 ]
}
