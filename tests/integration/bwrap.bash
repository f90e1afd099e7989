# Shared by tests/integration/bwrap-*.bats: nook-bwrap, bubblewrap's
# command line, is beside the nook under test.
BWRAP=${NOOK_BWRAP:-$(dirname "$NOOK")/nook-bwrap}

# Runs nook-bwrap with stdin closed (bats' `run` keeps status and output).
bw() { "$BWRAP" "$@" </dev/null; }

# The host's root read-only with fresh /proc and /dev: what most tests need.
HOST_RO=(--ro-bind / / --proc /proc --dev /dev)

# A compiled seccomp program that makes each SYSCALL fail with ERRNO, in
# FILE (python3-seccomp, as bubblewrap's own tests make theirs).
bpf_deny() { # FILE ERRNO SYSCALL...
  /usr/bin/python3 - "$@" <<'PY'
import sys, seccomp
f = seccomp.SyscallFilter(seccomp.ALLOW)
for name in sys.argv[3:]:
    f.add_rule(seccomp.ERRNO(int(sys.argv[2])), name)
with open(sys.argv[1], "wb") as out:
    f.export_bpf(out)
PY
}
