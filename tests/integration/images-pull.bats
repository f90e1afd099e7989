#!/usr/bin/env bats
# nook pull from a real registry (Debian's docker-registry) on a loopback
# port, filled by skopeo with images made in the test.

load "$NOOK_TESTS/lib.sh"
load images

setup() {
  require "busybox-static is installed" test -x "$BUSYBOX"
  require "skopeo is installed" command -v skopeo
  require "docker-registry is installed" command -v docker-registry
  use_private_store
  start_registry
}

teardown() {
  [ -n "${REGISTRY_PID:-}" ] && kill "$REGISTRY_PID" 2>/dev/null && wait "$REGISTRY_PID" 2>/dev/null
  [ -d "$STORE" ] && chmod -R u+w "$STORE" 2>/dev/null
  return 0
}

push() { # LAYOUT TAG
  skopeo copy --quiet --all --dest-tls-verify=false "oci:$1:latest" "docker://$REG/fx:$2"
}

@test "pull: by tag, then run its Cmd with its Env and WorkingDir; blobs are listed on stderr" {
  make_oci_layout layout
  push layout 1
  run --separate-stderr nook pull --tls-verify=false "$REG/fx:1"
  assert_status 0
  [[ "$output" =~ ^[0-9a-f]{64}$ ]]
  [ "$(printf '%s\n' "$stderr" | grep -c '^Copying blob sha256:')" = 3 ]
  run nook run --image "$REG/fx:1"
  assert_status 0
  [ "$output" = "$(printf 'bar\n/work')" ]
  # Pulled again: the same image, stored once, the download layout gone.
  run nook pull -q --tls-verify=false "$REG/fx:1"
  assert_status 0
  [ "$(ls "$STORE/layers" | wc -l)" = 2 ]
  [ -z "$(ls "$STORE/tmp")" ]
}

@test "pull: by digest" {
  make_oci_layout layout
  push layout 1
  digest=$(skopeo inspect --tls-verify=false "docker://$REG/fx:1" | jq -r .Digest)
  run nook pull -q --tls-verify=false "$REG/fx@$digest"
  assert_status 0
  run nook run --image "${output:0:12}"
  assert_status 0
  [ "$output" = "$(printf 'bar\n/work')" ]
}

@test "pull: a manifest list gives this platform's image; a zstd layer unpacks" {
  LAYER2=zstd make_oci_layout layout
  make_multiarch layout
  push layout multi
  run nook pull -q --tls-verify=false "$REG/fx:multi"
  assert_status 0
  run nook run --image "$REG/fx:multi" -- sh -c 'echo $FOO; ls /opq; test -e /etc/greeting || echo whiteout'
  assert_status 0
  [ "$output" = "$(printf 'bar\nc\nwhiteout')" ]
}

@test "pull: a blob the registry serves corrupted is refused with one line; the store is unchanged" {
  make_oci_layout layout
  push layout 1
  layer=$(jq -r '.layers[1].digest' "layout/blobs/sha256/$(jq -r '.manifests[0].digest' layout/index.json | cut -d: -f2)" | cut -d: -f2)
  data="registry/data/docker/registry/v2/blobs/sha256/${layer:0:2}/$layer/data"
  [ -f "$data" ]
  cp "$data" good
  corrupt "$data" 50
  run nook pull -q --tls-verify=false "$REG/fx:1"
  assert_status 125
  assert_one_error_line
  assert_output_has "sha256:$layer"
  assert_output_has "corrupted"
  run nook images -q
  [ -z "$output" ]
  [ -z "$(ls "$STORE/layers")" ]
  # The next pull starts from the blobs the failed one completed.
  cp good "$data"
  run --separate-stderr nook pull --tls-verify=false "$REG/fx:1"
  assert_status 0
  [ "$(printf '%s\n' "$stderr" | grep -c 'already here')" = 2 ]
  run nook run --image "$REG/fx:1"
  [ "$output" = "$(printf 'bar\n/work')" ]
}

@test "pull: a wrong tag, an unreachable registry and TLS to a plain registry fail with one line" {
  run nook pull --tls-verify=false "$REG/fx:nosuch"
  assert_status 125
  assert_one_error_line
  assert_output_has "fx:nosuch"
  assert_output_has "HTTP 404"
  kill "$REGISTRY_PID"
  wait "$REGISTRY_PID" 2>/dev/null || true
  REGISTRY_PID=
  run nook pull --tls-verify=false "$REG/fx:1"
  assert_status 125
  assert_one_error_line
  assert_output_has "reachable"
  run nook pull "not a ref"
  assert_status 125
  assert_one_error_line
  run nook images -q
  [ -z "$output" ]
}

@test "pull: without --tls-verify=false a registry without TLS is refused with a hint" {
  make_oci_layout layout
  push layout 1
  run nook pull "$REG/fx:1"
  assert_status 125
  assert_one_error_line
  assert_output_has "--tls-verify=false"
}

@test "pull: two concurrent pulls of one image store it once" {
  make_oci_layout layout
  push layout 1
  pids=()
  for i in 1 2 3; do
    nook pull -q --tls-verify=false "$REG/fx:1" >"out.$i" 2>&1 &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || true; done
  cat out.*
  for i in 1 2 3; do grep -qE '^[0-9a-f]{64}$' "out.$i"; done
  [ "$(ls "$STORE/layers" | wc -l)" = 2 ]
  run nook images -q
  [ "$(printf '%s\n' "$output" | wc -l)" = 1 ]
}

@test "pull: a registry with basic auth refuses without credentials and with wrong ones, accepts auth.json's" {
  kill "$REGISTRY_PID"
  wait "$REGISTRY_PID" 2>/dev/null || true
  python3 -W ignore -c "import crypt; print('alice:' + crypt.crypt('secret', crypt.mksalt(crypt.METHOD_BLOWFISH)))" >htpasswd
  start_registry htpasswd "$BATS_TEST_TMPDIR/htpasswd"
  make_oci_layout layout
  skopeo copy --quiet --dest-tls-verify=false --dest-creds alice:secret oci:layout:latest "docker://$REG/fx:1"
  run nook pull -q --tls-verify=false "$REG/fx:1"
  assert_status 125
  assert_one_error_line
  assert_output_has "refused the login"
  mkdir -p "$XDG_RUNTIME_DIR/containers"
  printf '{"auths":{"%s":{"auth":"%s"}}}' "$REG" "$(printf alice:wrong | base64)" >"$XDG_RUNTIME_DIR/containers/auth.json"
  run nook pull -q --tls-verify=false "$REG/fx:1"
  assert_status 125
  assert_one_error_line
  assert_output_has "refused"
  printf '{"auths":{"%s":{"auth":"%s"}}}' "$REG" "$(printf alice:secret | base64)" >"$XDG_RUNTIME_DIR/containers/auth.json"
  run nook pull -q --tls-verify=false "$REG/fx:1"
  assert_status 0
  run nook run --image "$REG/fx:1"
  [ "$output" = "$(printf 'bar\n/work')" ]
}

@test "pull: a short name is tried on each of registries.conf's search registries; run finds it by that name" {
  make_oci_layout layout
  push layout 1
  export XDG_CONFIG_HOME="$BATS_TEST_TMPDIR/config"
  mkdir -p "$XDG_CONFIG_HOME/containers"
  # The first has nothing listening: the pull goes on to the second.
  printf '# search\nunqualified-search-registries = ["127.0.0.1:1", "%s"]\n' "$REG" >"$XDG_CONFIG_HOME/containers/registries.conf"
  run nook pull -q --tls-verify=false fx:1
  assert_status 0
  run nook images
  assert_output_has "$REG/fx"
  run nook run --image fx:1
  assert_status 0
  [ "$output" = "$(printf 'bar\n/work')" ]
}

@test "run REF: a registry reference not in the store is pulled first (--pull=missing); --pull=never refuses; --pull=always pulls again" {
  make_oci_layout layout
  push layout 1
  run nook run --pull=never --tls-verify=false "$REG/fx:1"
  assert_status 125
  assert_one_error_line
  assert_output_has "--pull=never"
  run nook images -q
  [ -z "$output" ]
  run --separate-stderr nook run --tls-verify=false "$REG/fx:1"
  assert_status 0
  [ "$output" = "$(printf 'bar\n/work')" ]
  # No progress lines on stderr when it is not a terminal.
  [ -z "$stderr" ]
  run nook images -q
  [ "$(printf '%s\n' "$output" | wc -l)" = 1 ]
  # Another image under the same tag (User alice): missing keeps the stored
  # one, always pulls the new one.
  make_oci_layout layout2 alice
  push layout2 1
  run nook run --tls-verify=false "$REG/fx:1" id -u
  [ "$output" = 0 ]
  run nook run --pull=always --tls-verify=false "$REG/fx:1" id -u
  assert_status 0
  [ "$output" = 1000 ]
  run nook images -q
  [ "$(printf '%s\n' "$output" | wc -l)" = 2 ]
}

@test "pull: on a terminal each blob's line is redrawn as it arrives; in a pipe, plain lines" {
  make_oci_layout layout
  push layout 1
  run "$NOOK_TESTS/ptyrun" '' "$NOOK" pull --tls-verify=false "$REG/fx:1"
  assert_output_has "exit: 0"
  # A line drawn while the blob arrives (bytes of the whole, a percentage),
  # then, erased, its final line (ptyrun shows the terminal's text without
  # the carriage returns).
  drawn=$'\e''\[KCopying blob sha256:[0-9a-f]{12} [0-9.]+ [kMG]?B / [0-9.]+ [kMG]?B +[0-9]+%'$'\e''\[KCopying blob '
  [[ "$output" =~ $drawn ]]
  [ "$(printf '%s\n' "$output" | grep -c $'\e''\[KCopying blob sha256:[0-9a-f]\{12\} [0-9.]* [kMG]*B$')" = 3 ]
  nook rmi "$REG/fx:1" >/dev/null
  nook image prune >/dev/null
  run --separate-stderr nook pull --tls-verify=false "$REG/fx:1"
  assert_status 0
  [ "$(printf '%s\n' "$stderr" | grep -c $'\r')" = 0 ]
  [ "$(printf '%s\n' "$stderr" | grep -c '^Copying blob sha256:[0-9a-f]\{12\} ')" = 3 ]
}
