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
  wait_until 10 code_at_most "$sup" "$exe" 63
  code=$(resident_code "$sup" "$exe")
  echo "resident code: $code KiB" >&2
  # Still waiting, with the loop's code mapped: the measure sees it.
  [ "$code" -ge 4 ]
  kill -0 "$sup"
}
