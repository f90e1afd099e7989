# A user whose cgroup is not delegated (owned by root) gets one clear error
# for every limit, and nothing is created.
. /tests/lib.sh

test_not_delegated() {
  for opt in "--memory 10m" "--cpus 0.5" "--pids-limit 5" "--cpu-weight 50"; do
    run run $opt -- true
    [ "$status" = 125 ] || fail "$opt: status $status"
    [ "$(echo "$out" | wc -l)" = 1 ] || fail "$opt: more than one line"
    echo "$out" | grep -q "^nook: ${opt% *} needs the .* controller delegated to you (cgroup v2), but your cgroup \`/other\` is not delegated to you (Hint: .*nook check" \
      || fail "$opt: message $out"
  done
  [ ! -e "$CG/nook" ] && [ ! -e "$CG/nook-caller" ] || fail "cgroups created"
}

t "limits in a cgroup not delegated to the caller fail with one clear line and exit 125" test_not_delegated
