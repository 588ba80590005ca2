#!/usr/bin/env python3
"""Scale-out tests of a Kiln app (the NativeAOT sample): restarts under load that must lose nothing.

  restart  One machine, one port. A supervisor (this script, doing what systemd does for a socket unit) holds the
           listening socket and passes it to each instance as LISTEN_FDS=1 (descriptor 3); instances report READY=1 /
           STOPPING=1 on NOTIFY_SOCKET. Under wrk load: start a new instance, wait for READY=1, SIGTERM the old one;
           twice. Must give 0 socket errors and 0 non-2xx answers, and both generations must have served.
  nginx    deploy/nginx/kiln.conf (only ports and certificate paths replaced) in front of two socket-activated
           instances. Requests spread over both; the app sees the client's address and scheme from nginx, and
           ignores forwarding headers from anyone else; restarting each instance in turn (stop, then start, as
           `systemctl restart app@N` does) under wrk load gives 0 errors.

Usage: scaleout.py BINARY [restart|nginx|all] [--seconds N] [--shutdown-delay S] [--reuseport]
BINARY is a Kiln app that calls ServerOptions.FromArgs, UseHealthEndpoints and (with KILN_TRUSTED_PROXIES)
UseForwardedHeaders, and serves GET /accounts/42 and GET /whoami ("client scheme pid"): sample/ does.
Needs wrk, nginx, openssl and curl (.ci/scaleout.sh installs them). Ports are chosen free at run time.
Every process it starts is stopped before it exits; the whole run takes well under two minutes.
"""
import argparse
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORK = tempfile.mkdtemp(prefix="kiln-scaleout-")
started = []  # every process this script starts, stopped at exit


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def held_socket(port=0):
    """A listening socket, as a systemd .socket unit (ListenStream=127.0.0.1:PORT, Backlog=4096) holds it."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(4096)
    return s


class Notifications:
    """NOTIFY_SOCKET: a datagram socket that receives sd_notify messages with the sender's pid (SO_PASSCRED)."""

    def __init__(self):
        self.path = tempfile.mktemp(suffix=".sock", prefix="notify-", dir=WORK)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        self.sock.bind(self.path)
        self.seen = []  # (pid, message)

    def wait_for(self, pid, message, timeout=20):
        deadline = time.time() + timeout
        while (pid, message) not in self.seen:
            left = deadline - time.time()
            if left <= 0:
                raise AssertionError(f"no {message} from pid {pid} within {timeout} s (seen: {self.seen})")
            self.sock.settimeout(left)
            try:
                data, ancillary, _, _ = self.sock.recvmsg(1024, socket.CMSG_SPACE(12))
            except socket.timeout:
                continue
            sender = None
            for level, kind, payload in ancillary:
                if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                    sender = struct.unpack("iII", payload[:12])[0]
            for line in data.decode().splitlines():
                self.seen.append((sender, line))


class Instance:
    """One app process given `held` as its socket-activated descriptor 3 (LISTEN_FDS=1, LISTEN_PID=its pid)."""

    count = 0

    def __init__(self, binary, held, notify, env):
        """held: the socket to pass, or an int: a port the instance binds itself with SO_REUSEPORT."""
        Instance.count += 1
        self.name = f"instance{Instance.count}"
        self.log_path = os.path.join(WORK, self.name + ".log")
        environment = dict(os.environ, NOTIFY_SOCKET=notify.path, **env)
        environment.pop("KILN_URLS", None)
        if isinstance(held, int):
            environment.update(KILN_URLS=f"http://127.0.0.1:{held}", KILN_REUSE_PORT="1")
            command, fds = [binary], ()
        else:
            fd = held.fileno()
            move = "" if fd == 3 else f"exec 3<&{fd} {fd}<&-; "
            environment["LISTEN_FDS"] = "1"
            # bash: LISTEN_PID must be the pid of the process that runs the app; exec keeps the shell's pid.
            command, fds = ["bash", "-c", move + 'LISTEN_PID=$$ exec "$0" "$@"', binary], (fd,)
        with open(self.log_path, "wb") as out:
            self.process = subprocess.Popen(command, pass_fds=fds, env=environment, stdout=out, stderr=subprocess.STDOUT)
        started.append(self.process)
        self.pid = self.process.pid
        notify.wait_for(self.pid, "READY=1")
        log(f"{self.name} (pid {self.pid}) ready")

    def served(self):
        """Requests this instance answered (the sample logs one line per request)."""
        with open(self.log_path, errors="replace") as f:
            return sum(1 for line in f if " GET /" in line)

    def stop(self, notify, timeout=40):
        self.process.send_signal(signal.SIGTERM)
        notify.wait_for(self.pid, "STOPPING=1")
        code = self.process.wait(timeout)
        log(f"{self.name} (pid {self.pid}) stopped with exit code {code} after serving {self.served()} requests")
        if code != 0:
            raise AssertionError(f"{self.name} exited with {code}; its log: {self.log_path}")


class Wrk:
    """wrk in the background for a fixed time; the result is parsed when it ends."""

    def __init__(self, url, seconds, connections=16, threads=1, close=False):
        extra = ["-H", "Connection: close"] if close else []
        self.process = subprocess.Popen(["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", *extra, url],
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        started.append(self.process)

    def result(self):
        out, _ = self.process.communicate(timeout=120)
        if self.process.returncode != 0:
            raise AssertionError("wrk failed:\n" + out)
        requests = int(re.search(r"(\d+) requests in", out).group(1))
        errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
        socket_errors = sum(int(g) for g in errors.groups()) if errors else 0
        non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M)
        return {"requests": requests, "socket_errors": socket_errors, "non_2xx": int(non2xx.group(1)) if non2xx else 0,
                "p99": p99.group(1) if p99 else "?", "output": out}


def check_load(result, what):
    log(f"{what}: {result['requests']} requests, {result['socket_errors']} socket errors, "
        f"{result['non_2xx']} non-2xx, p99 {result['p99']}")
    if result["requests"] == 0 or result["socket_errors"] or result["non_2xx"]:
        print(result["output"])
        raise AssertionError(f"{what}: requests were lost")


def test_restart(binary, seconds, delay, reuseport, close):
    """Start new, SIGTERM old, twice, under load, on one shared socket."""
    notify = Notifications()
    if reuseport:
        # No supervisor: each instance binds the port itself with SO_REUSEPORT (informational, see docs/deploy.md).
        port = free_port()
        held = port
    else:
        held = held_socket()
        port = held.getsockname()[1]
    env = {"KILN_SHUTDOWN_DELAY": str(delay)}
    old = Instance(binary, held, notify, env)
    load = Wrk(f"http://127.0.0.1:{port}/accounts/42", seconds, close=close)
    generations = [old]
    for _ in range(2):
        time.sleep(seconds / 4)
        new = Instance(binary, held, notify, env)   # returns once the new instance reported READY=1
        old.stop(notify)
        generations.append(new)
        old = new
    result = load.result()
    old.stop(notify)
    if not reuseport:
        held.close()
    check_load(result, f"restart ({'SO_REUSEPORT' if reuseport else 'inherited socket'}, {len(generations)} generations, "
                       f"shutdown delay {delay} s{', a new connection per request' if close else ''})")
    served = [g.served() for g in generations]
    if min(served) == 0:
        raise AssertionError(f"every generation should have served under load: {served}")
    if sum(served) < result["requests"]:
        raise AssertionError(f"the instances logged {sum(served)} requests but wrk completed {result['requests']}")
    log(f"restart: passed (requests per generation: {served})")


def curl(*args):
    out = subprocess.run(["curl", "-sS", "--max-time", "10", *args], capture_output=True, text=True)
    if out.returncode != 0:
        raise AssertionError(f"curl {' '.join(args)} failed: {out.stderr}")
    return out.stdout.strip()


def nginx_config(upstream_ports, port):
    """deploy/nginx/kiln.conf with ports and certificate paths replaced, inside a minimal main context."""
    with open(os.path.join(REPO, "deploy", "nginx", "kiln.conf")) as f:
        conf = f.read()
    certificate, key = os.path.join(WORK, "cert.pem"), os.path.join(WORK, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-keyout", key, "-out", certificate], check=True, capture_output=True)
    replacements = [
        (r"server 127\.0\.0\.1:8081", f"server 127.0.0.1:{upstream_ports[0]}"),
        (r"server 127\.0\.0\.1:8082", f"server 127.0.0.1:{upstream_ports[1]}"),
        (r"listen 443 ssl;", f"listen 127.0.0.1:{port} ssl;"),
        (r"\n\s*listen \[::\]:443 ssl;", ""),
        (r"listen 80;", f"listen 127.0.0.1:{free_port()};"),
        (r"\n\s*listen \[::\]:80;", ""),
        (r"ssl_certificate\s+\S+;", f"ssl_certificate {certificate};"),
        (r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {key};"),
    ]
    for pattern, replacement in replacements:
        conf, n = re.subn(pattern, replacement, conf)
        if n != 1:
            raise AssertionError(f"deploy/nginx/kiln.conf: expected one match of {pattern!r}, found {n}")
    path = os.path.join(WORK, "kiln.conf")
    with open(path, "w") as f:
        f.write(conf)
    temp = os.path.join(WORK, "nginx-temp")
    os.makedirs(temp, mode=0o777, exist_ok=True)
    os.chmod(temp, 0o777)
    main = f"""daemon off;
worker_processes 1;
pid {WORK}/nginx.pid;
error_log {WORK}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {temp}/body; proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi; uwsgi_temp_path {temp}/uwsgi; scgi_temp_path {temp}/scgi;
    include {path};
}}
"""
    main_path = os.path.join(WORK, "nginx.conf")
    with open(main_path, "w") as f:
        f.write(main)
    return main_path


def test_nginx(binary, seconds, delay):
    notify = Notifications()
    held = [held_socket(), held_socket()]   # app@1.socket and app@2.socket
    ports = [h.getsockname()[1] for h in held]
    env = {"KILN_SHUTDOWN_DELAY": str(delay), "KILN_TRUSTED_PROXIES": "127.0.0.1"}
    instances = [Instance(binary, h, notify, env) for h in held]
    port = free_port()
    conf = nginx_config(ports, port)
    subprocess.run(["nginx", "-t", "-q", "-c", conf], check=True)
    nginx = subprocess.Popen(["nginx", "-c", conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    started.append(nginx)
    url = f"https://127.0.0.1:{port}"
    for _ in range(100):
        try:
            curl("-k", url + "/health/ready")
            break
        except AssertionError:
            time.sleep(0.1)

    # Spread: round-robin over both instances.
    pids = [curl("-k", url + "/whoami").split()[2] for _ in range(10)]
    expected = {str(i.pid) for i in instances}
    if set(pids) != expected:
        raise AssertionError(f"requests went to {pids}, expected both of {expected}")
    log(f"nginx: 10 requests spread over both instances ({pids.count(pids[0])}/{10 - pids.count(pids[0])})")

    # The client's address and scheme come from nginx, whatever the client claims; a direct client is not believed.
    via_nginx = curl("-k", "--interface", "127.0.0.7", "-H", "X-Forwarded-For: 203.0.113.66",
                     "-H", "Forwarded: for=203.0.113.66;proto=http", url + "/whoami").split()
    if via_nginx[:2] != ["127.0.0.7", "https"]:
        raise AssertionError(f"through nginx the app saw {via_nginx[:2]}, expected the client 127.0.0.7 over https")
    direct = curl("--interface", "127.0.0.7", "-H", "X-Forwarded-For: 203.0.113.66", "-H", "X-Forwarded-Proto: https",
                  f"http://127.0.0.1:{ports[0]}/whoami").split()
    if direct[:2] != ["127.0.0.7", "http"]:
        raise AssertionError(f"a direct client's forwarding headers were believed: {direct[:2]}")
    log("nginx: the app sees the client (127.0.0.7, https) from nginx only")

    # Restart each instance in turn under load, as `systemctl restart app@N` does: stop, then start. Connections
    # that arrive in between wait in the socket's backlog (held by systemd, here by this script).
    load = Wrk(url + "/accounts/42", seconds, connections=16)
    for i in range(2):
        time.sleep(seconds / 4)
        instances[i].stop(notify)
        instances[i] = Instance(binary, held[i], notify, env)
    result = load.result()
    for instance in instances:
        instance.stop(notify)
    nginx.send_signal(signal.SIGQUIT)
    nginx.wait(20)
    for h in held:
        h.close()
    check_load(result, "nginx rolling restart")
    with open(os.path.join(WORK, "nginx-error.log")) as f:
        upstream_errors = [line for line in f if "upstream" in line]
    log(f"nginx: passed ({len(upstream_errors)} upstream error lines in nginx's log, each retried on the other instance)")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binary")
    parser.add_argument("test", nargs="?", default="all", choices=["restart", "nginx", "all"])
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration of each load phase")
    parser.add_argument("--shutdown-delay", type=float, default=1.0, help="KILN_SHUTDOWN_DELAY of the instances")
    parser.add_argument("--reuseport", action="store_true", help="(restart) instead of a held socket, each instance binds the port with SO_REUSEPORT "
                        "(not what the docs recommend: it loses requests unless net.ipv4.tcp_migrate_req=1)")
    parser.add_argument("--close", action="store_true", help="(restart) every request on a new connection")
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    try:
        if args.test in ("restart", "all"):
            test_restart(binary, args.seconds, args.shutdown_delay, args.reuseport, args.close)
            if args.test == "all":   # every request on a new connection: the accept queue is never empty
                test_restart(binary, args.seconds, args.shutdown_delay, args.reuseport, True)
        if args.test in ("nginx", "all"):
            test_nginx(binary, args.seconds, args.shutdown_delay)
    except AssertionError as e:
        log(f"FAILED: {e} (logs in {WORK})")
        return 1
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()
                process.wait()
    shutil.rmtree(WORK, ignore_errors=True)
    log("all passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
