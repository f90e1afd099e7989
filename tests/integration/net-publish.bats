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
