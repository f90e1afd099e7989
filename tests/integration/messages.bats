#!/usr/bin/env bats
# Defaults and messages: what a user meets outside the happy path.

load "$NOOK_TESTS/lib.sh"

setup() { cd "$BATS_TEST_TMPDIR"; }

@test "a copied nook, with no policy directory anywhere, confines with its built-in default policy" {
  mkdir -p copy/bin
  cp "$NOOK" "$(dirname "$NOOK")/nook-init" copy/bin/
  [ ! -e copy/policy ]
  run copy/bin/nook run -- sh -c 'grep ^Seccomp: /proc/self/status; unshare -U true'
  [ "${lines[0]}" = "Seccomp:	2" ]
  [ "$status" -ne 0 ]
  run copy/bin/nook run --seccomp default -- true
  assert_status 0
  run copy/bin/nook check
  assert_output_has "PASS  seccomp policy     the default policy (built in) compiles"
  # A policy that is really missing is still one error line.
  run copy/bin/nook run --seccomp nosuch -- true
  assert_status 125
  assert_one_error_line
  assert_output_has "no such policy"
}

@test "a policy whose default kills or refuses every call is one error line, not a bare 159 or 139" {
  for action in SCMP_ACT_KILL_PROCESS SCMP_ACT_KILL SCMP_ACT_TRAP SCMP_ACT_ERRNO; do
    echo "{\"defaultAction\": \"$action\"}" >p.json
    run nook run --seccomp ./p.json -- sh -c 'echo ran > out'
    assert_status 125
    assert_one_error_line
    assert_output_has "seccomp policy \`./p.json\`: it refuses \`execveat\`, which every sandbox needs"
    [ ! -e out ]
  done
}

@test "a key given twice in a policy is an error, like an unknown one" {
  printf '{"defaultAction": "SCMP_ACT_ALLOW",\n "syscalls": [{"names": ["uname"], "action": "SCMP_ACT_ERRNO",\n  "action": "SCMP_ACT_ALLOW"}]}\n' >dup.json
  run nook run --seccomp ./dup.json -- uname
  assert_status 125
  assert_one_error_line
  assert_output_has "seccomp policy \`./dup.json\`: line 3, column 3: field \`action\` given twice in one object"
  [ "$output" != Linux ]
}

@test "--upper equal to or inside a --layer is refused with one line, and nothing is created" {
  mkdir -p base/bin && cp /bin/busybox base/bin/ && ln -s busybox base/bin/sh
  before=$(find base | sort)
  run nook run --layer base --upper base -- true
  assert_status 125
  assert_one_error_line
  assert_output_has '--upper `base` is --layer `base`: an upper must be apart from every layer'
  run nook run --layer base --upper ./base/new-upper/ -- true
  assert_status 125
  assert_one_error_line
  assert_output_has '--upper `./base/new-upper/` is inside --layer `base`'
  mkdir -p up/l && ln -s up base-link
  run nook run --layer "$PWD/up/../base" --upper base/bin/.. -- true
  assert_status 125
  assert_output_has 'is --layer'
  # An upper holding a layer, through a symlink.
  run nook run --layer up/l --upper base-link -- true
  assert_status 125
  assert_output_has '--upper `base-link` holds --layer `up/l`'
  [ "$(find base | sort)" = "$before" ]
  [ ! -e .base.nook ] && [ ! -e base/.new-upper.nook ]
}

@test "a nested nook run without --allow-nested says the policy refuses the user namespace" {
  mkdir -p inner
  cp "$NOOK" "$(dirname "$NOOK")/nook-init" inner/
  run nook run -- sh -c "cd $PWD && inner/nook run -- echo nested-ran"
  assert_status 125
  assert_one_error_line
  [ "$output" = "nook: creating a user namespace is refused by the sandbox's seccomp policy (Hint: --allow-nested on the outer \`nook run\`, or the like for the container nook runs in)" ]
  # On the host, the same probe finds nothing to refuse.
  run inner/nook run -- echo host-ran
  assert_status 0
  [ "$output" = host-ran ]
}

@test "--map-users auto without a range: the hint proposes a range free in /etc/subuid and /etc/subgid" {
  # Inside a sandbox the caller is root, who has no range; the sandbox's
  # /etc/subuid and /etc/subgid are the test's.
  mkdir -p inner
  cp "$NOOK" "$(dirname "$NOOK")/nook-init" inner/
  printf 'someone:100000:65536\n# old:0:4000000000\nalice:165536:65536\n' >subuid
  printf 'bob:200000:65536\n' >subgid
  run nook run --allow-nested --ro-bind subuid /etc/subuid --ro-bind subgid /etc/subgid -- \
    sh -c "cd $PWD && inner/nook run --map-users auto -- true"
  assert_status 125
  assert_one_error_line
  assert_output_has "no range for \`root\` (uid 0) in /etc/subuid"
  assert_output_has "(Hint: as root: usermod --add-subuids 265536-331071 --add-subgids 265536-331071 root (free in /etc/subuid and /etc/subgid))"
  # Nobody's range: not even the caller's own, anywhere.
  printf '' >subuid
  printf '' >subgid
  run nook run --allow-nested --ro-bind subuid /etc/subuid --ro-bind subgid /etc/subgid -- \
    sh -c "cd $PWD && inner/nook run --map-users auto -- true"
  assert_status 125
  assert_output_has "usermod --add-subuids 100000-165535 --add-subgids 100000-165535 root"
}
