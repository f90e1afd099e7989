#!/usr/bin/env bats
# The command line: one parser for every subcommand, --help from its
# tables, podman's and docker's short forms, "did you mean", completions.

load "$NOOK_TESTS/lib.sh"

setup() { use_private_state; }
teardown() { remove_private_state; }

@test "every subcommand answers --help with its usage, wherever --help is" {
  local cmd
  for cmd in run try diff stats check ps exec logs top inspect kill wait rm port pull images import load rmi \
    image "image prune" "image inspect" system network "network create" \
    "network ls" "network rm" completion; do
    run nook $cmd --help
    assert_status 0
    assert_output_has "Usage: nook $cmd"
    assert_output_has "-h, --help"
  done
  # After an operand too, as podman reads `rm NAME --help`: never a name.
  for cmd in "rm box" "kill box" "wait box" "inspect box" "logs box" "top box" "port box" "network rm net1" \
    "network create net1" "diff upper"; do
    run nook $cmd --help
    assert_status 0
    assert_output_has "Usage: nook ${cmd% *}"
    assert_output_lacks "nook: "
  done
}

@test "nook rm --help and --version are never looked up as a sandbox" {
  run nook run -d --name keep -- sleep 100
  assert_status 0
  run nook rm -f keep --help
  assert_status 0
  assert_output_has "Usage: nook rm"
  # Still there: --help did nothing else.
  run nook ps -q
  [ "${#lines[@]}" -eq 1 ]
  run nook rm --version
  assert_status 125
  assert_one_error_line
  assert_output_has "unknown option \`--version\`"
  run nook network rm --version
  assert_status 125
  assert_output_lacks "network \`--version\`"
}

@test "options after the operands: nook rm NAME -f" {
  run nook run -d --name late -- sleep 100
  assert_status 0
  run nook rm late -f
  assert_status 0
  run nook ps -a -q
  [ -z "$output" ]
}

@test "-it gives the command a terminal and its stdin" {
  run "$NOOK_TESTS/ptyrun" 'hello\r' "$NOOK" run -it -- sh -c 'tty; read x; echo "got $x"'
  assert_status 0
  assert_output_has "/dev/pts/"
  assert_output_has "got hello"
}

@test "-e, --env-file, -w, -u UID:GID and -v SRC:DEST:ro are seen inside" {
  mkdir data && echo content > data/file
  printf '# a comment\n\nFROM_FILE=yes\nBOTH=file\n' > env.list
  run env CALLER=hi "$NOOK" run -e A=1 -eB=2 -e CALLER --env-file env.list -e BOTH=flag -w /data -u 1000:1000 \
    -v "$PWD/data:/data:ro" -- sh -c 'echo "env $A $B $CALLER $FROM_FILE $BOTH"; pwd; id -u; id -g; cat file
      touch /data/new 2>/dev/null && echo writable || echo read-only'
  assert_status 0
  assert_output_has "env 1 2 hi yes flag"
  assert_output_has "/data"
  [ "${lines[2]}" = 1000 ]
  [ "${lines[3]}" = 1000 ]
  assert_output_has content
  assert_output_has read-only
  [ ! -e data/new ]
  # Without :ro the volume is writable.
  run nook run -v "$PWD/data:/data" -- touch /data/new
  assert_status 0
  [ -e data/new ]
}

@test "-u NAME[:GROUP] is looked up in the sandbox's root: the host's /etc for the default root" {
  host_uid=$(getent passwd nobody | cut -d: -f3)
  host_gid=$(getent passwd nobody | cut -d: -f4)
  [ -n "$host_uid" ]
  run nook run -u nobody -- sh -c 'id -u; id -g'
  assert_status 0
  [ "${lines[0]}" = "$host_uid" ]
  [ "${lines[1]}" = "$host_gid" ]
  run nook run -u "nobody:$(getent group root | cut -d: -f1)" -- id -g
  assert_status 0
  [ "$output" = 0 ]
}

@test "-u NAME[:GROUP] with --rootfs: its /etc/passwd and /etc/group, never the host's through a symlink" {
  require "busybox-static is installed" test -x "${BUSYBOX:-/bin/busybox}"
  mkdir -p root/bin root/etc root/tmp root/proc root/dev
  cp "${BUSYBOX:-/bin/busybox}" root/bin/busybox
  for c in sh id; do ln -s busybox "root/bin/$c"; done
  printf 'root:x:0:0::/root:/bin/sh\nbuilder:x:4321:4322::/:/bin/sh\n' >root/etc/passwd
  printf 'root:x:0:\nstaff2::777:\n' >root/etc/group
  run nook run --rootfs root -u builder -- sh -c 'id -u; id -g'
  assert_status 0
  [ "${lines[0]}" = 4321 ]
  [ "${lines[1]}" = 4322 ]
  run nook run --rootfs root -u builder:staff2 -- id -g
  assert_status 0
  [ "$output" = 777 ]
  run nook run --rootfs root -u 55:staff2 -- sh -c 'id -u; id -g'
  assert_status 0
  [ "${lines[0]}" = 55 ]
  [ "${lines[1]}" = 777 ]
  # A name the root lacks: one line, 125, nothing left behind.
  run nook run --rootfs root -u nobody -- true
  assert_status 125
  assert_one_error_line
  assert_output_has "no user \`nobody\` in the sandbox's /etc/passwd"
  [ -z "$(ls "$STATE/sandboxes" 2>/dev/null)" ]
  run nook run --rootfs root -u builder:nogroup2 -- true
  assert_status 125
  assert_output_has "no group \`nogroup2\`"
  # A symlink in the root resolves inside it: the host's /etc/passwd,
  # which names nobody, is never read.
  rm root/etc/passwd
  ln -s ../../../../../../../../etc/passwd root/etc/passwd
  run nook run --rootfs root -u nobody -- true
  assert_status 125
  assert_output_has "no user \`nobody\`"
  run nook run -u 'a/b' -- true
  assert_status 125
  assert_output_has "use USER or USER:GROUP"
}

@test "--verbose alone is verbose: -v is a volume" {
  run nook run --verbose -- true
  assert_status 0
  assert_output_has "nook:"
  run nook run -v -- true
  assert_status 125
  assert_one_error_line
  assert_output_has "--volume \`--\`"
  assert_output_has "--verbose prints the setup steps"
}

@test "an unknown option that podman has gets a hint and 125" {
  run nook run --network slirp4netns -- true
  assert_status 125
  assert_one_error_line
  assert_output_has "unknown option \`--network\` (Hint: did you mean \`--net\`?)"
  run nook run --privileged -- true
  assert_status 125
  assert_output_has "--cap-add ALL --seccomp unconfined"
  run nook ps --al
  assert_status 125
  assert_output_has "did you mean \`--all\`?"
}

@test "-d -i without -t is refused; -dit starts a sandbox with a terminal to attach to" {
  run nook run -d -i -- sleep 100
  assert_status 125
  assert_one_error_line
  assert_output_has "-d cannot be combined with -i alone"
  assert_output_lacks "not a terminal"
  # Nothing was started or left behind.
  run nook ps -a -q
  [ -z "$output" ]
  # With -t it has a terminal of its own, although nook's stdin is none.
  run nook run -dit --name dit -- sh -c 'tty; sleep 100'
  assert_status 0
  wait_until 10 grep -q /dev/pts/ "$STATE/sandboxes/$output/log"
}

@test "nook try takes nook run's network, security and environment options" {
  require "slirp4netns" command -v slirp4netns
  run nook try --net slirp4netns -p "$(pick_port):80" --cap-drop ALL -e A=1 -w /tmp -- \
    sh -c 'grep -c tap0 /proc/net/dev; grep CapEff /proc/self/status; echo "A=$A"; pwd'
  assert_status 0
  assert_output_has "A=1"
  assert_output_has "CapEff:	0000000000000000"
  [ "${lines[0]}" = 1 ]
  [ "${lines[3]}" = /tmp ]
}

@test "nook try -p PORT publishes on a free host port it names, as nook run does" {
  require "slirp4netns" command -v slirp4netns
  mkdir -p proj
  cd proj
  run nook try --net slirp4netns -p 80 -- true
  assert_status 0
  [[ "$output" =~ published\ 0\.0\.0\.0:([0-9]+)-\>80/tcp ]]
  [ "${BASH_REMATCH[1]}" -gt 0 ]
}

@test "nook try refuses what does not apply to it, naming the option given" {
  run nook try --rootfs / -- true
  assert_status 125
  assert_one_error_line
  assert_output_has "--rootfs does not apply to nook try"
  run nook try -d -- true
  assert_status 125
  assert_output_has "-d (--detach) does not apply to nook try"
  run nook try --help
  assert_output_has "--net MODE"
  assert_output_has "--cap-drop"
  assert_output_lacks "--rootfs"
  assert_output_lacks "--detach"
}

@test "completion scripts load in bash, zsh and fish" {
  run bash -c 'source <("$NOOK" completion bash) && complete -p nook'
  assert_status 0
  assert_output_has "-F _nook nook"
  run bash -c 'source <("$NOOK" completion bash); COMP_WORDS=(nook run --ne); COMP_CWORD=2; _nook; echo "${COMPREPLY[*]}"'
  assert_output_has "--net"
  run nook completion ksh
  assert_status 125
  assert_one_error_line
}

@test "zsh and fish completions parse and complete options" {
  require "zsh" command -v zsh
  require "fish" command -v fish
  "$NOOK" completion zsh > _nook
  run zsh -n _nook
  assert_status 0
  run fish -c "source (\"$NOOK\" completion fish | psub); complete -C 'nook run --ne'"
  assert_status 0
  assert_output_has "--net"
}
