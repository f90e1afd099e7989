#!/usr/bin/env bats
# nook run --socket pulseaudio and --socket pipewire against real sound
# servers (PulseAudio with a null sink, PipeWire): the client answers with
# the socket and fails without it.

load "$NOOK_TESTS/lib.sh"
load "$NOOK_TESTS/integration/desktop.bash"

setup() {
  desktop_session
  cd "$DESK"
}

teardown() { stop_desktop_session; }

@test "--socket pulseaudio: pactl info answers with it, fails without it" {
  require "pulseaudio" command -v pulseaudio
  require "pactl (pulseaudio-utils)" command -v pactl
  start_pulseaudio
  run nook run --socket pulseaudio -- pactl info
  assert_status 0
  assert_output_has "Server String: unix:/run/user/0/pulse/native"
  assert_output_has "Default Sink: null"
  run nook run --app org.nook.Test.Snd --socket pulseaudio -- pactl list short sinks
  assert_status 0
  assert_output_has null
  run nook run --app org.nook.Test.Snd -- pactl info
  [ "$status" -ne 0 ]
  assert_output_has "Connection refused"
}

@test "--socket pipewire: pw-cli info answers with it, fails without it" {
  require "pipewire" command -v pipewire
  require "pw-cli (pipewire-bin)" command -v pw-cli
  start_pipewire
  run nook run --socket pipewire -- pw-cli info 0
  assert_status 0
  assert_output_has "PipeWire:Interface:Core"
  run nook run --app org.nook.Test.Pw -- pw-cli info 0
  [ "$status" -ne 0 ]
  assert_output_lacks "PipeWire:Interface:Core"
}

@test "--profile desktop: pactl and pw-cli answer" {
  require "pulseaudio" command -v pulseaudio
  require "pipewire" command -v pipewire
  start_pipewire
  start_pulseaudio
  run nook run --profile desktop --app org.nook.Test.Desk -- sh -c 'pactl info && pw-cli info 0'
  assert_status 0
  assert_output_has "Default Sink: null"
  assert_output_has "PipeWire:Interface:Core"
}
