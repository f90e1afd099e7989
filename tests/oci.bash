# Shared by the tests in which container engines (podman, buildah, containerd)
# drive nook-oci: the runtime under test and a busybox image made on the spot,
# from Debian's busybox-static, without a registry or the network.

# The runtime the engines are given: nook-oci (NOOK_OCI, which tests/run
# sets, else beside the nook under test).
# NOOK_OCI_RUNTIME names another one (runc, crun) to check these tests
# themselves against a known runtime.
OCI_RUNTIME=${NOOK_OCI_RUNTIME:-${NOOK_OCI:-$(dirname "$NOOK")/nook-oci}}

# After `run --separate-stderr`: status 0, else what the engine said.
assert_ran() {
  [ "$status" -eq 0 ] && return 0
  echo "status $status; stderr: $stderr; output: $output" >&2
  return 1
}

# Writes a tar of a busybox root to FILE: /bin/busybox, one symlink per
# applet, an /etc/passwd and /etc/group naming root.
make_busybox_tar() { # FILE
  local root
  root=$(mktemp -d "${BATS_FILE_TMPDIR:-/tmp}/rootfs.XXXXXX")
  mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/proc" "$root/sys" "$root/dev" "$root/root"
  cp /bin/busybox "$root/bin/busybox"
  local a
  for a in $(/bin/busybox --list); do
    [ "$a" = busybox ] || ln -s busybox "$root/bin/$a"
  done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
  echo 'root:x:0:' >"$root/etc/group"
  chmod 1777 "$root/tmp"
  tar --numeric-owner --owner=0 --group=0 -C "$root" -cf "$1" .
  rm -rf "$root"
}

# Writes an OCI image archive (an image layout in a tar, as `ctr image
# import` and `podman load` read it) to OUT with the root in TAR as its one
# layer, named REF.
make_oci_archive() { # TAR OUT REF
  local d diffid layer lsize cfg csize man msize
  d=$(mktemp -d "${BATS_FILE_TMPDIR:-/tmp}/layout.XXXXXX")
  mkdir -p "$d/blobs/sha256"
  diffid=$(sha256sum <"$1" | cut -d' ' -f1)
  gzip -n -c "$1" >"$d/layer"
  layer=$(sha256sum <"$d/layer" | cut -d' ' -f1)
  lsize=$(stat -c %s "$d/layer")
  mv "$d/layer" "$d/blobs/sha256/$layer"
  printf '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/bin"],"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
    "$diffid" >"$d/config"
  cfg=$(sha256sum <"$d/config" | cut -d' ' -f1)
  csize=$(stat -c %s "$d/config")
  mv "$d/config" "$d/blobs/sha256/$cfg"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
    "$cfg" "$csize" "$layer" "$lsize" >"$d/manifest"
  man=$(sha256sum <"$d/manifest" | cut -d' ' -f1)
  msize=$(stat -c %s "$d/manifest")
  mv "$d/manifest" "$d/blobs/sha256/$man"
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"%s"}}]}' \
    "$man" "$msize" "$3" >"$d/index.json"
  echo '{"imageLayoutVersion":"1.0.0"}' >"$d/oci-layout"
  tar -C "$d" -cf "$2" oci-layout index.json blobs
  rm -rf "$d"
}
