#!/usr/bin/env bats
# The sandbox state cannot be forged.
#
# Attacked: nook's state directory (state.json, the names/ links), which
# `nook exec`, `inspect`, `ps`, `kill` and `rm` act on.
#   - from inside: a sandbox whose binds or working directory reach the
#     state directory rewrites its own options (`--seccomp unconfined
#     --cap-add ALL`) and waits for the next `nook exec`;
#   - from another process of the caller: every field of state.json, the
#     stored seccomp filter, the names/ links, a state copied from another
#     sandbox.
#   - nook's files beside an --upper (.NAME.nook/: layers.json, which
#     `nook diff` reads, and overlayfs's work directory, which the kernel
#     empties at each mount): a sandbox that can write the upper's parent
#     (a project bound read-write) plants symlinks there, so that the next
#     run writes layers.json into a host file and has the work directory
#     of another host directory emptied;
#   - nook-oci's state root (--root): each container's config.json and
#     seccomp.json there are what `nook-oci exec` applies; a container
#     whose config binds the root (or an ancestor, or through a symlink)
#     rewrites them.
# What stops it: no bind, layer or working directory that would expose the
# state directory (or nook-oci's root) is given to a sandbox (refused, or the working directory
# is not bound); the state holds the resolved spec and the compiled filter,
# authenticated with a secret from the user keyring, and a state that does
# not check out is refused, never obeyed.  `nook exec` applies the stored
# filter: a policy file edited since, or a relative path from another
# directory, changes nothing.

load "$NOOK_TESTS/lib.sh"
load "$NOOK_TESTS/integration/oci.bash"
NOOK_OCI=${NOOK_OCI:-$(dirname "$NOOK")/nook-oci}

setup() { use_private_state; }

teardown() {
  remove_private_state
  [ -z "${victim:-}" ] || kill "$victim" 2>/dev/null || true
  # The supervisors of states this test forged: nook rightly refuses them.
  [ -z "${forged_sup:-}" ] || kill "$forged_sup" 2>/dev/null || true
}

# Seccomp, its filter count, the capability sets and no_new_privs of a
# process, from its /proc/PID/status text on stdin.
security_of() { grep -E '^(Seccomp|Seccomp_filters|CapEff|CapPrm|CapBnd|CapAmb|NoNewPrivs):' | sort; }

# The security of what `nook exec REF` runs, and of the sandbox's command
# (PID 2: nook-init's child), both read inside the sandbox.
exec_security() { nook exec "$1" -- cat /proc/self/status | security_of; }
command_security() { nook exec "$1" -- cat /proc/2/status | security_of; }

# Changes state.json of sandbox ID with jq, as another process of the caller can.
tamper() { # ID JQ-FILTER
  local f="$STATE/sandboxes/$1/state.json"
  jq -c "$2" "$f" >"$f.new"
  cat "$f.new" >"$f"
  rm -f "$f.new"
}

# The next command on sandbox REF is refused with one line and 125.
assert_refused() { # REF COMMAND...
  local ref=$1
  shift
  run nook "$@"
  assert_status 125
  assert_one_error_line
  [[ "$output" == *"not as nook wrote it"* || "$output" == *"does not carry that name"* ]] || {
    echo "unexpected refusal: $output" >&2
    return 1
  }
}

@test "the state directory under /tmp: --bind /tmp /tmp is refused, and the cwd /tmp is not bound" {
  unset XDG_RUNTIME_DIR
  STATE=/tmp/nook-$(id -u)
  cd /tmp
  run nook run --bind /tmp /tmp -- true
  assert_status 125
  assert_one_error_line
  assert_output_has "bind source \`/tmp\` would give the sandbox nook's state directory \`$STATE\`"
  run nook run --volume /tmp:/mnt -- true
  assert_status 125
  assert_one_error_line
  # From /tmp the sandbox runs, but nothing of the host's /tmp reaches it.
  run nook run -- sh -c "test -e $STATE && echo reached; ls -A /tmp"
  assert_status 0
  assert_output_lacks reached
  assert_output_lacks "nook-$(id -u)"
}

@test "the attack from inside: a sandbox started where it could reach its state cannot rewrite it" {
  # The attack: from a working directory that holds the state, the
  # sandbox rewrites its own options; the next nook exec obeyed them.
  cd "$XDG_RUNTIME_DIR"
  id=$(nook run -d --name inside -- sh -c '
    for f in "$PWD"/nook/sandboxes/*/state.json; do
      sed -i "s/\"options\":\[/\"options\":[\"--seccomp\",\"unconfined\",\"--cap-add\",\"ALL\",/" "$f" 2>/dev/null
    done
    echo attacked
    sleep 1000')
  wait_until 10 sh -c '"$NOOK" logs inside | grep -q attacked'
  [ "$(jq -r '.options[0]' "$STATE/sandboxes/$id/state.json")" = -d ]
  run nook exec inside -- sh -c 'pwd; ls -A'
  assert_status 0
  # The directory that holds the state is not bound: the command started
  # in its own empty /tmp.
  [ "${lines[0]}" = /tmp ]
  assert_output_lacks nook
  [ "$(exec_security inside)" = "$(command_security inside)" ]
  exec_security inside | grep -qx 'Seccomp:.2'
}

@test "binds, layers and a --rootfs that expose the state directory are refused; nothing is left" {
  mkdir -p "$BATS_TEST_TMPDIR/w"
  ln -s "$XDG_RUNTIME_DIR" "$BATS_TEST_TMPDIR/w/link"
  for args in "--bind $XDG_RUNTIME_DIR /x" "--ro-bind $STATE /x" "--bind $STATE/sandboxes /x" \
    "--dev-bind $XDG_RUNTIME_DIR/nook/../nook /x" "--bind-try $BATS_TEST_TMPDIR/w/link /x" \
    "--volume $XDG_RUNTIME_DIR:/x:ro" "--bind / /host" "--layer $XDG_RUNTIME_DIR --layers-at /x" \
    "--rootfs /" "--layer $BATS_TEST_TMPDIR --upper $STATE/up --layers-at /x"; do
    run nook run $args -- true
    assert_status 125
    assert_one_error_line
    assert_output_has "would give the sandbox nook's state directory \`$(realpath "$STATE")\`"
    assert_output_has "Hint:"
  done
  [ -z "$(ls -A "$STATE/sandboxes")" ]
  [ ! -e "$STATE/up" ]
  # A directory beside it is fine.
  run nook run --bind "$BATS_TEST_TMPDIR/w" /x -- true
  assert_status 0
}

@test "a working directory that holds the state is not bound: the sandbox runs in an empty one" {
  cd "$XDG_RUNTIME_DIR"
  echo mine >"$XDG_RUNTIME_DIR/file"
  run nook run -- sh -c 'pwd; cat file'
  assert_output_lacks mine
  [ "${lines[0]}" != "$XDG_RUNTIME_DIR" ]
}

@test "every field of state.json changed by another process: exec, inspect, kill, rm and ps refuse it" {
  sleep 1000 &
  victim=$!
  for filter in \
    '.options = ["--seccomp", "unconfined", "--cap-add", "ALL", "--"]' \
    '.command = ["sh", "-c", "echo forged"]' \
    '.spec.security.capabilities = "000001ffffffffff"' \
    '.spec.security.seccomp = null' \
    '.spec.security.seccomp.sha256 = "0000"' \
    '.spec.security.no_new_privs = false' \
    '.spec.uid = 1' \
    ".init.pid = $victim" \
    '.init.start = 1' \
    '.supervisor.pid = 1' \
    '.status = "exited"' \
    'del(.mac)' \
    '.mac = "00"'; do
    id=$(nook run -d --name t -- sleep 1000)
    sup=$(jq -r .supervisor.pid "$STATE/sandboxes/$id/state.json")
    tamper "$id" "$filter"
    assert_refused t exec t -- true
    assert_refused t inspect t
    assert_refused t top t
    assert_refused t kill t
    run nook ps -a
    assert_status 0
    assert_output_lacks " t "
    assert_output_has "sandbox $id is not as nook wrote it"
    # The victim named by a forged pid is never signalled.
    kill -0 "$victim"
    # rm refuses while its supervisor runs, and removes it once it is gone.
    assert_refused t rm -f t
    kill "$sup"
    wait_until 10 sh -c "! kill -0 $sup 2>/dev/null"
    # Its state is then removed: by rm, or already by the sweep when the
    # supervisor died before it recorded the end over the forged state.
    run nook rm "$id"
    [ "$status" -eq 0 ] || assert_output_has "no sandbox \`$id\`"
    [ ! -e "$STATE/sandboxes/$id" ]
    [ ! -e "$STATE/names/t" ]
  done
}

@test "the stored filter replaced by an allow-all program: exec and inspect refuse it" {
  id=$(nook run -d --name f -- sleep 1000)
  forged_sup=$(jq -r .supervisor.pid "$STATE/sandboxes/$id/state.json")
  f="$STATE/sandboxes/$id/seccomp.bpf"
  [ "$(jq -r .spec.security.seccomp.sha256 "$STATE/sandboxes/$id/state.json")" = "$(sha256sum <"$f" | cut -d' ' -f1)" ]
  # Two programs of one instruction each: { BPF_RET|BPF_K, 0, 0, SECCOMP_RET_ALLOW }.
  allow='\x06\x00\x00\x00\x00\x00\xff\x7f'
  printf "NOOKFLT1\x01\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00$allow$allow" >"$f"
  assert_refused f exec f -- true
  assert_refused f inspect f
  # The file removed, or a symlink in its place: refused too.
  rm "$f"
  assert_refused f exec f -- true
  ln -s /dev/null "$f"
  assert_refused f exec f -- true
  # Another sandbox's state (unconfined, valid for that one) copied whole.
  other=$(nook run -d --seccomp unconfined --name g -- sleep 1000)
  cp "$STATE/sandboxes/$other/state.json" "$STATE/sandboxes/$id/state.json"
  assert_refused f exec "$id" -- true
  # A symlink in place of the state is not followed.
  ln -sf "$STATE/sandboxes/$other/state.json" "$STATE/sandboxes/$id/state.json"
  assert_refused f exec "$id" -- true
}

@test "a foreground run's file entry changed by another process: a whole forged line is refused, a partial one not read" {
  "$NOOK" run --name fe -- sleep 1000 </dev/null &
  forged_sup=$!
  wait_until 10 sh -c '"$NOOK" ps | grep -q " fe "'
  id=$(nook ps -q)
  f="$STATE/sandboxes/$id"
  [ -f "$f" ]
  good=$(tail -n 1 "$f")
  # The current state is the last whole line: one still being written (no
  # newline yet) is not read, whatever it says.
  printf '{"id":"%s","status":"exited","init":{"pid":1,"start":1}' "$id" >>"$f"
  run nook inspect fe
  assert_status 0
  [ "$(echo "$output" | jq -r .status)" = running ]
  # Made whole without nook's MAC: refused, never obeyed.
  printf '}\n' >>"$f"
  assert_refused fe exec fe -- true
  assert_refused fe inspect fe
  run nook ps
  assert_output_has "sandbox $id is not as nook wrote it"
  # The programs at its head replaced by an allow-all one, the state left
  # as nook wrote it: refused too.
  [ "$(head -c 8 "$f")" = NOOKFLT1 ]
  allow='\x06\x00\x00\x00\x00\x00\xff\x7f'
  { printf "NOOKFLT1\x01\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00$allow$allow"; echo "$good"; } >"$f.new"
  cat "$f.new" >"$f"
  rm "$f.new"
  assert_refused fe exec fe -- true
  assert_refused fe inspect fe
}

@test "a names/ link pointed at another sandbox: the name does not lead there" {
  a=$(nook run -d --name a -- sleep 1000)
  b=$(nook run -d --name b --seccomp unconfined --cap-add ALL -- sleep 1000)
  ln -sfn "$b" "$STATE/names/a"
  assert_refused a exec a -- true
  assert_refused a kill a
  assert_refused a inspect a
  # Both sandboxes are untouched and still reachable by id.
  run nook exec "$a" -- cat /proc/self/status
  assert_status 0
  assert_output_has "Seccomp:	2"
  # A link that leaves names/ is no name at all (a name that cannot be
  # the prefix of an id, which is hexadecimal).
  ln -sfn "../../../tmp" "$STATE/names/zz"
  run nook exec zz -- true
  assert_status 125
  assert_output_has "no sandbox \`zz\`"
}

@test "--seccomp with a relative path: exec from another directory gets the same filter" {
  mkdir -p a b
  cat >a/p.json <<'EOF'
{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]}
EOF
  (cd a && nook run -d --name rel --seccomp ./p.json --cap-drop ALL --cap-add NET_RAW -- sleep 1000 >/dev/null)
  cd b
  run nook exec rel -- mkdir /tmp/made
  assert_status 1
  assert_output_has "Operation not permitted"
  run nook exec rel -- sh -c 'touch /tmp/file && echo touched'
  assert_status 0
  assert_output_has touched
  # The same filters, capabilities and no_new_privs as the command.
  [ "$(exec_security rel)" = "$(command_security rel)" ]
  exec_security rel | grep -qx 'Seccomp:.2'
  exec_security rel | grep -qx 'NoNewPrivs:.1'
  exec_security rel | grep -qx 'CapEff:.0000000000002000'
  run nook inspect rel
  assert_status 0
  jq -e '.security.seccomp == "filter" and .security.no_new_privs' <<<"$output"
  # And the same ids.
  (cd ../a && nook run -d --name uid --map-users auto --uid 1000 --gid 1000 --seccomp ./p.json -- sleep 1000 >/dev/null)
  [ "$(nook exec uid -- id -u):$(nook exec uid -- id -g)" = 1000:1000 ]
  [ "$(exec_security uid)" = "$(command_security uid)" ]
}

@test "a policy file edited after the start does not change what exec gets" {
  cat >p.json <<'EOF'
{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]}
EOF
  nook run -d --name edited --seccomp "$PWD/p.json" -- sleep 1000 >/dev/null
  echo '{"defaultAction":"SCMP_ACT_ALLOW"}' >p.json
  run nook exec edited -- mkdir /tmp/made
  assert_status 1
  assert_output_has "Operation not permitted"
  rm p.json
  run nook exec edited -- mkdir /tmp/made
  assert_status 1
  assert_output_has "Operation not permitted"
}

@test "an OCI container whose mounts would reach nook-oci's state root is refused; nothing is left" {
  oci_setup
  set_args "$BUNDLE" sh -c 'for f in /r/*/config.json /r/oci-root/*/config.json; do [ -f "$f" ] && echo "{}" > "$f" && echo FORGED; done; true'
  mkdir "$BUNDLE/rootfs/r"
  ln -s "$OCI_ROOT" "$BATS_TEST_TMPDIR/root-link"
  mkdir -p "$OCI_ROOT"
  for src in "$OCI_ROOT" "$BATS_TEST_TMPDIR/root-link" "$XDG_RUNTIME_DIR/oci-root/../oci-root" "$OCI_ROOT/box"; do
    jq --arg s "$src" '.mounts += [{"destination": "/r", "type": "bind", "source": $s, "options": ["rbind", "rw"]}]' \
      "$BUNDLE/config.json" >"$BATS_TEST_TMPDIR/config.json"
    run "$NOOK_OCI" --root "$OCI_ROOT" run --bundle "$BUNDLE" --config "$BATS_TEST_TMPDIR/config.json" box </dev/null
    [ "$status" -ne 0 ]
    assert_output_lacks FORGED
    assert_output_has "would give the sandbox nook-oci's state root \`$(realpath "$OCI_ROOT")\`"
    [ -z "$(ls -A "$OCI_ROOT")" ]
  done
  # A directory beside it is fine.
  mkdir "$BATS_TEST_TMPDIR/beside"
  jq --arg s "$BATS_TEST_TMPDIR/beside" '.mounts += [{"destination": "/r", "type": "bind", "source": $s, "options": ["rbind", "rw"]}]' \
    "$BUNDLE/config.json" >"$BATS_TEST_TMPDIR/config.json"
  run "$NOOK_OCI" --root "$OCI_ROOT" run --bundle "$BUNDLE" --config "$BATS_TEST_TMPDIR/config.json" box </dev/null
  assert_status 0
  oci_teardown
}

@test "symlinks planted beside an --upper steer none of nook's writes: layers.json and the work directory" {
  cd "$BATS_TEST_TMPDIR"
  mkdir -p base/bin && cp /bin/busybox base/bin/
  for a in sh ln rm; do ln -s busybox "base/bin/$a"; done
  echo precious >victim
  mkdir -p victimdir/work && echo keep >victimdir/work/keep
  # The project is bound read-write, and the upper is inside it.
  run nook run --layer base --upper upper -v "$PWD:/proj" -- \
    sh -c 'cd /proj && rm .upper.nook/layers.json && ln -s ../victim .upper.nook/layers.json'
  assert_status 0
  [ -L .upper.nook/layers.json ]
  run nook run --layer base --upper upper -- sh -c 'echo ok'
  assert_status 0
  [ "$(cat victim)" = precious ]
  [ -f .upper.nook/layers.json ] && [ ! -L .upper.nook/layers.json ]
  run nook diff upper
  assert_status 0
  # The work directory, replaced while the overlay is mounted: the
  # clean-up at the end of that run does not follow it either.
  run nook run --layer base --upper upper -v "$PWD:/proj" -- \
    sh -c 'cd /proj && rm -rf .upper.nook/work && ln -s ../victimdir .upper.nook/work'
  assert_status 0
  [ "$(stat -c %a victimdir/work)" = 755 ]
  run nook run --layer base --upper upper -- sh -c 'echo ran'
  assert_status 125
  assert_output_has "is not a directory of nook's"
  [ "${#lines[@]}" -eq 1 ]
  [ "$(cat victimdir/work/keep)" = keep ]
  [ "$(stat -c %a victimdir/work)" = 755 ]
}
