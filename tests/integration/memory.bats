#!/usr/bin/env bats
# Memory: what a supervisor keeps resident while its sandbox runs
# (bench/memory measures it beside bubblewrap's).

load "$NOOK_TESTS/lib.sh"

setup() { use_private_state; }
teardown() {
  [ -z "${sup:-}" ] || kill "$sup" 2>/dev/null || true
  [ -z "${sup:-}" ] || wait "$sup" 2>/dev/null || true
  remove_private_state
}

# KiB resident in PID's executable mappings of the file EXE: its code.
resident_code() { # PID EXE
  awk -v exe="$2" '/^[0-9a-f]+-[0-9a-f]+ / { code = ($2 ~ /x/ && $6 == exe) }
    code && /^Rss:/ { kb += $2 } END { print kb + 0 }' "/proc/$1/smaps"
}
code_at_most() { [ "$(resident_code "$1" "$2")" -le "$3" ]; }
# KiB of PID's executable mappings of EXE, resident or not.
code_size() { # PID EXE
  awk -v exe="$2" '/^[0-9a-f]+-[0-9a-f]+ / { code = ($2 ~ /x/ && $6 == exe) }
    code && /^Size:/ { kb += $2 } END { print kb + 0 }' "/proc/$1/smaps"
}

@test "a supervisor that waits keeps its wait loop's pages of nook's code resident, not the setup's" {
  "$NOOK" run -- sleep 600 </dev/null &
  sup=$!
  wait_until 10 pgrep -u "$(id -u)" -P "$sup" nook-init
  exe=$(readlink "/proc/$sup/exe")
  # The setup runs code all over nook's text; a second after the command
  # started, the supervisor gives it back (src/lib/shed.h), and only what
  # its wait runs comes back: a mapping of its own (src/hot.ld) of 8 KiB
  # (24 more with the sanitizers' instrumentation), where the blocks the
  # kernel maps around a fault held 390 KiB.  Under the 64 KiB of one.
  # clang links the sanitizers' runtime into the program: the wait loop's
  # calls then go through its interceptors, in nook's main text, which
  # stay (about 420 of 2200 KiB); the setup's code must still go, so the
  # bound is a quarter of the code there.
  limit=63
  if grep -q -a __asan_init "$exe"; then
    limit=$(($(code_size "$sup" "$exe") / 4))
  fi
  wait_until 10 code_at_most "$sup" "$exe" "$limit"
  code=$(resident_code "$sup" "$exe")
  echo "resident code: $code KiB" >&2
  # Still waiting, with the loop's code mapped: the measure sees it.
  [ "$code" -ge 4 ]
  kill -0 "$sup"
}
