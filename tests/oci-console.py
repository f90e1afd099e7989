#!/usr/bin/env python3
"""A console socket as conmon offers one: receives the terminal's master
over SCM_RIGHTS, types INPUT into it and copies what the container writes
to OUT until the terminal closes (EIO) or DEADLINE seconds pass.

    oci-console.py SOCKET OUT [INPUT]

The socket exists when this prints "ready"; OUT gets "fd:N" as its first
line once the master arrived (N its number here), then the terminal's bytes.
"""
import array
import os
import select
import socket
import sys
import time

DEADLINE = 20


def main():
    path, out = sys.argv[1], sys.argv[2]
    typed = sys.argv[3].encode() if len(sys.argv) > 3 else b""
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    srv.settimeout(DEADLINE)
    print("ready", flush=True)
    conn, _ = srv.accept()
    fds = array.array("i")
    msg, anc, _, _ = conn.recvmsg(1024, socket.CMSG_LEN(fds.itemsize))
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[: len(data) - (len(data) % fds.itemsize)])
    with open(out, "wb") as f:
        if not fds:
            f.write(b"no fd\n")
            return 1
        master = fds[0]
        f.write(b"fd:%d name:%s\n" % (master, msg))
        f.flush()
        if typed:
            os.write(master, typed)
        end = time.time() + DEADLINE
        while time.time() < end:
            r, _, _ = select.select([master], [], [], 0.2)
            if not r:
                continue
            try:
                data = os.read(master, 4096)
            except OSError:
                break
            if not data:
                break
            f.write(data)
            f.flush()
    return 0


sys.exit(main())
