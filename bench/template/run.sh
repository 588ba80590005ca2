#!/usr/bin/env bash
# The `dotnet new kiln` app as a user publishes it, from the packed packages (.ci/package-test.sh builds it):
#   1. NativeAOT size (also with the settings the Web SDK would add) and start-up (exec -> first complete response
#      to GET /todos, timed by bench/footprint/probe.c, with the RSS at that moment), runs alternating with
#      ASP.NET Core's own NativeAOT API template (`dotnet new webapiaot`, also a to-do API) as the baseline;
#   2. server GC against workstation GC for the Kiln app: wrk throughput and p99 on GET /todos, resident memory
#      (idle after start, after the load, and peak) and the server's CPU time per request (user + system, which
#      depends less on the neighbours than req/s does), runs alternating between the two.
#
#   bash bench/template/run.sh [WORK_DIR]        # RUNS=21 ROUNDS=5 DURATION=10 CONN=64 THREADS=2
#
# WORK_DIR keeps everything (reused when run again); by default a new temporary folder.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-$(mktemp -d /tmp/kiln-template-bench.XXXXXX)}
mkdir -p "$work"; work=$(cd "$work" && pwd)
RUNS=${RUNS:-21}; ROUNDS=${ROUNDS:-5}; DURATION=${DURATION:-10}; CONN=${CONN:-64}; THREADS=${THREADS:-2}
start_server="python3 $repo/.ci/start-server.py"

command -v wrk >/dev/null || { echo "installing wrk..." >&2; apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

# The consumer projects of the package test: packed packages, isolated NuGet cache, the template app.
[ -d "$work/MyApi" ] || bash "$repo/.ci/package-test.sh" "$work"
export NUGET_PACKAGES=$work/nuget-packages DOTNET_CLI_HOME=$work/cli-home DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
cd "$work"

publish() { # project output [msbuild args...]
  mkdir -p "$(dirname "$2")"
  local project=$1 out=$2; shift 2
  [ -x "$out/$(basename "$project")" ] || dotnet publish "$project" -r linux-x64 -o "$out" "$@" >"$out.log" 2>&1 \
    || { cat "$out.log"; exit 1; }
}
publish MyApi/MyApi bench/kiln                                   # as the template sets it up
publish MyApi/MyApi bench/kiln-servergc -p:ServerGarbageCollection=true
publish MyApi/MyApi bench/kiln-workstationgc -p:ServerGarbageCollection=false
publish MyApi/MyApi bench/kiln-eventsource -p:EventSourceSupport=true           # what the Web SDK turns on for AOT
if [ ! -d AspNetAot ]; then dotnet new webapiaot -o AspNetAot >/dev/null; fi
publish AspNetAot bench/aspnet

kiln=bench/kiln/MyApi; aspnet=bench/aspnet/AspNetAot
echo "machine: $(nproc) cores; load: $(uptime | sed 's/.*load average: //')"
echo
echo "## size (bytes)"
printf '%-44s %10s\n' "kiln template (dotnet new kiln)" "$(stat -c %s $kiln)"
printf '%-44s %10s\n' "kiln template, EventSourceSupport=true" "$(stat -c %s bench/kiln-eventsource/MyApi)"
printf '%-44s %10s\n' "kiln template, ServerGarbageCollection=true" "$(stat -c %s bench/kiln-servergc/MyApi)"
printf '%-44s %10s\n' "ASP.NET Core (dotnet new webapiaot)" "$(stat -c %s $aspnet)"

echo
echo "## start-up: exec -> first response to GET /todos, and RSS then ($RUNS runs each, alternating)"
cc -O2 -Wall -o "$work/probe" "$repo/bench/footprint/probe.c"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
probe() { local port; port=$(free_port); "$work/probe" "$port" /todos -- "$1" --urls "http://127.0.0.1:$port" 2>/dev/null; }
k=(); a=()
for i in $(seq 1 "$RUNS"); do
  if (( i % 2 )); then k+=("$(probe "$kiln")"); a+=("$(probe "$aspnet")"); else a+=("$(probe "$aspnet")"); k+=("$(probe "$kiln")"); fi
done
python3 - "$(printf '%s;' "${k[@]}")" "$(printf '%s;' "${a[@]}")" <<'PY'
import statistics, sys
for name, rows in (("kiln template", sys.argv[1]), ("ASP.NET Core webapiaot", sys.argv[2])):
    rows = [r.split() for r in rows.split(";") if r]
    ms = sorted(float(r[0]) for r in rows)
    rss = statistics.median(float(r[1]) for r in rows) / 1024
    print(f"{name:<24} median {statistics.median(ms):7.1f} ms   min {ms[0]:7.1f}   max {ms[-1]:7.1f}   RSS {rss:5.1f} MiB")
PY

echo
echo "## GC: GET /todos under wrk -t$THREADS -c$CONN -d${DURATION}s ($ROUNDS rounds, alternating)"
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }                  # user + system, in clock ticks
measure() { # binary -> "rps p99ms idle_kib after_kib peak_kib cpu_us_per_request"
  local out pid url idle rps p99 requests before after
  out=$($start_server /todos -- "$1")
  pid=$(sed -n 's/^pid //p' <<<"$out"); url=$(sed -n 's/^url //p' <<<"$out")
  idle=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  wrk -t"$THREADS" -c"$CONN" -d3s "$url/todos" >/dev/null                           # warm-up
  before=$(cpu_ticks "$pid")
  read -r rps p99 requests < <(wrk -t"$THREADS" -c"$CONN" -d"${DURATION}s" --latency "$url/todos" | awk '
    /Requests\/sec:/ { rps = $2 }
    / requests in / { requests = $1 }
    $1 == "99%" { v = $2; u = v; gsub(/[0-9.]/, "", u); gsub(/[a-z]/, "", v); p99 = (u == "s") ? v * 1000 : (u == "us") ? v / 1000 : v }
    END { print rps, p99, requests }')
  after=$(cpu_ticks "$pid")
  echo "$rps $p99 $idle $(awk '/VmRSS/ {print $2}' "/proc/$pid/status") $(awk '/VmHWM/ {print $2}' "/proc/$pid/status")" \
       "$(( (after - before) * 1000000 / $(getconf CLK_TCK) / requests ))"
  kill -TERM -- "-$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
}
server=(); workstation=()
for r in $(seq 1 "$ROUNDS"); do
  if (( r % 2 )); then server+=("$(measure bench/kiln-servergc/MyApi)"); workstation+=("$(measure bench/kiln-workstationgc/MyApi)")
  else workstation+=("$(measure bench/kiln-workstationgc/MyApi)"); server+=("$(measure bench/kiln-servergc/MyApi)"); fi
  echo "round $r: server ${server[-1]} | workstation ${workstation[-1]}   (rps p99ms idleKiB afterKiB peakKiB cpuµs/req)"
done
python3 - "$(printf '%s;' "${server[@]}")" "$(printf '%s;' "${workstation[@]}")" <<'PY'
import statistics, sys
def med(rows, i): return statistics.median(float(r.split()[i]) for r in rows)
s = [r for r in sys.argv[1].split(";") if r]; w = [r for r in sys.argv[2].split(";") if r]
print(f"{'median':<12} {'req/s':>9} {'p99 ms':>8} {'idle MiB':>9} {'after MiB':>10} {'peak MiB':>9} {'CPU us/req':>11}")
for name, rows in (("server GC", s), ("workstation", w)):
    print(f"{name:<12} {med(rows,0):9.0f} {med(rows,1):8.2f} {med(rows,2)/1024:9.1f} {med(rows,3)/1024:10.1f} {med(rows,4)/1024:9.1f} {med(rows,5):11.0f}")
print(f"server/workstation: req/s {med(s,0)/med(w,0):.2f}x, peak RSS {med(s,4)/med(w,4):.2f}x, CPU per request {med(s,5)/med(w,5):.2f}x")
PY
echo "load after: $(uptime | sed 's/.*load average: //')"
