#!/usr/bin/env bats
# nook run --app: a persistent home of the app's own, the real home
# invisible, --filesystem grants, a private runtime directory; bad input.

load "$NOOK_TESTS/lib.sh"
load "$NOOK_TESTS/integration/desktop.bash"

setup() {
  desktop_session
  # A home of the test's own, with a secret, a download and a font.
  export HOME="$DESK/home"
  mkdir -p "$HOME/Downloads" "$HOME/Documents" "$HOME/.local/share/fonts" "$HOME/.config"
  echo secret >"$HOME/secret.txt"
  echo fetched >"$HOME/Downloads/file.txt"
  echo font >"$HOME/.local/share/fonts/nook-test.ttf"
  printf 'XDG_DOWNLOAD_DIR="$HOME/Downloads"\n' >"$HOME/.config/user-dirs.dirs"
  cd "$HOME"
}

teardown() { stop_desktop_session; }

@test "--app: the app's home persists across runs, at the caller's home path" {
  run nook run --app org.nook.Test.Persist -- sh -c 'echo $HOME; pwd; echo kept >"$HOME/note"'
  assert_status 0
  [ "${lines[0]}" = "$HOME" ]
  [ "${lines[1]}" = "$HOME" ]
  [ "$(cat "$HOME/.local/share/nook/apps/org.nook.Test.Persist/note")" = kept ]
  run nook run --app org.nook.Test.Persist -- cat "$HOME/note"
  assert_status 0
  [ "$output" = kept ]
  # Another app has another home.
  run nook run --app org.nook.Test.Other -- cat "$HOME/note"
  [ "$status" -ne 0 ]
}

@test "--app: the real home is invisible, the user's fonts are there read-only" {
  run nook run --app org.nook.Test.Home -- ls -A "$HOME"
  assert_status 0
  assert_output_lacks secret.txt
  assert_output_lacks Downloads
  run nook run --app org.nook.Test.Home -- cat "$HOME/secret.txt"
  [ "$status" -ne 0 ]
  assert_output_has "No such file"
  run nook run --app org.nook.Test.Home -- sh -c 'cat "$HOME/.local/share/fonts/nook-test.ttf"; echo x >"$HOME/.local/share/fonts/new"'
  [ "$status" -ne 0 ]
  assert_output_has font
  [ ! -e "$HOME/.local/share/fonts/new" ]
  # Started in the home, the current directory is not bound either.
  run nook run --app org.nook.Test.Home -- ls "$HOME/Downloads"
  [ "$status" -ne 0 ]
}

@test "--app: XDG directories inside the app's home, a private XDG_RUNTIME_DIR, your own uid" {
  run nook run --app org.nook.Test.Xdg -- sh -c 'echo $XDG_CONFIG_HOME $XDG_DATA_HOME $XDG_CACHE_HOME; echo $XDG_RUNTIME_DIR; id -u; ls -A "$XDG_RUNTIME_DIR" | wc -l; stat -c %a "$XDG_RUNTIME_DIR"'
  assert_status 0
  [ "${lines[0]}" = "$HOME/.config $HOME/.local/share $HOME/.cache" ]
  [ "${lines[1]}" = "/run/user/$(id -u)" ]
  [ "${lines[2]}" = "$(id -u)" ]
  [ "${lines[3]}" = 0 ]
  [ "${lines[4]}" = 700 ]
  # Nothing of the host's runtime directory (nook's state is in it).
  run nook run --app org.nook.Test.Xdg -- ls "$DESK/nook"
  [ "$status" -ne 0 ]
}

@test "--filesystem: xdg-download read-only, ~/PATH read-write, nothing else of the home" {
  mkdir -p "$HOME/project"
  run nook run --app org.nook.Test.Fs --filesystem xdg-download:ro --filesystem '~/project' -- \
    sh -c 'cat "$HOME/Downloads/file.txt"; echo built >"$HOME/project/out"; echo x >"$HOME/Downloads/new" || echo refused; ls "$HOME/Documents" || echo nodocs'
  assert_status 0
  assert_output_has fetched
  assert_output_has refused
  assert_output_has nodocs
  [ "$(cat "$HOME/project/out")" = built ]
  [ ! -e "$HOME/Downloads/new" ]
}

@test "--filesystem home: the real home, and the app's XDG directories in its own place" {
  run nook run --app org.nook.Test.Real --filesystem home:ro -- sh -c 'cat "$HOME/secret.txt"; echo $XDG_CONFIG_HOME; echo c >"$XDG_CONFIG_HOME/c"'
  assert_status 0
  assert_output_has secret
  assert_output_has "$HOME/.local/share/nook/apps/org.nook.Test.Real/.config"
  [ -e "$HOME/.local/share/nook/apps/org.nook.Test.Real/.config/c" ]
}

@test "desktop options: bad input is one line, exit 125, and nothing is created" {
  for args in "--app org.example" "--app ../../etc" "--app org.9bad.App" "--socket x12" "--device kvm" \
    "--filesystem xdg-nothing" "--filesystem home:rx" "--filesystem /tmp/../etc" "--talk-name :1.5" \
    "--talk-name org" "--own-name org.a..b"; do
    # shellcheck disable=SC2086
    run nook run $args -- true
    assert_status 125
    assert_one_error_line
    assert_output_has "(Hint: "
  done
  run nook run --app org.nook.Test.Bad --filesystem /nonexistent/dir -- true
  assert_status 125
  assert_one_error_line
  assert_output_has /nonexistent/dir
  [ ! -e "$HOME/.local/share/nook/apps/org.nook.Test.Bad" ]
  [ -z "$(ls -A "$DESK/nook/sandboxes" 2>/dev/null)" ]
  run nook run --app org.nook.Test.Bad --map-users auto -- true
  assert_status 125
  assert_one_error_line
  assert_output_has "--map-users auto"
  run nook run --filesystem "$DESK" -- true
  assert_status 125
  assert_output_has "nook's own state"
}

@test "without desktop options nothing of it happens: no runtime dir, no app home" {
  run nook run -- sh -c 'echo "${XDG_RUNTIME_DIR:-none}"; ls /run/user 2>&1 || true'
  assert_status 0
  [ "${lines[0]}" = none ]
  [ ! -e "$HOME/.local/share/nook/apps" ]
}
