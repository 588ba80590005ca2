#!/usr/bin/env python3
"""Starts a server and measures the time from exec to its first complete HTTP response.

    first-response.py [--runs N] [--keep] PATH -- COMMAND [ARG...]

COMMAND is started with `--urls http://127.0.0.1:PORT` appended (PORT: a free port); the script then connects and
sends `GET PATH` in a tight loop until a whole response arrives, and prints the milliseconds from exec to that
response (one line per run, then the median). Without --keep the server is stopped (SIGTERM) after each run; with
--keep (one run) it is left running and its pid is printed as `pid N` and its URL as `url http://...`.
Exits non-zero if the server has not answered within 30 s, or if it exits first.
"""
import os
import signal
import socket
import statistics
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
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
            data = b""
            while chunk := s.recv(65536):
                data += chunk
            return data.split(b"\r\n", 1)[0].decode() if data else None
    except OSError:
        return None


def run_once(command, path, keep):
    port = free_port()
    start = time.perf_counter()
    proc = subprocess.Popen(command + ["--urls", f"http://127.0.0.1:{port}"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = start + 30
    while True:
        status = try_request(port, path)
        if status is not None:
            elapsed = (time.perf_counter() - start) * 1000
            break
        if proc.poll() is not None:
            sys.exit(f"server exited with {proc.returncode} before answering")
        if time.perf_counter() > deadline:
            proc.kill()
            sys.exit("server did not answer within 30 s")
        time.sleep(0.001)
    if keep:
        print(f"pid {proc.pid}")
        print(f"url http://127.0.0.1:{port}")
    else:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return elapsed, status


def main(argv):
    runs, keep = 1, False
    while argv and argv[0].startswith("--"):
        flag = argv.pop(0)
        if flag == "--runs":
            runs = int(argv.pop(0))
        elif flag == "--keep":
            keep = True
        else:
            sys.exit(f"unknown option {flag}")
    if len(argv) < 3 or argv[1] != "--":
        sys.exit(__doc__)
    path, command = argv[0], argv[2:]
    times = []
    for i in range(runs):
        elapsed, status = run_once(command, path, keep and i == runs - 1)
        times.append(elapsed)
        print(f"first response: {elapsed:.1f} ms ({status})")
    if runs > 1:
        print(f"median of {runs}: {statistics.median(times):.1f} ms")


if __name__ == "__main__":
    main(sys.argv[1:])
