#!/usr/bin/env python3
"""Starts a server on a free loopback port and waits until it answers; the server is left running.

    start-server.py PATH -- COMMAND [ARG...]

COMMAND is started in its own process group with `--urls http://127.0.0.1:PORT` appended (PORT: a free port).
The script then connects and sends `GET PATH` in a 1 ms loop until a whole response arrives, and prints

    first response: MS ms (STATUS LINE)      the time from exec to that response
    pid PID                                  the server's process (and process group) id
    url http://127.0.0.1:PORT

It exits non-zero, stopping the server, if the server exits first or has not answered within 60 s.
(bench/footprint/probe.c measures start-up precisely; this is the CI's way to start a server and know it is up.)
"""
import os
import signal
import socket
import subprocess
import sys
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def try_request(port, path):
    """One request; returns the status line, or None if the server is not answering yet."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
            data = b""
            while chunk := s.recv(65536):
                data += chunk
            return data.split(b"\r\n", 1)[0].decode() if data else None
    except OSError:
        return None


def main(argv):
    if len(argv) < 3 or argv[1] != "--":
        sys.exit(__doc__)
    path, command = argv[0], argv[2:]
    port = free_port()
    start = time.perf_counter()
    proc = subprocess.Popen(command + ["--urls", f"http://127.0.0.1:{port}"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    while (status := try_request(port, path)) is None:
        if proc.poll() is not None:
            sys.exit(f"server exited with {proc.returncode} before answering")
        if time.perf_counter() - start > 60:
            os.killpg(proc.pid, signal.SIGKILL)
            sys.exit("server did not answer within 60 s")
        time.sleep(0.001)
    print(f"first response: {(time.perf_counter() - start) * 1000:.1f} ms ({status})")
    print(f"pid {proc.pid}")
    print(f"url http://127.0.0.1:{port}")


if __name__ == "__main__":
    main(sys.argv[1:])
