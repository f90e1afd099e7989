#!/usr/bin/env bats
# nook-bwrap: bubblewrap's messages, exit statuses, --help, --version, the
# command's environment and name.

load "$NOOK_TESTS/lib.sh"
load "$NOOK_TESTS/integration/bwrap.bash"

setup() { cd "$BATS_TEST_TMPDIR"; }

@test "bwrap: a missing bind source is named as bubblewrap names it, exit 1" {
  run bw --ro-bind / / --bind /nonexistent-src /mnt true
  assert_status 1
  [ "$output" = "bwrap: Can't find source path /nonexistent-src: No such file or directory" ]
}

@test "bwrap: an unknown option, a bad fd, a bad --perms: one line, exit 1" {
  run bw --no-such-option true
  assert_status 1
  [ "$output" = "bwrap: Unknown option --no-such-option" ]
  run bw --ro-bind / / --info-fd 3x true
  assert_status 1
  [ "$output" = "bwrap: Invalid fd: 3x" ]
  run bw --perms 99 --dir /x true
  assert_status 1
  [ "$output" = "bwrap: --perms takes an octal argument <= 07777" ]
  run bw --perms 0700 --chdir / true
  [ "$output" = "bwrap: --perms must be followed by an option that creates a file" ]
  run bw --size 0 --tmpfs /x true
  [ "$output" = "bwrap: --size takes a non-zero number of bytes" ]
  run bw --hostname h true
  [ "$output" = "bwrap: Specifying --hostname requires --unshare-uts" ]
}

@test "bwrap: SELinux labels are refused as by a bubblewrap built without SELinux" {
  run bw --exec-label system_u:system_r:container_t:s0 --ro-bind / / true
  assert_status 1
  [ "$output" = "bwrap: labeling not supported on this system" ]
  run bw --file-label system_u:object_r:container_file_t:s0 --ro-bind / / true
  assert_status 1
  [ "$output" = "bwrap: labeling not supported on this system" ]
}

@test "bwrap: the command's exit status passes through; a command that cannot run is exit 1" {
  run bw --ro-bind / / sh -c 'exit 42'
  assert_status 42
  run bw --ro-bind / / /nonexistent-command
  assert_status 1
  assert_output_has "bwrap: execvp /nonexistent-command: No such file or directory"
}

@test "bwrap: --help prints the usage with the program's name, --version names nook and bubblewrap" {
  run bw --help
  assert_status 0
  assert_output_has "usage: $BWRAP [OPTIONS...] [--] COMMAND [ARGS...]"
  assert_output_has "--nook-seccomp"
  run bw --version
  assert_status 0
  [[ "$output" =~ ^bubblewrap\ 0\.11\.1\ \(nook\ [0-9.]+\)$ ]]
}

@test "bwrap: no command prints the usage on stderr, exit 1" {
  run bw --ro-bind / /
  assert_status 1
  assert_output_has "usage: "
}

@test "bwrap: nook bwrap is the same front end" {
  run "$NOOK" bwrap --ro-bind / / sh -c 'echo inside; exit 3'
  assert_status 3
  [ "$output" = "inside" ]
}

@test "bwrap: a repeated --chdir warns; --level-prefix marks warnings and errors" {
  run bw --ro-bind / / --chdir / --chdir / true
  assert_status 0
  [ "$output" = "bwrap: Only the last --chdir option will take effect" ]
  run bw --level-prefix --ro-bind / / --chdir / --chdir / true
  [ "$output" = "<4>bwrap: Only the last --chdir option will take effect" ]
  run bw --level-prefix --bind /nonexistent-src /mnt true
  [ "$output" = "<3>bwrap: Can't find source path /nonexistent-src: No such file or directory" ]
}

@test "bwrap: the caller's environment, then --setenv, --unsetenv and --clearenv in order" {
  run env FOO=outer BAR=keep "$BWRAP" --ro-bind / / --setenv FOO inner --unsetenv BAR sh -c 'echo "$FOO-${BAR:-unset}"'
  [ "$output" = "inner-unset" ]
  run env FOO=outer "$BWRAP" --ro-bind / / --setenv A 1 --clearenv --setenv B 2 /usr/bin/env
  assert_status 0
  [ "$(printf '%s\n' "$output" | sort | tr '\n' ' ')" = "B=2 PWD=$PWD " ]
}

@test "bwrap: --argv0 is what the command sees as its name" {
  run bw --ro-bind / / --argv0 right sh -c 'echo $0'
  [ "$output" = "right" ]
  run bw --ro-bind / / --unshare-pid --argv0 viainit sh -c 'echo $0'
  [ "$output" = "viainit" ]
}

@test "bwrap: --new-session leaves the caller's session, without it the command stays in it" {
  here=$(ps -o sess= -p $$ | tr -d ' ')
  run bw --ro-bind / / --proc /proc sh -c 'ps -o sess= -p $$'
  [ "$(echo "$output" | tr -d ' ')" = "$here" ]
  run bw --ro-bind / / --proc /proc --new-session sh -c 'ps -o sess= -p $$'
  [ "$(echo "$output" | tr -d ' ')" != "$here" ]
}

@test "bwrap: a message that names a path with ESC and CR shows them escaped" {
  run bw --ro-bind / / --bind "/nonexistent$(printf '\033[2K\r')x" /mnt true
  assert_status 1
  [ "$output" = "bwrap: Can't find source path /nonexistent\\x1b[2K\\rx: No such file or directory" ]
  run bw --ro-bind / / "$(printf 'nosuch\033]0;t\a')"
  assert_status 1
  [[ "$output" == *'nosuch\x1b]0;t\x07'* ]]
  bw --ro-bind / / "$(printf 'nosuch\033]0;t\a')" 2>"$BATS_TEST_TMPDIR/err.out" || true
  run grep -c "$(printf '\033')" "$BATS_TEST_TMPDIR/err.out"
  [ "$output" = 0 ]
}
