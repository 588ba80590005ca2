#!/usr/bin/env bash
# Where Kiln's time per request goes, on one core. The load bench's Kiln server (bench/KilnBench, JIT, the epoll
# transport) runs pinned to CPU 0 with wrk -t1 -c64 on CPU 1, as in run.sh; for each path, after a warm-up:
#   1. one wrk run measures requests/s and the server's CPU time per request (/proc/PID/stat);
#   2. a second run under `perf record -g` (the runtime writes /tmp/perf-PID.map so JIT-compiled methods have names)
#      samples where that time goes, and `perf stat` counts the server's system calls per request.
# Each sample is charged to the innermost frame of its stack that names a stage (parsing, routing, the handler, JSON,
# writing the answer, the transport's buffers, async machinery, GC, the kernel by system call), so a Memmove called by
# the parser counts as parsing. The table gives each stage's share and its µs per request (share × CPU per request).
#
#   bash bench/load/profile.sh
#   PATHS="/json" MODE=pipelined DURATION=10 bash bench/load/profile.sh
#
# Needs perf (installs linux-perf), wrk, taskset. Profiling costs a few % of throughput; the shares, not the rate of
# the profiled run, are the result.
set -euo pipefail
cd "$(dirname "$0")/../.."

PATHS=${PATHS:-"/plaintext /json /accounts/42/history"}
MODE=${MODE:-plain}          # plain | pipelined (depth $DEPTH)
DEPTH=${DEPTH:-16}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-5}
CONN=${CONN:-64}
PORT=${PORT:-5011}
FREQ=${FREQ:-2999}

need() { command -v "$1" >/dev/null || { echo "installing $2..." >&2; apt-get update -qq && apt-get install -y -qq "$2" >/dev/null; }; }
need wrk wrk
need perf linux-perf
need taskset util-linux

dotnet build -c Release bench/KilnBench -v q -nologo >/dev/null
tmp=$(mktemp -d)
# W^X off: with it, JIT code runs from a double-mapped memfd that the perf map cannot name.
DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 taskset -c 0 dotnet bench/KilnBench/bin/Release/net10.0/Kiln.LoadBench.dll --urls "http://127.0.0.1:$PORT" >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$PORT/plaintext" >/dev/null && break; sleep 0.2; done

wrk_run() { # path seconds → wrk output
  local url="http://127.0.0.1:$PORT$1"
  if [ "$MODE" = pipelined ]; then taskset -c 1 wrk -t1 -c"$CONN" -d"$2s" -s bench/load/pipeline.lua "$url" -- "$DEPTH"
  else taskset -c 1 wrk -t1 -c"$CONN" -d"$2s" "$url"; fi
}
requests_of() { awk '/^ *[0-9]+ requests in/ { print $1 }'; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$server/stat"; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -sr), .NET $(dotnet --version); load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "server pinned to CPU 0, wrk -t1 -c$CONN on CPU 1, mode $MODE; ${DURATION}s runs after ${WARMUP}s of warm-up; perf at ${FREQ} Hz"
for path in $PATHS; do
  wrk_run "$path" "$WARMUP" >/dev/null
  before=$(cpu_ticks)
  out=$(wrk_run "$path" "$DURATION")
  after=$(cpu_ticks)
  requests=$(echo "$out" | requests_of)
  rps=$(echo "$out" | awk '/Requests\/sec:/ { print $2 }')
  cpu_us=$(python3 -c "print(f'{($after - $before) / $(getconf CLK_TCK) * 1e6 / $requests:.2f}')")

  syscalls="recvfrom,sendto,epoll_wait,epoll_ctl,read,write,futex,sched_yield,accept4,mmap,munmap,madvise"
  events=$(echo "$syscalls" | tr ',' '\n' | sed 's/^/syscalls:sys_enter_/' | paste -sd,)
  # Sampling and syscall counting in separate runs: the syscall tracepoints cost time that would show in the samples.
  perf record -q -F "$FREQ" -g -p "$server" -o "$tmp/perf.data" -- sleep "$DURATION" 2>/dev/null &
  record_pid=$!
  wrk_run "$path" "$DURATION" >/dev/null
  wait $record_pid || true
  perf stat -x, -e "$events" -p "$server" -o "$tmp/stat" -- sleep "$DURATION" 2>/dev/null &
  stat_pid=$!
  profiled=$(wrk_run "$path" "$DURATION" | requests_of)
  wait $stat_pid || true
  perf script -i "$tmp/perf.data" -F comm,tid,ip,sym,dso 2>/dev/null > "$tmp/script" || true

  echo
  echo "## $path ($MODE): $rps req/s, $cpu_us µs CPU per request"
  python3 - "$tmp/script" "$tmp/stat" "$cpu_us" "$profiled" <<'PY'
import re, sys
script, stat, cpu_us, profiled = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])

# Innermost match wins; the order here breaks ties within one frame only.
STAGES = [
    ("GC and allocation", r"WKS::|SVR::|gc_heap|GCHeap|RhpNew|RhpGcAlloc|JIT_New|AllocateObject"),
    ("JSON (System.Text.Json)", r"System\.Text\.Json"),
    ("routing (generated matcher)", r"Kiln\.Generated\.|BenchRouter|\.Match\(|PathReader|RouteMatch|RoutePath|PathNormalizer"),
    ("parsing the request", r"RequestParser|RequestHeadReader|RequestHead|HttpChars|RequestHeaders|QueryCollection|ValueParser"),
    ("writing the answer", r"ResponseWriter|StatusLines|DateCache|HttpResponse|ContentTypes"),
    ("handler and adapter", r"Kiln\.LoadBench|Routes\.|Handler\.Invoke|Router\.Then|Router\.NoContentAfter"),
    ("connection loop (HttpConnection)", r"HttpConnection|TimeoutControl|Request\.Reset|Kiln\.Request"),
    ("transport buffers (epoll input/output)", r"EpollInput|EpollOutput|EpollConnection|Readiness|System\.IO\.Pipelines"),
    ("epoll loop", r"EpollLoop"),
    ("async machinery", r"AsyncTaskMethodBuilder|AsyncStateMachineBox|AsyncMethodBuilderCore|ExecutionContext|ValueTask|Tasks\.Task|ThreadPool|PoolingAsyncValueTaskMethodBuilder"),
    ("telemetry", r"Instruments|KilnTelemetry|RequestTelemetry|System\.Diagnostics\.Metrics|Activity"),
]
STAGES = [(name, re.compile(p)) for name, p in STAGES]
LIBC_SYSCALL = {"__send": "sendto", "__libc_recv": "recvfrom", "epoll_wait": "epoll_wait", "__libc_write": "write", "__libc_read": "read"}
KERNEL_SYSCALL = re.compile(r"__(?:x64|arm64)_sys_(\w+)|__do_sys_(\w+)|do_(epoll_wait)")

counts, total, threads, unnamed = {}, 0, {}, {}
def charge(stack):
    global total
    total += 1
    syscall = None
    for ip_sym in stack:
        sym = ip_sym[1]
        m = KERNEL_SYSCALL.search(sym)
        if m:
            syscall = next(g for g in m.groups() if g)
            break
    if syscall is None and stack and stack[0][1] in LIBC_SYSCALL:
        syscall = LIBC_SYSCALL[stack[0][1]]   # the user side of the call: its libc wrapper
    if syscall:
        key = f"kernel: {syscall}"
    else:
        key = None
        for _, sym in stack:
            for name, pattern in STAGES:
                if pattern.search(sym):
                    key = name
                    break
            if key: break
        if key is None:
            key = "kernel: interrupts, scheduling, the VM's paravirtual IRQ enable" if stack and stack[0][0] == "k" else "other (runtime, libc, stubs)"
            leaves = unnamed.setdefault(key, {})
            leaves[stack[0][1]] = leaves.get(stack[0][1], 0) + 1
    counts[key] = counts.get(key, 0) + 1

stack, header = [], None
for line in open(script, errors="replace"):
    if not line.strip():
        if header is not None and stack: charge(stack)
        stack, header = [], None
        continue
    if header is None:
        header = line.split()
        threads[header[0]] = threads.get(header[0], 0) + 1
        continue
    # "ADDRESS SYMBOL (DSO)": kernel frames come from [kernel.kallsyms].
    body = line.strip().split(None, 1)[1] if len(line.strip().split(None, 1)) > 1 else "?"
    dso = body[body.rfind("("):] if body.endswith(")") else ""
    stack.append(("k" if "kernel" in dso else "u", body[: len(body) - len(dso)].strip()))
if header is not None and stack: charge(stack)

print()
print(f"{total} samples; by thread: " + ", ".join(f"{k} {v * 100 / max(total, 1):.0f}%" for k, v in sorted(threads.items(), key=lambda kv: -kv[1])))
print()
print("| stage | share of server CPU | µs per request |")
print("|---|---:|---:|")
for key, n in sorted(counts.items(), key=lambda kv: -kv[1]):
    share = n / total
    if share < 0.005: continue
    print(f"| {key} | {share * 100:.1f}% | {share * cpu_us:.2f} |")
for key, leaves in unnamed.items():
    top = sorted(leaves.items(), key=lambda kv: -kv[1])[:8]
    print(f"{key}, top frames: " + "; ".join(f"{sym[:60]} {n * 100 / total:.1f}%" for sym, n in top))
print()
calls = []
for line in open(stat):
    f = line.strip().split(",")
    if len(f) > 2 and f[2].startswith("syscalls:sys_enter_") and f[0].replace(".", "").isdigit():
        calls.append((f[2].removeprefix("syscalls:sys_enter_"), int(float(f[0]))))
per = ", ".join(f"{name} {n / profiled:.2f}" for name, n in sorted(calls, key=lambda c: -c[1]) if n / profiled >= 0.005)
print(f"system calls per request ({profiled} requests in the counting run): {per}; total {sum(n for _, n in calls) / profiled:.2f}")
PY
done
