#!/usr/bin/env bats
# Shared networks: nook network create|ls|rm and nook run --net NAME.
# Only the namespaces the tests create are contacted.

load "$NOOK_TESTS/lib.sh"

setup() {
  cd "$BATS_TEST_TMPDIR"
  NET=t$$-$BATS_TEST_NUMBER
  echo "page-of-a" >a.txt
  echo "page-of-b" >b.txt
}

teardown() {
  # Sandboxes a failed test left in the background would hold its output.
  local jobs_left
  jobs_left=$(jobs -p)
  [ -z "$jobs_left" ] || kill $jobs_left 2>/dev/null || true
  "$NOOK" network rm "$NET" "$NET-2" >/dev/null 2>&1 || true
  wait 2>/dev/null || true
}

holder_of() { # NETWORK: the holder's pid, as `nook network ls` shows it
  "$NOOK" network ls | awk -v n="$1" '$1 == n && $4 != "-" { print $4 }'
}
has_holder() { [ -n "$(holder_of "$1")" ]; }

gone_within_1s() { # PID
  for _ in $(seq 1 20); do
    [ -e "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null || return 0
    sleep 0.05
  done
  return 1
}

@test "network create, ls and rm" {
  run nook network create "$NET"
  assert_status 0
  run nook network create "$NET-2" --subnet 10.123.4.0/24
  assert_status 0
  run nook network ls
  assert_status 0
  [[ "$output" =~ $NET[[:space:]]+10\.89\.[0-9]+\.0/24[[:space:]]+0[[:space:]]+- ]]
  [[ "$output" =~ $NET-2[[:space:]]+10\.123\.4\.0/24 ]]
  run nook network rm "$NET" "$NET-2"
  assert_status 0
  run nook network ls
  assert_output_lacks "$NET"
}

@test "bad network input: one line, exit 125" {
  nook network create "$NET" --subnet 10.124.0.0/16
  for args in "create $NET" "create $NET-2 --subnet 10.124.7.0/24" "create $NET-2 --subnet 10.124.7.1/24" \
    "create $NET-2 --subnet 300.1.2.0/24" "create $NET-2 --subnet 10.0.0.0/8" "create bad/name" "rm nosuchnet-$$" \
    "frobnicate"; do
    run nook network $args
    assert_status 125
    assert_one_error_line
  done
  run nook network create "$NET-2" --subnet 10.124.7.0/24
  assert_output_has "overlaps network \`$NET\` (10.124.0.0/16)"
  run nook run --net "nosuchnet-$$" -- true
  assert_status 125
  assert_one_error_line
  assert_output_has "nook network create nosuchnet-$$"
  run nook run --net "$NET" -p "[::1]:18080:80" -- true
  assert_status 125
  assert_one_error_line
  assert_output_has "IPv4 host addresses only"
}

@test "two sandboxes on one network exchange data both ways by name" {
  nook network create "$NET"
  "$NOOK" run --net "$NET" --name "a$$" -- sh -c "busybox httpd -p 80 -h .
    for i in \$(seq 1 100); do curl -sf http://b$$/b.txt && touch a-got-b && break; sleep 0.1; done
    [ -e a-got-b ] || exit 1
    for i in \$(seq 1 100); do [ -e b-got-a ] && exit 0; sleep 0.1; done; exit 1" \
    </dev/null >a.out 2>&1 &
  a=$!
  run nook run --net "$NET" --name "b$$" -- sh -c "busybox httpd -p 80 -h .
    for i in \$(seq 1 100); do curl -sSf http://a$$/a.txt && touch b-got-a && break; sleep 0.1; done
    cat /etc/hosts; ip -4 -o addr show eth0
    for i in \$(seq 1 100); do [ -e a-got-b ] && break; sleep 0.1; done"
  assert_status 0
  [[ "$output" == *page-of-a* ]] || { cat a.out; false; }
  assert_output_has "inet 10.89."
  wait "$a"
  [ "$(cat a.out)" = "page-of-b" ]
}

@test "the holder stops when the last sandbox leaves, also when nook is SIGKILLed" {
  nook network create "$NET"
  "$NOOK" run --net "$NET" -- sleep 1 </dev/null &
  wait_until 5 has_holder "$NET"
  holder=$(holder_of "$NET")
  "$NOOK" run --net "$NET" -- true
  kill -0 "$holder" # the first sandbox still runs: the holder stays
  wait
  gone_within_1s "$holder"
  [ -z "$(holder_of "$NET")" ]

  "$NOOK" run --net "$NET" -- sleep 100 </dev/null &
  nook_pid=$!
  wait_until 5 has_holder "$NET"
  holder=$(holder_of "$NET")
  slirp=$(pgrep -P "$holder" -f "^slirp4netns ")
  [ -n "$slirp" ]
  kill -KILL "$nook_pid"
  gone_within_1s "$holder"
  gone_within_1s "$slirp"
  run nook network ls
  [[ "$output" =~ $NET[[:space:]]+[0-9./]+[[:space:]]+0[[:space:]]+- ]]
}

@test "a sandbox cannot reconfigure the bridge or another sandbox's interface" {
  nook network create "$NET"
  "$NOOK" run --net "$NET" --name "a$$" -- sleep 100 </dev/null &
  a=$!
  wait_until 5 has_holder "$NET"
  holder=$(holder_of "$NET")
  # The other sandbox's command: nook -> nook-init -> sleep.
  wait_until 5 eval 'pgrep -P "$(pgrep -P $a -x nook-init)" -x sleep >/dev/null'
  other=$(pgrep -P "$(pgrep -P $a -x nook-init)" -x sleep)
  [ "$(readlink /proc/$other/ns/net)" != "$(readlink /proc/self/ns/net)" ]
  # With the host's PID namespace the holder is visible, but its namespaces
  # belong to a user namespace the sandbox has no capability in.
  # The most a user can grant (no seccomp filter, CAP_SYS_ADMIN and
  # CAP_NET_ADMIN): only the namespaces' ownership may refuse, and it must.
  run nook run --net "$NET" --share-pid --seccomp unconfined --cap-add SYS_ADMIN --cap-add NET_ADMIN -- sh -c "
    ip link set eth0 mtu 1400 && echo own-ok
    nsenter --net=/proc/$holder/ns/net ip link set nook0 down 2>&1 || echo bridge-refused
    nsenter --net=/proc/$other/ns/net ip link set eth0 down 2>&1 || echo other-refused"
  assert_output_has own-ok
  assert_output_has bridge-refused
  assert_output_has other-refused
  assert_output_lacks "nook0 down"
  kill %1
}

@test "network rm stops the holder of a network in use" {
  nook network create "$NET"
  "$NOOK" run --net "$NET" -- sleep 100 </dev/null &
  wait_until 5 has_holder "$NET"
  holder=$(holder_of "$NET")
  run nook network rm "$NET"
  assert_status 0
  gone_within_1s "$holder"
  kill %1
}

@test "published ports reach the right sandbox of a shared network, through the network's slirp4netns" {
  require "slirp4netns" command -v slirp4netns
  nook network create "$NET"
  mkdir sa sb
  echo served-by-a >sa/index.html
  echo served-by-b >sb/index.html
  pa=$(pick_port)
  pb=$(pick_port)
  [ "$pa" != "$pb" ]
  "$NOOK" run --net "$NET" --name "a$$" -p "$pa:80" -- busybox httpd -f -p 80 -h sa </dev/null &
  "$NOOK" run --net "$NET" --name "b$$" -p "$pb:80" -- busybox httpd -f -p 80 -h sb </dev/null &
  wait_until 10 curl -sf -o /dev/null "http://127.0.0.1:$pa/"
  wait_until 10 curl -sf -o /dev/null "http://127.0.0.1:$pb/"
  [ "$(curl -s "http://127.0.0.1:$pa/")" = served-by-a ]
  [ "$(curl -s "http://127.0.0.1:$pb/")" = served-by-b ]
  kill %1 %2
}

@test "a shared network reaches its slirp4netns gateway; the host's loopback stays closed" {
  require "slirp4netns" command -v slirp4netns
  nook network create "$NET" --subnet 10.125.3.0/24
  run nook run --net "$NET" -- sh -c "ip route show default; ping -c1 -W3 10.125.3.2 >/dev/null && echo gateway-answers"
  assert_status 0
  assert_output_has "default via 10.125.3.2 dev eth0"
  assert_output_has gateway-answers
  run nook run --net "$NET" -- cat /etc/resolv.conf
  assert_output_has "nameserver 10.125.3.3"
}

@test "a member that gets a departed member's address answers on its published port at once" {
  require "slirp4netns" command -v slirp4netns
  nook network create "$NET"
  mkdir sa sb
  echo served-by-first >sa/index.html
  echo served-by-second >sb/index.html
  # A member that stays keeps the network's slirp4netns, and what it learnt.
  "$NOOK" run --net "$NET" -- sleep 100 </dev/null &
  wait_until 5 has_holder "$NET"
  pa=$(pick_port)
  "$NOOK" run --net "$NET" -p "$pa:80" -- sh -c 'ip -4 -o addr show eth0 | awk "{print \$4}" >sa/addr
    exec busybox httpd -f -p 80 -h sa' </dev/null &
  first=$!
  wait_until 10 curl -sf -o /dev/null "http://127.0.0.1:$pa/"
  kill "$first"
  wait "$first" || true
  pb=$(pick_port)
  # The second member stays silent: it sends nothing before it is asked.
  "$NOOK" run --net "$NET" -p "$pb:80" -- sh -c 'ip -4 -o addr show eth0 | awk "{print \$4}" >sb/addr
    exec busybox httpd -f -p 80 -h sb' </dev/null &
  wait_until 5 test -s sb/addr
  [ "$(cat sa/addr)" = "$(cat sb/addr)" ]
  wait_until 3 curl -sf -m 1 -o /dev/null "http://127.0.0.1:$pb/"
  [ "$(curl -s "http://127.0.0.1:$pb/")" = served-by-second ]
}

@test "a holder or network slirp4netns that dies is reported to the members' nook when they end" {
  require "slirp4netns" command -v slirp4netns
  nook network create "$NET"
  for victim in slirp4netns holder; do
    rm -f stop started
    "$NOOK" run --net "$NET" -- sh -c 'touch started; until [ -e stop ]; do sleep 0.05; done' \
      </dev/null 2>"$victim.err" &
    member=$!
    # The member runs: its network was set up before its command started.
    wait_until 5 test -e started
    holder=$(holder_of "$NET")
    if [ "$victim" = holder ]; then
      kill -KILL "$holder"
    else
      kill -KILL "$(pgrep -P "$holder" -f '^slirp4netns ')"
    fi
    gone_within_1s "$holder"
    touch stop
    wait "$member" || { cat "$victim.err"; false; }
    grep -q "network \`$NET\`: .* while the sandbox ran: the sandbox lost its network" "$victim.err" ||
      { cat "$victim.err"; false; }
  done
  grep -q "slirp4netns was killed by signal 9" slirp4netns.err
  grep -q "holder exited" holder.err
}

@test "on a network: gateway is the address that routes, a member resolves its own hostname, --dns is used" {
  nook network create "$NET" --subnet 10.126.5.0/24
  "$NOOK" run --net "$NET" --name "a$$" -- sleep 100 </dev/null &
  wait_until 5 has_holder "$NET"
  run nook run --net "$NET" --hostname "box$$" --dns 192.0.2.53 -- sh -c "
    ip -4 route show default; getent hosts gateway; getent hosts box$$; getent hosts a$$
    ip -4 -o addr show eth0; cat /etc/resolv.conf"
  assert_status 0
  assert_output_has "default via 10.126.5.2 dev eth0"
  [[ "$output" =~ 10\.126\.5\.2[[:space:]]+gateway ]]
  [[ "$output" =~ 10\.126\.5\.4[[:space:]]+a$$ ]]
  own=$(printf '%s\n' "$output" | sed -n 's/.* inet \(10\.126\.5\.[0-9]*\)\/24.*/\1/p')
  [ -n "$own" ]
  [[ "$output" =~ $own[[:space:]]+box$$ ]]
  assert_output_has "nameserver 192.0.2.53"
  assert_output_lacks "nameserver 10.126.5.3"
  # Two members with the default hostname each resolve it to their own address.
  run nook run --net "$NET" -- sh -c 'getent hosts "$(hostname)"; ip -4 -o addr show eth0'
  assert_status 0
  own=$(printf '%s\n' "$output" | sed -n 's/.* inet \(10\.126\.5\.[0-9]*\)\/24.*/\1/p')
  [[ "$output" =~ $own[[:space:]]+nook ]]
  kill %1
}

@test "a member publishes -p PORT (a free host port) and a range of 40 ports through the network" {
  require "slirp4netns" command -v slirp4netns
  nook network create "$NET"
  mkdir s
  echo served-on-a-network >s/index.html
  base=
  for _ in $(seq 1 50); do
    p=$(pick_port)
    [ -z "$(ss -Htln "( sport >= :$p and sport <= :$((p + 39)) )")" ] && { base=$p; break; }
  done
  [ -n "$base" ]
  "$NOOK" run --net "$NET" -p 80 -p "$base-$((base + 39)):8000-8039" -- sh -c "
    busybox httpd -p 8000 -h s; busybox httpd -p 8039 -h s; exec busybox httpd -f -p 80 -h s" \
    </dev/null 2>err &
  wait_until 5 grep -q "published" err
  hp=$(sed -n 's|^nook: published 0\.0\.0\.0:\([0-9]*\)->80/tcp$|\1|p' err)
  [ -n "$hp" ] || { cat err; false; }
  for port in "$hp" "$base" "$((base + 39))"; do
    wait_until 10 curl -sf -o /dev/null "http://127.0.0.1:$port/index.html"
    [ "$(curl -s "http://127.0.0.1:$port/index.html")" = served-on-a-network ]
  done
  kill %1
}
