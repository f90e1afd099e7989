#!/usr/bin/env bats
# Images made in the tests (busybox-static; skopeo for the docker save and
# OCI archives), imported or loaded, and run with nook run --image.

load "$NOOK_TESTS/lib.sh"
load images

setup() {
  require "busybox-static is installed" test -x "$BUSYBOX"
  use_private_store
}

teardown() {
  [ -d "$STORE" ] && chmod -R u+w "$STORE" 2>/dev/null
  return 0
}

# fx:docker (a docker save archive) and fx:oci (an OCI archive) from skopeo.
load_fixtures() {
  require "skopeo is installed" command -v skopeo
  make_oci_layout layout
  skopeo copy --quiet oci:layout:latest docker-archive:ds.tar:fx:docker
  skopeo copy --quiet oci:layout:latest oci-archive:oa.tar:fx:oci
  run nook load ds.tar
  assert_status 0
  assert_output_has "Loaded image: docker.io/library/fx:docker"
  run nook load oa.tar
  assert_status 0
  assert_output_has "Loaded image: fx:oci"
}

@test "import: a root filesystem tarball becomes an image that nook run --image runs" {
  make_rootfs rootfs
  tar -C rootfs -cf rootfs.tar .
  run nook import rootfs.tar bb
  assert_status 0
  [[ "$output" == sha256:* ]]
  run nook images
  assert_status 0
  assert_output_has "bb "
  assert_output_has "latest"
  run nook run --image bb -- cat /etc/greeting
  assert_status 0
  [ "$output" = hello ]
  # The root is the image's, not the host's.
  run nook run --image bb -- sh -c 'test -e /etc/os-release || echo no-host-files'
  [ "$output" = no-host-files ]
}

@test "run --image: the changes go to an ephemeral upper; the stored layer stays as it was" {
  make_rootfs rootfs
  tar -C rootfs -cf rootfs.tar .
  nook import rootfs.tar bb >/dev/null
  before=$(store_listing)
  run nook run --image bb -- sh -c 'echo x > /new && rm /etc/greeting && cat /new'
  assert_status 0
  [ "$output" = x ]
  run nook run --image bb -- sh -c 'test -e /new || cat /etc/greeting'
  [ "$output" = hello ]
  [ "$(store_listing)" = "$before" ]
}

@test "run --image --upper DIR keeps the changes in DIR" {
  make_rootfs rootfs
  tar -C rootfs -cf rootfs.tar .
  nook import rootfs.tar bb >/dev/null
  run nook run --image bb --upper up -- sh -c 'echo kept > /etc/new'
  assert_status 0
  [ "$(cat up/etc/new)" = kept ]
  run nook run --image bb --upper up -- cat /etc/new
  [ "$output" = kept ]
}

@test "load: a docker save archive made by skopeo runs its Cmd with its Env and WorkingDir" {
  load_fixtures
  run nook run --image fx:docker
  assert_status 0
  [ "$output" = "$(printf 'bar\n/work')" ]
  # A command after the options replaces Cmd; --setenv overrides Env.
  run nook run --image fx:docker --setenv FOO baz -- sh -c 'echo $FOO; pwd'
  [ "$output" = "$(printf 'baz\n/work')" ]
}

@test "load: an OCI archive's whiteouts and opaque directory hide the lower layer, on kernel overlayfs and fuse-overlayfs" {
  load_fixtures
  # The root's file system type (the mount table's field after " - ").
  look='awk "\$5 == \"/\" { sub(/.* - /, \"\"); print \$1 }" /proc/self/mountinfo | tail -n 1; test -e /etc/greeting && echo greeting-visible; ls /opq'
  run nook run --image fx:oci -- sh -c "$look"
  assert_status 0
  [ "$output" = "$(printf 'overlay\nc')" ]
  # fuse-overlayfs reads the same forms.
  run nook run --overlay=fuse --image fx:oci -- sh -c "$look"
  assert_status 0
  [ "$output" = "$(printf 'fuse.fuse-overlayfs\nc')" ]
}

@test "load: an OCI layout directory loads under the NAME given" {
  make_oci_layout layout
  run nook load layout local/fx:dir
  assert_status 0
  assert_output_has "Loaded image: local/fx:dir"
  run nook run --image local/fx:dir
  [ "$output" = "$(printf 'bar\n/work')" ]
}

@test "layers: files of other owners are the caller's, their set-uid bit dropped, their owner kept in an xattr" {
  make_oci_layout layout
  nook load layout fx >/dev/null
  owned=$(ls -d "$STORE"/layers/*/root/home/owned)
  suid=$(ls -d "$STORE"/layers/*/root/home/suid)
  [ "$(stat -c %u "$owned")" = "$(id -u)" ]
  [ "$(stat -c %a "$suid")" = 755 ]
  [ "$(getfattr --only-values -n user.containers.override_stat "$owned")" = "1000:1000:0644" ]
  [ "$(getfattr --only-values -n user.containers.override_stat "$suid")" = "1000:1000:04755" ]
  # Whiteouts are stored as overlayfs reads them, not as .wh. files.
  run find "$STORE/layers" -name '.wh.*'
  [ -z "$output" ]
}

@test "image inspect prints the config as JSON; system df counts images and layers" {
  make_oci_layout layout
  nook load layout fx:1 >/dev/null
  run nook image inspect fx:1
  assert_status 0
  [ "$(printf '%s' "$output" | jq -r '.[0].Config.WorkingDir')" = /work ]
  [ "$(printf '%s' "$output" | jq -r '.[0].RootFS.Layers | length')" = 2 ]
  [ "$(printf '%s' "$output" | jq -r '.[0].RepoTags[0]')" = fx:1 ]
  run nook system df
  assert_status 0
  [[ "$(printf '%s\n' "$output" | grep '^Images')" =~ ^Images\ +1\  ]]
  [[ "$(printf '%s\n' "$output" | grep '^Layers')" =~ ^Layers\ +2\  ]]
}

@test "run --image: an unknown image fails with one line and exit 125" {
  run nook run --image nosuch -- true
  assert_status 125
  assert_one_error_line
  assert_output_has "image \`nosuch\`"
}

@test "run --image: the image's User (a name in its /etc/passwd) is the uid inside, --uid after --image overrides" {
  make_oci_layout layout alice
  nook load layout fx >/dev/null
  run nook run --image fx -- id -u
  assert_status 0
  [ "$output" = 1000 ]
  run nook run --image fx -- id -g
  [ "$output" = 1000 ]
  run nook run --image fx --uid 0 -- id -u
  [ "$output" = 0 ]
}

@test "run --image -u NAME: the name is looked up in the image's layers, not on the host" {
  make_oci_layout layout
  nook load layout fx >/dev/null
  run nook run --image fx -u alice -- sh -c 'id -u; id -g'
  assert_status 0
  [ "${lines[0]}" = 1000 ]
  [ "${lines[1]}" = 1000 ]
  run nook run --image fx -u root:alice -- id -g
  assert_status 0
  [ "$output" = 1000 ]
  # The host has nobody; the image has not.
  run nook run --image fx -u nobody -- true
  assert_status 125
  assert_output_has "no user \`nobody\`"
}

@test "run --image -d: nook exec enters the image's root" {
  make_oci_layout layout
  nook load layout fx >/dev/null
  id=$(nook run -d --image fx -- sleep 300)
  wait_until 10 sh -c "'$NOOK' ps | grep -q '${id:0:12}.*running'"
  run nook exec "$id" cat /opq/c
  "$NOOK" rm -f "$id" >/dev/null
  assert_status 0
  [ "$output" = c ]
}

@test "run IMAGE: a stored image as the first operand runs its Cmd; a command after it replaces Cmd; -- keeps the command reading" {
  make_oci_layout layout
  nook load layout fx >/dev/null
  run nook run fx
  assert_status 0
  [ "$output" = "$(printf 'bar\n/work')" ]
  run nook run -e FOO=given fx sh -c 'echo $FOO; ls /opq'
  assert_status 0
  [ "$output" = "$(printf 'given\nc')" ]
  run nook run fx -- cat /opq/c
  [ "$output" = c ]
  # By id too (12 hex digits or more).
  id=$(nook images -q | head -1)
  run nook run "${id:0:12}" cat /opq/c
  [ "$output" = c ]
  # Not an image: the composed root's command, as before.
  run nook run sh -c 'test -e /opq || echo host-root'
  [ "$output" = host-root ]
  run -127 nook run -- fx
  assert_output_has "\`fx\`: command not found"
}

@test "run IMAGE: a word that could be a file here or an image name, and is no stored image, is refused naming both" {
  mkdir -p tools
  printf '#!/bin/sh\necho tool\n' >tools/x && chmod +x tools/x
  run nook run tools/x
  assert_status 125
  assert_one_error_line
  assert_output_has "both a command"
  assert_output_has "nook run -- tools/x"
  # A path is always the command, and so is anything after --: exec'd in
  # the sandbox (where this directory, under /tmp, is not bound).
  run -127 nook run ./tools/x
  assert_output_has "exec \`./tools/x\`"
  run -127 nook run -- tools/x
  assert_output_has "exec \`tools/x\`"
  # --pull=never: an image reading, and not in the store.
  run nook run --pull=never localhost/nosuch:1
  assert_status 125
  assert_one_error_line
  assert_output_has "--pull=never"
}

@test "run --keep: the sandbox and the upper of its image stay; rmi refuses the image; nook rm removes the upper" {
  make_oci_layout layout
  nook load layout fx >/dev/null
  run nook run --keep --name kept fx sh -c 'echo new > /work/file'
  assert_status 0
  run nook ps -a
  assert_output_has kept
  [ "$(ls "$STORE/uppers")" != "" ]
  [ "$(cat "$STORE"/uppers/*/upper/work/file)" = new ]
  run nook rmi fx
  assert_status 125
  assert_output_has kept
  run nook rm kept
  assert_status 0
  [ -z "$(ls "$STORE/uppers")" ]
  # A run without --keep leaves no upper behind.
  run nook run fx sh -c 'echo x > /y'
  assert_status 0
  [ -z "$(ls "$STORE/uppers")" ]
}

@test "run -P: the image's ExposedPorts are published on free host ports, said on stderr, in nook port, and serving" {
  require "slirp4netns is installed" command -v slirp4netns
  make_oci_layout layout
  set_config layout '.config.ExposedPorts={"80/tcp":{}} | .config.Cmd=["busybox","httpd","-f","-p","80","-h","/opq"]'
  nook load layout web >/dev/null
  id=$(nook run -d -P --name web --net slirp4netns web 2>err)
  hp=$(sed -n 's|^nook: published 0\.0\.0\.0:\([0-9]*\)->80/tcp$|\1|p' err)
  [ -n "$hp" ] || { cat err; false; }
  wait_until 10 curl -sf -o /dev/null "http://127.0.0.1:$hp/c"
  run curl -s "http://127.0.0.1:$hp/c"
  port_all=$(nook port web)
  "$NOOK" rm -f "$id" >/dev/null
  [ "$output" = c ]
  [ "$port_all" = "80/tcp -> 0.0.0.0:$hp" ]
  # Without a network to publish on, or without an image: one line.
  run nook run -P web
  assert_status 125
  assert_one_error_line
  assert_output_has "--net"
  run nook run -P -- true
  assert_status 125
  assert_one_error_line
  assert_output_has "ExposedPorts"
}

@test "run IMAGE --map-users auto: files of uid N in the image are N's inside; what N writes stays N's" {
  require "a subordinate id range for $(id -un)" grep -q "^$(id -un):" /etc/subuid
  make_oci_layout layout
  nook load layout fx >/dev/null
  run nook run --map-users auto fx stat -c '%u:%g %a' /home/owned /home/suid /bin/busybox
  assert_status 0
  [ "$output" = "$(printf '1000:1000 644\n1000:1000 4755\n0:0 755')" ]
  # uid 1000 may write its own file, and what it makes is its own.
  run nook run --map-users auto --keep --name owned --uid 1000 --gid 1000 fx sh -c 'echo more >> /home/owned && echo new > /home/made && stat -c %u /home/made'
  assert_status 0
  [ "$output" = 1000 ]
  run nook run --map-users auto --uid 1000 fx sh -c 'echo x > /etc/nope'
  [ "$status" -ne 0 ]
  # Without --map-users auto every file is the caller's, root inside.
  run nook run fx stat -c %u /home/owned
  [ "$output" = 0 ]
  # Committed, what uid 1000 made is 1000's in the image: its upper (of a
  # subordinate id here) is read in a user namespace with the same mapping.
  run nook commit owned fx:owned
  assert_status 0
  nook rm owned >/dev/null
  run nook run --map-users auto fx:owned stat -c '%u:%g %n' /home/made /home/owned
  [ "$output" = "$(printf '1000:1000 /home/made\n1000:1000 /home/owned')" ]
}
