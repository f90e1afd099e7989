#!/usr/bin/env bats
# nook run -p/--publish: host ports forwarded into the sandbox through
# slirp4netns's API socket or pasta's -t/-u.  Only loopback is contacted.

load "$NOOK_TESTS/lib.sh"

setup() {
  cd "$BATS_TEST_TMPDIR"
  echo "served-from-inside" >index.html
}

teardown() {
  [ -z "${NOOK_PID:-}" ] || kill "$NOOK_PID" 2>/dev/null || true
  [ -z "${HOLDER_PID:-}" ] || kill "$HOLDER_PID" 2>/dev/null || true
  wait 2>/dev/null || true
}

# Starts a sandbox with MODE publishing PORT to 80, serving the current
# directory with busybox httpd, and waits until the host gets the page.
serve_published() { # MODE HOST_SPEC
  "$NOOK" run --net "$1" -p "$2" -- busybox httpd -f -p 80 -h "$BATS_TEST_TMPDIR" </dev/null 3>&- &
  NOOK_PID=$!
}

@test "-p HOST_PORT:80 through slirp4netns serves a file from inside to curl on the host" {
  require "slirp4netns" command -v slirp4netns
  port=$(pick_port)
  serve_published slirp4netns "$port:80"
  wait_until 10 curl -sf -o /dev/null "http://127.0.0.1:$port/index.html"
  run curl -s "http://127.0.0.1:$port/index.html"
  [ "$output" = served-from-inside ]
}

@test "-p HOST_PORT:80 through pasta serves a file from inside to curl on the host" {
  require "pasta" command -v pasta
  port=$(pick_port)
  serve_published pasta "$port:80"
  wait_until 10 curl -sf -o /dev/null "http://127.0.0.1:$port/index.html"
  run curl -s "http://127.0.0.1:$port/index.html"
  [ "$output" = served-from-inside ]
}

@test "-p 127.0.0.1:HOST_PORT:80 listens on that host address only" {
  require "slirp4netns" command -v slirp4netns
  port=$(pick_port)
  serve_published slirp4netns "127.0.0.1:$port:80"
  wait_until 10 curl -sf -o /dev/null "http://127.0.0.1:$port/index.html"
  run ss -Htln "sport = :$port"
  assert_output_has "127.0.0.1:$port"
  assert_output_lacks "0.0.0.0:$port"
}

@test "published UDP reaches the server inside (slirp4netns and pasta)" {
  require "slirp4netns" command -v slirp4netns
  require "pasta" command -v pasta
  for mode in slirp4netns pasta; do
    port=$(pick_port)
    rm -f got
    "$NOOK" run --net "$mode" -p "$port:5353/udp" -- /usr/bin/python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 5353))
s.settimeout(10)
open("got", "wb").write(s.recvfrom(100)[0])' </dev/null &
    NOOK_PID=$!
    # Datagrams sent before the helper forwards are lost: send until one lands.
    for _ in $(seq 1 100); do
      [ -s got ] && break
      /usr/bin/python3 -c "
import socket
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'udp-via-$mode', ('127.0.0.1', $port))"
      sleep 0.1
    done
    wait "$NOOK_PID"
    [ "$(cat got)" = "udp-via-$mode" ]
  done
}

@test "a host port already taken fails before the command starts, naming the port" {
  require "slirp4netns" command -v slirp4netns
  port=$(pick_port)
  /usr/bin/python3 -m http.server "$port" --bind 127.0.0.1 >/dev/null 2>&1 &
  HOLDER_PID=$!
  wait_until 5 curl -sf -o /dev/null "http://127.0.0.1:$port/"
  for mode in slirp4netns pasta; do
    run nook run --net "$mode" -p "$port:80" -- touch started
    assert_status 125
    assert_one_error_line
    assert_output_has "host port $port/tcp"
    assert_output_has "Address already in use"
    [ ! -e started ]
  done
}

@test "nook ps shows the published ports of a running sandbox" {
  use_private_state
  port=$(pick_port)
  "$NOOK" run -d --name pub --net slirp4netns -p "127.0.0.1:$port:80" -p "$port:81/udp" -- sleep 1000 >/dev/null
  run nook ps
  ps_out=$output
  run nook ps --format json
  json_out=$output
  remove_private_state
  [[ "$ps_out" == *"PORTS"* ]]
  [[ "$ps_out" == *"127.0.0.1:$port->80/tcp,0.0.0.0:$port->81/udp"* ]]
  [ "$(echo "$json_out" | jq -r '.[0].ports')" = "127.0.0.1:$port->80/tcp,0.0.0.0:$port->81/udp" ]
}

# A port in 18100-18999 with the next COUNT-1 ports free too.
pick_ports() { # COUNT
  local p k
  for _ in $(seq 1 50); do
    p=$(pick_port)
    for k in $(seq 1 $(($1 - 1))); do
      ss -Htuln "sport = :$((p + k))" | grep -q . && continue 2
    done
    echo "$p"
    return 0
  done
  return 1
}

@test "-p PORT and -p IP::PORT get a free host port: printed, in nook ps and nook port, and serving" {
  use_private_state
  "$NOOK" run -d --name rnd --net slirp4netns -p 80 -p 127.0.0.1::81/udp -- \
    busybox httpd -f -p 80 -h "$BATS_TEST_TMPDIR" </dev/null >id 2>err
  hp=$(sed -n 's|^nook: published 0\.0\.0\.0:\([0-9]*\)->80/tcp$|\1|p' err)
  up=$(sed -n 's|^nook: published 127\.0\.0\.1:\([0-9]*\)->81/udp$|\1|p' err)
  [ -n "$hp" ] && [ -n "$up" ] || { cat err; false; }
  wait_until 10 curl -sf -o /dev/null "http://127.0.0.1:$hp/index.html"
  [ "$(curl -s "http://127.0.0.1:$hp/index.html")" = served-from-inside ]
  run ss -Huln "sport = :$up"
  assert_output_has "127.0.0.1:$up"
  run nook port rnd 80
  port_80=$output
  run nook port rnd
  port_all=$output
  run nook port rnd 99
  unpublished_status=$status
  unpublished=$output
  run nook ps
  ps_out=$output
  remove_private_state
  [ "$unpublished_status" = 125 ]
  [ "$unpublished" = "nook: port 99 is not published by this sandbox (see \`nook port\` without it)" ]
  [ "$port_80" = "0.0.0.0:$hp" ]
  [ "$port_all" = "80/tcp -> 0.0.0.0:$hp
81/udp -> 127.0.0.1:$up" ]
  [[ "$ps_out" == *"0.0.0.0:$hp->80/tcp,127.0.0.1:$up->81/udp"* ]]
}

@test "-p with port ranges publishes every port of the range (slirp4netns and pasta)" {
  require "slirp4netns" command -v slirp4netns
  require "pasta" command -v pasta
  use_private_state
  for mode in slirp4netns pasta; do
    p=$(pick_ports 3)
    "$NOOK" run -d --name "range-$mode" --net "$mode" -p "$p-$((p + 2)):8000-8002" -- sh -c "
      busybox httpd -p 8000 -h $BATS_TEST_TMPDIR; busybox httpd -p 8001 -h $BATS_TEST_TMPDIR
      exec busybox httpd -f -p 8002 -h $BATS_TEST_TMPDIR" </dev/null >/dev/null
    for k in 0 1 2; do
      wait_until 10 curl -sf -o /dev/null "http://127.0.0.1:$((p + k))/index.html" || { remove_private_state; false; }
    done
    run nook ps
    [[ "$output" == *"0.0.0.0:$p-$((p + 2))->8000-8002/tcp"* ]] || { remove_private_state; false; }
  done
  remove_private_state
}

@test "-p [::1]:HOST_PORT:80 publishes on the host's IPv6 loopback through pasta; slirp4netns says it cannot" {
  require "pasta" command -v pasta
  require "IPv6 on the host's loopback" test -e /proc/net/if_inet6
  port=$(pick_port)
  serve_published pasta "[::1]:$port:80"
  wait_until 10 curl -sf -o /dev/null "http://[::1]:$port/index.html"
  [ "$(curl -s "http://[::1]:$port/index.html")" = served-from-inside ]
  run ss -Htln "sport = :$port"
  assert_output_has "[::1]:$port"
  assert_output_lacks "0.0.0.0:$port"
  run nook run --net slirp4netns -p "[::1]:$port:80" -- touch started
  assert_status 125
  assert_one_error_line
  assert_output_has "IPv4 host addresses only"
  assert_output_has "--net pasta"
  [ ! -e started ]
}

@test "nook ps -a shows no ports for an ended sandbox, and nook port says it ended" {
  use_private_state
  port=$(pick_port)
  "$NOOK" run -d --name ended --net slirp4netns -p "$port:80" -- sh -c 'until [ -e stop ]; do sleep 0.05; done' \
    </dev/null >/dev/null
  run nook ps
  running=$output
  touch stop
  wait_until 10 eval '[ "$("$NOOK" ps -a --format json | jq -r ".[0].status")" = exited ]'
  run nook ps -a
  ended=$output
  run nook ps -a --format json
  json=$output
  run nook port ended
  port_status=$status
  port_out=$output
  remove_private_state
  [[ "$running" == *"0.0.0.0:$port->80/tcp"* ]]
  [[ "$ended" == *exited* ]]
  [[ "$ended" != *"$port->80"* ]]
  [ "$(echo "$json" | jq -r '.[0].ports')" = null ]
  [ "$port_status" = 125 ]
  [[ "$port_out" == *"has ended"* ]]
}

# The README's example, as written there: a UDP service that answers a
# client on the host.  Its replies go back through the gateway, which
# --allow-host-loopback opens; pasta (passt 2023) loses replies to a client
# on the host's loopback, so with pasta the client uses the host's address.
@test "README: a published UDP port answers a client on the host (slirp4netns and pasta)" {
  require "slirp4netns" command -v slirp4netns
  require "pasta" command -v pasta
  host_addr=$(ip -4 -o addr show scope global | awk '{ sub("/.*", "", $4); print $4; exit }')
  require "a non-loopback IPv4 address on the host" test -n "$host_addr"
  for mode in slirp4netns pasta; do
    port=$(pick_port)
    client=127.0.0.1
    [ "$mode" = slirp4netns ] || client=$host_addr
    "$NOOK" run --net "$mode" --allow-host-loopback -p "$port:53/udp" -- python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("", 53))
while True: d, a = s.recvfrom(512); s.sendto(d, a)' </dev/null &
    NOOK_PID=$!
    run /usr/bin/python3 -c "
import socket
c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
c.settimeout(0.2)
for _ in range(100):  # datagrams sent before the helper forwards are lost
    c.sendto(b'$mode', ('$client', $port))
    try:
        print(c.recvfrom(100)[0].decode()); break
    except socket.timeout:
        pass"
    kill "$NOOK_PID"
    wait "$NOOK_PID" || true
    [ "$output" = "$mode" ]
  done
}
