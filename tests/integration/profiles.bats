#!/usr/bin/env bats
# Profiles (nook-profile(5)): named sets of options applied by --profile,
# found on the search path, with includes and a format version; a broken
# one is one line naming the file and what is wrong, and nothing starts.

load "$NOOK_TESTS/lib.sh"

setup() {
  cd "$BATS_TEST_TMPDIR"
  # The caller's profiles: $XDG_CONFIG_HOME/nook/profiles.
  export XDG_CONFIG_HOME="$BATS_TEST_TMPDIR/config"
  profiles="$XDG_CONFIG_HOME/nook/profiles"
  mkdir -p "$profiles"
}

# A broken profile: one line naming FILE and WHAT, exit 125, and the
# command never ran (it would have created a file).
assert_refused() { # PROFILE WHAT...
  local profile=$1
  shift
  rm -f ran
  run nook run --bind-cwd --profile "$profile" -- touch "$PWD/ran"
  assert_status 125
  assert_one_error_line
  for what in "$@"; do assert_output_has "$what"; done
  [ ! -e ran ]
}

@test "--profile NAME applies the caller's profile: its keys are nook run's options" {
  cat >"$profiles/dev.json" <<'EOF'
{
  "version": 1,
  "description": "a test profile",
  "hostname": "devbox",
  "setenv": [["ONE", "1"], ["TWO", "2"]],
  "env": "THREE=3",
  "ulimit": ["nofile=100"]
}
EOF
  run nook run --profile dev -- sh -c 'echo "$(hostname) $ONE $TWO $THREE $(ulimit -n)"'
  assert_status 0
  [ "$output" = "devbox 1 2 3 100" ]
}

@test "--profile FILE: a path; options after it override it, options before it are overridden" {
  printf '{ "version": 1, "hostname": "fromfile", "setenv": ["V", "profile"] }' >p.json
  run nook run --profile ./p.json -- hostname
  [ "$output" = fromfile ]
  run nook run --profile ./p.json --hostname later --setenv V cli -- sh -c 'echo $(hostname) $V'
  [ "$output" = "later cli" ]
  run nook run --hostname earlier --profile ./p.json -- hostname
  [ "$output" = fromfile ]
}

@test "flags: true applies them; a two-value option takes a list, a list of lists repeats it" {
  mkdir -p a b
  echo A >a/f
  echo B >b/f
  cat >p.json <<EOF
{ "version": 1, "no-bind-cwd": true,
  "ro-bind": [["$PWD/a", "/srv/a"], ["$PWD/b", "/srv/b"]],
  "bind": ["$PWD/b", "/srv/w"] }
EOF
  run nook run --profile ./p.json -- sh -c 'cat /srv/a/f /srv/b/f; echo x >/srv/w/new; echo x >/srv/a/g; pwd'
  assert_output_has "A
B"
  assert_output_has "Read-only file system"
  [ -e b/new ] && [ ! -e a/g ]
  # --no-bind-cwd: the command starts elsewhere than here.
  assert_output_lacks "$PWD"
}

@test "includes: applied first, by name or by file; the including profile overrides them" {
  printf '{ "version": 1, "hostname": "base", "setenv": ["FROM", "base"], "env": "BASE=yes" }' >"$profiles/base.json"
  printf '{ "version": 1, "include": ["base"], "setenv": ["FROM", "top"] }' >"$profiles/top.json"
  run nook run --profile top -- sh -c 'echo $(hostname) $FROM $BASE'
  [ "$output" = "base top yes" ]
  # A file include is relative to the including file.
  mkdir -p sub
  printf '{ "version": 1, "hostname": "rel" }' >sub/inc.json
  printf '{ "version": 1, "include": ["inc.json"] }' >sub/main.json
  run nook run --profile sub/main.json -- hostname
  [ "$output" = rel ]
}

@test "a profile of the caller may include the shipped one of the same name and extend it" {
  printf '{ "version": 1, "include": ["untrusted"], "hostname": "mine" }' >"$profiles/untrusted.json"
  run nook profile show untrusted
  assert_status 0
  assert_output_has "# includes $(cd "$NOOK_POLICY/profiles" && pwd -P)/untrusted.json"
  assert_output_has "--cap-drop ALL"
  assert_output_has "--hostname mine"
  run nook run --profile untrusted -- sh -c 'hostname; grep "Max processes" /proc/self/limits'
  assert_output_has "mine
Max processes             64                   64"
}

@test "broken JSON: the file, the line and the column" {
  printf '{ "version": 1,\n  "hostname": "x",\n}\n' >bad.json
  assert_refused ./bad.json "nook: run: profile \`./bad.json\`: line 3, column 1: not valid JSON"
  printf '{ "version": 1,\n  "net": "none",\n  "net": "host" }' >twice.json
  assert_refused ./twice.json "profile \`./twice.json\`: line 3, column 3: field \`net\` given twice"
  printf '[ "version", 1 ]' >array.json
  assert_refused ./array.json "profile \`./array.json\`: not a JSON object"
}

@test "an unknown key: the key, and the option it was probably meant to be" {
  printf '{ "version": 1, "hostnme": "x" }' >typo.json
  assert_refused ./typo.json "profile \`./typo.json\`: key \`hostnme\`: no such option of nook run" \
    "did you mean \`hostname\`?"
  printf '{ "version": 1, "includes": ["base"] }' >format.json
  assert_refused ./format.json "key \`includes\`: no such option of nook run" "did you mean \`include\`?"
  printf '{ "version": 1, "frobnicate": true }' >unknown.json
  assert_refused ./unknown.json "key \`frobnicate\`: no such option of nook run"
  printf '{ "version": 1, "Hostname": "x" }' >upper.json
  assert_refused ./upper.json "key \`Hostname\`: not an option's name"
  # A profile names others in "include", not with a --profile key.
  printf '{ "version": 1, "profile": "ci" }' >nested.json
  assert_refused ./nested.json "key \`profile\`: a profile names others in \"include\""
}

@test "an invalid value: the key and the option's own message" {
  printf '{ "version": 1, "memory": "lots" }' >v1.json
  assert_refused ./v1.json "profile \`./v1.json\`: key \`memory\`: --memory needs a size"
  printf '{ "version": 1, "share-net": false }' >v2.json
  assert_refused ./v2.json "key \`share-net\`: a flag: write \`true\`"
  printf '{ "version": 1, "bind": ["/only-one"] }' >v3.json
  assert_refused ./v3.json "key \`bind\`: takes SRC DEST: a list of 2 strings"
  printf '{ "version": 1, "hostname": {"a": 1} }' >v4.json
  assert_refused ./v4.json "key \`hostname\`: a value is true, a string, a number, or a list of them"
  printf '{ "version": 1, "timeout": "soon" }' >v5.json
  assert_refused ./v5.json "key \`timeout\`: --timeout needs a duration"
}

@test "nook try --profile: the profile's options apply to the tried command" {
  mkdir proj && cd proj
  printf '{ "version": 1, "setenv": ["FROM", "profile"], "hostname": "tried" }' >../p.json
  run nook try --profile ../p.json --commit -- sh -c 'echo "$FROM $(hostname)" >out'
  assert_status 0
  [ "$(cat out)" = "profile tried" ]
}

@test "an option nook try does not take is refused under nook try, naming it" {
  printf '{ "version": 1, "rootfs": "/" }' >p.json
  run nook try --profile ./p.json -- true
  assert_status 125
  assert_one_error_line
  assert_output_has "profile \`./p.json\`: key \`rootfs\`: --rootfs does not apply to nook try"
}

@test "a missing or circular include, a missing profile: named, with the chain" {
  printf '{ "version": 1, "include": ["nosuch"] }' >"$profiles/missing.json"
  assert_refused missing "profile \`$profiles/missing.json\`: include \`nosuch\`: not in $profiles, /etc/nook/profiles"
  printf '{ "version": 1, "include": ["b.json"] }' >a.json
  printf '{ "version": 1, "include": ["a.json"] }' >b.json
  assert_refused ./a.json "circular include: $PWD/a.json -> $PWD/b.json -> $PWD/a.json"
  assert_refused nosuch "nook: run: profile \`nosuch\`: not in $profiles, /etc/nook/profiles" "nook profile ls"
  assert_refused ./nosuch.json "profile \`./nosuch.json\`: No such file or directory"
  mkfifo fifo.json
  assert_refused ./fifo.json "profile \`./fifo.json\`: not a regular file"
}

@test "version: missing or newer is refused (upgrade nook); the current one loads" {
  printf '{ "hostname": "x" }' >none.json
  assert_refused ./none.json "profile \`./none.json\`: no \"version\"" "\"version\": 1"
  printf '{ "version": 7, "hostname": "x" }' >newer.json
  assert_refused ./newer.json "written for profile format 7; this nook reads format 1 and older" "upgrade nook"
  printf '{ "version": "1" }' >text.json
  assert_refused ./text.json "key \`version\`: the format's number"
  printf '{ "version": 1 }' >ok.json
  run nook run --profile ./ok.json -- true
  assert_status 0
}

@test "nook profile ls: name, file and description, the caller's first" {
  printf '{ "version": 1, "description": "mine" }' >"$profiles/mine.json"
  printf '{ "version": 1, "description": "shadows the shipped one" }' >"$profiles/ci.json"
  printf '{ broken' >"$profiles/broken.json"
  run nook profile ls
  assert_status 0
  assert_output_has "mine "
  printf '%s\n' "$output" | grep -E "^mine +$profiles/mine.json +mine$"
  printf '%s\n' "$output" | grep -E "^ci +$profiles/ci.json +shadows the shipped one$"
  printf '%s\n' "$output" | grep -E "^broken +$profiles/broken.json +\(broken"
  for p in build untrusted; do
    printf '%s\n' "$output" | grep -E "^$p +$(cd "$NOOK_POLICY/profiles" && pwd -P)/$p.json +[A-Z]"
  done
  [ "$(printf '%s\n' "$output" | grep -c '^ci ')" = 1 ]
}

@test "nook profile show: the resolved options as a command line, and as JSON" {
  printf '{ "version": 1, "hostname": "b", "setenv": ["K", "a value"] }' >"$profiles/base.json"
  printf '{ "version": 1, "description": "d", "include": ["base"], "share-net": true }' >"$profiles/top.json"
  run nook profile show top
  assert_status 0
  assert_output_has "# includes $profiles/base.json"
  assert_output_has "# file $profiles/top.json"
  assert_output_has "nook run --hostname b --setenv K 'a value' --share-net"
  run nook profile show --json top
  assert_status 0
  [ "$(printf '%s' "$output" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["description"], d["includes"], d["args"])')" = \
    "d ['$profiles/base.json'] ['--hostname', 'b', '--setenv', 'K', 'a value', '--share-net']" ]
  # The same checks as nook run.
  printf '{ "version": 1, "hostnam": "x" }' >"$profiles/bad.json"
  run nook profile show bad
  assert_status 125
  assert_one_error_line
  assert_output_has "key \`hostnam\`"
}

@test "--cache NAME binds the caller's toolchain cache read-write; without it the cache is not there" {
  export HOME="$BATS_TEST_TMPDIR/home"
  mkdir -p "$HOME/.cargo/registry" work
  echo crate >"$HOME/.cargo/registry/index"
  cd work
  run nook run --profile build --cache cargo -- sh -c "cat $HOME/.cargo/registry/index; echo built >$HOME/.cargo/registry/new"
  assert_status 0
  assert_output_has crate
  [ "$(cat "$HOME/.cargo/registry/new")" = built ]
  run nook run --profile build -- cat "$HOME/.cargo/registry/index"
  assert_output_lacks crate
  run nook run --cache carg -- true
  assert_status 125
  assert_one_error_line
  assert_output_has "--cache \`carg\`: no such cache"
  assert_output_has "did you mean \`cargo\`?"
}
