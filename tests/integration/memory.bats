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

# The file offset, as smaps prints it, of the LOAD segment of EXE that
# holds SECTION ("" when none).
segment_offset() { # EXE SECTION
  readelf -lW "$1" | awk -v s="$2" '
    /^  [A-Z_]+ / && !m { type[i] = $1; off[i] = $2; i++ }
    /Section to Segment mapping/ { m = 1; next }
    m && $1 ~ /^[0-9]+$/ { for (k = 2; k <= NF; k++) if ($k == s && type[$1 + 0] == "LOAD") { print off[$1 + 0]; exit } }' |
    while read -r o; do printf '%08x\n' $((o & ~0xfff)); done
}
# KiB resident in PID's mappings of EXE from file offset OFF (smaps' form).
resident_at() { # PID EXE OFF
  awk -v exe="$2" -v off="$3" '/^[0-9a-f]+-[0-9a-f]+ / { in_seg = ($6 == exe && $3 == off) }
    in_seg && /^Rss:/ { kb += $2 } END { print kb + 0 }' "/proc/$1/smaps"
}

@test "a supervisor that has set its sandbox up has nothing of nook's cold code or read-only data resident" {
  require "readelf (binutils)" readelf --version
  require "nook built with the layout (configure without --disable-layout)" \
    sh -c '[ -n "$1" ]' sh "$(segment_offset "$NOOK" .text.nook.hot)"
  # The seccomp programs from the cache, as every run but the first has them.
  "$NOOK" run -- true
  # The supervisor's peak comes with its setup: everything it runs has run
  # once the command does.  Its hot code and read-only data have mappings
  # of their own (src/hot.ld, bench/hot-text), so that fault-around, which
  # maps 64 KiB about each fault, maps none of the rest: a function of the
  # setup left out of them cost a block of 64-128 KiB, ~300 KiB in all.
  exe=$(readlink -f "$NOOK")
  cold_text=$(segment_offset "$exe" .text)
  cold_data=$(segment_offset "$exe" .rodata)
  hot_text=$(segment_offset "$exe" .text.nook.hot)
  for try in 1 2 3; do
    "$NOOK" run -- sleep 600 </dev/null &
    sup=$!
    wait_until 10 pgrep -u "$(id -u)" -P "$sup" nook-init
    read -r hot text data < <(echo "$(resident_at "$sup" "$exe" "$hot_text")" \
      "$(resident_at "$sup" "$exe" "$cold_text")" "$(resident_at "$sup" "$exe" "$cold_data")")
    echo "hot code $hot KiB, the rest of the code $text KiB, the rest of the read-only data $data KiB" \
      "($(grep VmHWM "/proc/$sup/status"))" >&2
    kill "$sup"
    wait "$sup" || true
    # Read before the supervisor shed its setup (1 s after the start): its
    # hot code is still there.  A machine too busy for that runs it again.
    [ "$hot" -eq 0 ] || break
  done
  sup=
  [ "$hot" -gt 0 ]
  # clang links the sanitizers' runtime into the program, its code in the
  # rest of the text and its tables in the rest of the read-only data
  # (260 KiB resident): there the layout has nothing left to show, and the
  # plain build's run of this test is the one that checks it.
  grep -q -a __asan_init "$exe" && return 0
  [ "$text" -eq 0 ] && [ "$data" -eq 0 ]
}
