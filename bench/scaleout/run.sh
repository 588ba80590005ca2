#!/usr/bin/env bash
# One process with one epoll loop per core vs one single-loop process per core sharing the port with SO_REUSEPORT
# (docs/benchmarks.md, "Multi-core: one process or many"). Runs the NativeAOT sample under wrk, alternating the two
# setups ROUNDS times so that the noise of a shared machine falls on both alike.
#
#   bash bench/scaleout/run.sh                 # publishes the sample if needed; ROUNDS=3 SECONDS_PER_RUN=10
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-3}; SECS=${SECONDS_PER_RUN:-10}; CONNS=${CONNECTIONS:-64}; THREADS=${WRK_THREADS:-2}
PATH_=${URL_PATH:-/accounts/42}
binary=sample/bin/Release/net10.0/linux-x64/publish/kiln-sample
[ -x "$binary" ] || dotnet publish sample -c Release -r linux-x64 >/dev/null
cores=$(nproc)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
pids=()
stop() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; pids=(); }
trap stop EXIT
wait_up() { for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/health/ready" && return; sleep 0.05; done; echo "not up"; exit 1; }
tck=$(getconf CLK_TCK)
cpu_ticks() { local t=0 p; for p in "${pids[@]}"; do t=$(( t + $(awk '{print $14 + $15}' "/proc/$p/stat") )); done; echo "$t"; }
measure() { # label: requests/s, p99, and the servers' CPU time (user + system) per request
  local before after out
  before=$(cpu_ticks)
  out=$(wrk -t"$THREADS" -c"$CONNS" -d"${SECS}s" --latency "http://127.0.0.1:$port$PATH_")
  after=$(cpu_ticks)
  echo "$out" | awk -v l="$1" -v ticks=$(( after - before )) -v tck="$tck" '
    /requests in/{n=$1} /Requests\/sec/{r=$2} /^ +99%/{p=$2} /Socket errors/{e=$0}
    END{printf "%-34s %10s req/s  p99 %8s  CPU %5.1f us/request %s\n", l, r, p, ticks / tck * 1e6 / n, e}'
}
echo "load average: $(cut -d" " -f1-3 /proc/loadavg)"
echo "kiln-sample $PATH_, wrk -t$THREADS -c$CONNS -d${SECS}s, $cores cores, $(date -u +%FT%TZ)"
for round in $(seq 1 "$ROUNDS"); do
  # Sample logging off the hot path: the sample logs each request to stdout, sent to /dev/null here.
  KILN_URLS=http://127.0.0.1:$port "$binary" >/dev/null 2>&1 & pids+=($!)
  wait_up; measure "round $round: 1 process x $cores loops"; stop
  for _ in $(seq 1 "$cores"); do
    DOTNET_PROCESSOR_COUNT=1 KILN_REUSE_PORT=1 KILN_URLS=http://127.0.0.1:$port "$binary" >/dev/null 2>&1 & pids+=($!)
  done
  wait_up; measure "round $round: $cores processes x 1 loop"; stop
done
echo "load average: $(cut -d" " -f1-3 /proc/loadavg)"
