#!/usr/bin/env bats
# nook diff SANDBOX, nook commit and nook push: a sandbox's changes as a
# new image, pushed to a real registry (Debian's docker-registry) on a
# loopback port, and pulled back.

load "$NOOK_TESTS/lib.sh"
load images

setup() {
  require "busybox-static is installed" test -x "$BUSYBOX"
  use_private_store
  make_oci_layout layout
  nook load layout fx >/dev/null
}

teardown() {
  stop_registry
  [ -n "${TOKEN_PID:-}" ] && kill "$TOKEN_PID" 2>/dev/null && wait "$TOKEN_PID" 2>/dev/null
  [ -d "$STORE" ] && chmod -R u+w "$STORE" 2>/dev/null
  return 0
}

# A kept sandbox of fx that added /work/new, deleted /etc/passwd's
# neighbour /etc/group, and emptied /opq (an opaque directory).
kept_sandbox() {
  run nook run --keep --name box fx sh -c 'echo made > /work/new; rm /etc/group; rm -r /opq; mkdir /opq; echo d > /opq/d'
  assert_status 0
}

@test "diff SANDBOX: a kept sandbox's changes, read from the upper its state names" {
  kept_sandbox
  run nook diff box
  assert_status 0
  assert_output_has "A /work/new"
  assert_output_has "D /etc/group"
  run nook diff --json box
  [ "$(printf '%s' "$output" | jq -r '.[] | select(.path == "/work/new") | .kind')" = A ]
  # While it runs, too.
  id=$(nook run -d fx sh -c 'touch /running; sleep 300')
  wait_until 10 sh -c "'$NOOK' diff ${id:0:12} | grep -q 'A /running'"
  "$NOOK" rm -f "$id" >/dev/null
  run nook diff nosuch
  assert_status 125
  assert_one_error_line
}

@test "commit: a sandbox's changes are a new image on top of its own; whiteouts and opaque directories hold" {
  kept_sandbox
  run --separate-stderr nook commit box fx:committed
  assert_status 0
  [[ "$output" =~ ^[0-9a-f]{64}$ ]]
  run nook image inspect fx:committed
  [ "$(printf '%s' "$output" | jq -r '.[0].RootFS.Layers | length')" = 3 ]
  [ "$(printf '%s' "$output" | jq -r '.[0].Config.WorkingDir')" = /work ]
  run nook run fx:committed sh -c 'cat /work/new; test -e /etc/group || echo no-group; ls /opq'
  assert_status 0
  [ "$output" = "$(printf 'made\nno-group\nd')" ]
  # Its Cmd and Env are the base image's.
  run nook run fx:committed
  [ "$output" = "$(printf 'bar\n/work')" ]
  # The layer's tar held OCI's whiteout and opaque marker, stored again as
  # overlayfs reads them.
  new=$(printf '%s' "$(nook image inspect fx:committed)" | jq -r '.[0].RootFS.Layers[2]' | cut -d: -f2)
  [ -c "$STORE/layers/$new/root/etc/group" ]
  [ "$(getfattr --only-values -n user.overlay.opaque "$STORE/layers/$new/root/opq")" = y ]
  run nook commit nosuch img
  assert_status 125
  assert_one_error_line
  run nook images -q
  [ "$(printf '%s\n' "$output" | wc -l)" = 2 ]
}

@test "commit: a sandbox not run from an image is refused with one line" {
  make_rootfs lay
  run nook run --keep --name plain --layer lay --upper up -- echo hi
  assert_status 0
  run nook commit plain img
  assert_status 125
  assert_one_error_line
  assert_output_has "not run from an image"
}

push_fixture() {
  require "docker-registry is installed" command -v docker-registry
  require "skopeo is installed" command -v skopeo
}

@test "push: commit, push, rmi, pull, run: the same image id and content; a second push sends nothing" {
  push_fixture
  start_registry
  kept_sandbox
  nook commit box fx:committed >/dev/null
  sum=$(nook run fx:committed busybox sha256sum /work/new /bin/busybox)
  run --separate-stderr nook push --tls-verify=false fx:committed "$REG/app:1"
  assert_status 0
  [[ "$output" =~ ^sha256:[0-9a-f]{64}$ ]]
  digest=$output
  pushed=$(printf '%s\n' "$stderr" | sed -n 's/^Pushed image sha256:\(.*\)/\1/p')
  # The registry serves what was pushed: skopeo reads the same digest.
  [ "$(skopeo inspect --tls-verify=false "docker://$REG/app:1" | jq -r .Digest)" = "$digest" ]
  run --separate-stderr nook push --tls-verify=false fx:committed "$REG/app:1"
  [ "$output" = "$digest" ]
  [ "$(printf '%s\n' "$stderr" | grep -c 'already there')" = 4 ]
  nook rm box >/dev/null
  nook rmi fx:committed fx >/dev/null
  run nook images -q
  [ -z "$output" ]
  run nook pull -q --tls-verify=false "$REG/app:1"
  assert_status 0
  [ "${output:0:12}" = "$pushed" ]
  run nook run "$REG/app:1" busybox sha256sum /work/new /bin/busybox
  [ "$output" = "$sum" ]
  # Pushed again from the pulled copy: the same manifest.
  run nook push -q --tls-verify=false "$REG/app:1" "$REG/app:2"
  [ "$output" = "$digest" ]
}

@test "push: a registry with Bearer token auth (a token service): refused without credentials, works with auth.json's" {
  push_fixture
  openssl req -x509 -newkey rsa:2048 -nodes -keyout token.key -out token.crt -days 1 -subj /CN=nook-token 2>/dev/null
  tport=$(free_port)
  python3 "$NOOK_TESTS/integration/token-server.py" "$tport" token.key token.crt alice:secret 3>&- &
  TOKEN_PID=$!
  wait_until 20 sh -c "curl -s -o /dev/null http://127.0.0.1:$tport/"
  start_registry token "http://127.0.0.1:$tport/token" "$BATS_TEST_TMPDIR/token.crt"
  run nook push -q --tls-verify=false fx "$REG/app:1"
  assert_status 125
  assert_one_error_line
  assert_output_has "refused"
  mkdir -p "$XDG_RUNTIME_DIR/containers"
  printf '{"auths":{"%s":{"auth":"%s"}}}' "$REG" "$(printf alice:secret | base64)" >"$XDG_RUNTIME_DIR/containers/auth.json"
  run nook push -q --tls-verify=false fx "$REG/app:1"
  assert_status 0
  grep -q "repository:app:pull,push" token-server.log
  nook rmi fx >/dev/null
  run nook pull -q --tls-verify=false "$REG/app:1"
  assert_status 0
  run nook run "$REG/app:1"
  [ "$output" = "$(printf 'bar\n/work')" ]
}

@test "push: a registry with Basic auth (htpasswd) refuses without credentials, takes auth.json's" {
  push_fixture
  python3 -W ignore -c "import crypt; print('alice:' + crypt.crypt('secret', crypt.mksalt(crypt.METHOD_BLOWFISH)))" >htpasswd
  start_registry htpasswd "$BATS_TEST_TMPDIR/htpasswd"
  run nook push -q --tls-verify=false fx "$REG/app:1"
  assert_status 125
  assert_one_error_line
  assert_output_has "refused"
  mkdir -p "$XDG_RUNTIME_DIR/containers"
  printf '{"auths":{"%s":{"auth":"%s"}}}' "$REG" "$(printf alice:secret | base64)" >"$XDG_RUNTIME_DIR/containers/auth.json"
  run nook push -q --tls-verify=false fx "$REG/app:1"
  assert_status 0
  [ "$(skopeo inspect --tls-verify=false --creds alice:secret "docker://$REG/app:1" | jq -r .Digest)" = "$output" ]
}

@test "push: a short name or a digest as the destination, and an unknown image, fail with one line" {
  run nook push fx app:1
  assert_status 125
  assert_one_error_line
  run nook push fx localhost:1/app@sha256:0000000000000000000000000000000000000000000000000000000000000000
  assert_status 125
  assert_one_error_line
  run nook push nosuch localhost:1/app:1
  assert_status 125
  assert_one_error_line
}
