# Shared by the images-*.bats suites: real images built from busybox-static.
#
# make_rootfs DIR       a busybox root filesystem
# make_oci_layout DIR [USER]  an OCI image layout of two gzip'd layers (made by
#                       hand, then checked by skopeo when it copies it):
#   layer 1: the busybox root, /etc/greeting, /opq/{a,b}, /work, a file
#            owned by 1000:1000 (/home/owned) and a set-uid one of it
#   layer 2: /etc/.wh.greeting (deletes it), /opq/.wh..wh..opq + /opq/c
#   config:  Env FOO=bar, WorkingDir /work, Cmd sh -c 'echo $FOO; pwd'

BUSYBOX=${BUSYBOX:-/bin/busybox}

make_rootfs() { # DIR
  local d=$1 c
  mkdir -p "$d/bin" "$d/etc" "$d/work" "$d/root"
  cp "$BUSYBOX" "$d/bin/busybox"
  for c in sh ls cat echo env pwd id test stat touch rm mkdir sleep; do ln -s busybox "$d/bin/$c"; done
  printf 'root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000::/home:/bin/sh\n' >"$d/etc/passwd"
  printf 'root:x:0:\nalice:x:1000:\n' >"$d/etc/group"
  echo hello >"$d/etc/greeting"
}

# Writes FILE to DIR/blobs/sha256/ and prints "DIGEST SIZE".
add_blob() { # DIR FILE
  local sum size
  sum=$(sha256sum "$2" | cut -d' ' -f1)
  size=$(stat -c %s "$2")
  mkdir -p "$1/blobs/sha256"
  cp "$2" "$1/blobs/sha256/$sum"
  echo "sha256:$sum $size"
}

make_oci_layout() { # DIR [USER]
  local out=$1 user=${2:+,\"User\":\"$2\"} w
  w=$(mktemp -d "$BATS_TEST_TMPDIR/oci.XXXXXX")
  make_rootfs "$w/l1"
  mkdir -p "$w/l1/opq" "$w/l1/home" "$w/l2/etc" "$w/l2/opq"
  echo a >"$w/l1/opq/a"
  echo b >"$w/l1/opq/b"
  echo c >"$w/l2/opq/c"
  touch "$w/l2/etc/.wh.greeting" "$w/l2/opq/.wh..wh..opq"
  mkdir -p "$w/own/home" && echo mine >"$w/own/home/owned" && cp "$BUSYBOX" "$w/own/home/suid"
  chmod 4755 "$w/own/home/suid"
  tar --owner=0 --group=0 --numeric-owner -C "$w/l1" -cf "$w/l1.tar" .
  tar --owner=1000 --group=1000 --numeric-owner -C "$w/own" -rf "$w/l1.tar" home/owned home/suid
  tar --owner=0 --group=0 --numeric-owner -C "$w/l2" -cf "$w/l2.tar" .
  local d1 d2 b1 b2 cfg man
  d1=sha256:$(sha256sum "$w/l1.tar" | cut -d' ' -f1)
  d2=sha256:$(sha256sum "$w/l2.tar" | cut -d' ' -f1)
  gzip -n "$w/l1.tar"
  # LAYER2=zstd: the second layer compressed with zstd instead of gzip.
  local t2=tar+gzip
  if [ "${LAYER2:-}" = zstd ]; then
    zstd -q --rm "$w/l2.tar" -o "$w/l2.tar.gz"
    t2=tar+zstd
  else
    gzip -n "$w/l2.tar"
  fi
  mkdir -p "$out"
  echo '{"imageLayoutVersion": "1.0.0"}' >"$out/oci-layout"
  read -r b1 s1 < <(add_blob "$out" "$w/l1.tar.gz")
  read -r b2 s2 < <(add_blob "$out" "$w/l2.tar.gz")
  cat >"$w/config.json" <<JSON
{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/bin","FOO=bar"],"WorkingDir":"/work","Cmd":["sh","-c","echo \$FOO; pwd"]$user},"rootfs":{"type":"layers","diff_ids":["$d1","$d2"]}}
JSON
  read -r cfg cs < <(add_blob "$out" "$w/config.json")
  cat >"$w/manifest.json" <<JSON
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"$cfg","size":$cs},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"$b1","size":$s1},{"mediaType":"application/vnd.oci.image.layer.v1.$t2","digest":"$b2","size":$s2}]}
JSON
  read -r man ms < <(add_blob "$out" "$w/manifest.json")
  cat >"$out/index.json" <<JSON
{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"$man","size":$ms,"annotations":{"org.opencontainers.image.ref.name":"latest"}}]}
JSON
  rm -rf "$w"
}

# Turns the layout DIR into a multi-platform one: an index whose arm64
# entry is an image whose Env says FOO=arm64, listed first, and whose
# linux/amd64 entry is the image make_oci_layout made.
make_multiarch() { # DIR
  local out=$1 man cfg ms cs am as idx is
  man=$(jq -r '.manifests[0].digest' "$out/index.json")
  ms=$(jq -r '.manifests[0].size' "$out/index.json")
  cfg=$(jq -r '.config.digest' "$out/blobs/sha256/${man#sha256:}")
  jq -c '.architecture="arm64" | .config.Env=["PATH=/bin","FOO=arm64"]' "$out/blobs/sha256/${cfg#sha256:}" >"$BATS_TEST_TMPDIR/arm.json"
  read -r cfg cs < <(add_blob "$out" "$BATS_TEST_TMPDIR/arm.json")
  jq -c ".config.digest=\"$cfg\" | .config.size=$cs" "$out/blobs/sha256/${man#sha256:}" >"$BATS_TEST_TMPDIR/arm-man.json"
  read -r am as < <(add_blob "$out" "$BATS_TEST_TMPDIR/arm-man.json")
  cat >"$BATS_TEST_TMPDIR/index.json" <<JSON
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"$am","size":$as,"platform":{"os":"linux","architecture":"arm64"}},{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"$man","size":$ms,"platform":{"os":"linux","architecture":"amd64"}}]}
JSON
  read -r idx is < <(add_blob "$out" "$BATS_TEST_TMPDIR/index.json")
  cat >"$out/index.json" <<JSON
{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"$idx","size":$is,"annotations":{"org.opencontainers.image.ref.name":"latest"}}]}
JSON
}

# Flips the bits of the byte at OFFSET of FILE: always a different content.
corrupt() { # FILE OFFSET
  python3 -c 'import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(int(sys.argv[2])); b = f.read(1); f.seek(int(sys.argv[2])); f.write(bytes([b[0] ^ 0xff]))' "$1" "$2"
}

# A private image store and state for the test.
use_private_store() {
  cd "$BATS_TEST_TMPDIR"
  export XDG_DATA_HOME="$BATS_TEST_TMPDIR/data"
  export XDG_RUNTIME_DIR="$BATS_TEST_TMPDIR/run"
  mkdir -m 0700 -p "$XDG_RUNTIME_DIR"
  STORE="$XDG_DATA_HOME/nook"
}

# The store's files, their modes and sizes: compared before and after a
# refused operation (uppers/ itself is made by the first run of an image;
# what is in it is listed).
store_listing() {
  (cd "$STORE" && find . -path ./lock -prune -o ! -path ./uppers -printf '%p %s\n' | sort)
}

# A real registry (Debian's docker-registry) on a loopback port: REG is its
# address, REGISTRY_PID its process.  start_registry htpasswd FILE, or
# start_registry token REALM CERT, configures its auth.
# Up when it answers /v2/ (401 with auth).
registry_up() { [[ "$(curl -sS -o /dev/null -w '%{http_code}' "http://$REG/v2/" 2>/dev/null)" =~ ^(200|401)$ ]]; }

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

start_registry() { # [htpasswd FILE | token REALM CERT]
  local port auth=
  port=$(free_port)
  REG=127.0.0.1:$port
  [ "${1:-}" = htpasswd ] && auth="auth:
  htpasswd:
    realm: nook-test
    path: $2"
  [ "${1:-}" = token ] && auth="auth:
  token:
    realm: $2
    service: nook-registry
    issuer: nook-test-issuer
    rootcertbundle: $3"
  mkdir -p registry
  cat >registry/config.yml <<YML
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $BATS_TEST_TMPDIR/registry/data
http:
  addr: $REG
$auth
YML
  # 3>&-: bats waits for whatever holds its fd 3.
  docker-registry serve registry/config.yml >registry/log 2>&1 3>&- &
  REGISTRY_PID=$!
  wait_until 20 registry_up
}


stop_registry() {
  [ -n "${REGISTRY_PID:-}" ] && kill "$REGISTRY_PID" 2>/dev/null && wait "$REGISTRY_PID" 2>/dev/null
  REGISTRY_PID=
  return 0
}

# Rewrites the config of the layout DIR (made by make_oci_layout) with the
# jq filter EXPR: a new config blob, manifest and index.
set_config() { # DIR EXPR
  local out=$1 man cfg cs ms
  man=$(jq -r '.manifests[0].digest' "$out/index.json")
  cfg=$(jq -r '.config.digest' "$out/blobs/sha256/${man#sha256:}")
  jq -c "$2" "$out/blobs/sha256/${cfg#sha256:}" >"$BATS_TEST_TMPDIR/set-config.json"
  read -r cfg cs < <(add_blob "$out" "$BATS_TEST_TMPDIR/set-config.json")
  jq -c ".config.digest=\"$cfg\" | .config.size=$cs" "$out/blobs/sha256/${man#sha256:}" >"$BATS_TEST_TMPDIR/set-man.json"
  read -r man ms < <(add_blob "$out" "$BATS_TEST_TMPDIR/set-man.json")
  jq -c ".manifests[0].digest=\"$man\" | .manifests[0].size=$ms" "$out/index.json" >"$BATS_TEST_TMPDIR/set-index.json"
  mv "$BATS_TEST_TMPDIR/set-index.json" "$out/index.json"
}
