#!/usr/bin/env bash
# Soak: the hardening server at full load for DURATION seconds (default 300) — wrk with a mixed workload
# (soak.lua: plaintext, JSON, 16 KiB uploads, JSON bodies, 256 KiB answers) plus waves of hostile clients
# (slowloris heads, announced 8 MiB uploads, clients that do not read 4 MiB answers, garbage). Samples the
# server's resident memory (VmRSS) and managed heap every INTERVAL seconds and prints them with a summary.
#
#   bash bench/Hardening/soak.sh                  # 5 minutes
#   DURATION=60 INTERVAL=5 bash bench/Hardening/soak.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

DURATION=${DURATION:-300}
INTERVAL=${INTERVAL:-10}
CONN=${CONN:-64}
THREADS=${THREADS:-2}
PORT=${PORT:-18280}

if ! command -v wrk >/dev/null; then
  echo "installing wrk..." >&2
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
dotnet build -c Release bench/Hardening -v q -nologo >/dev/null
dll=bench/Hardening/bin/Release/net10.0/Kiln.Hardening.dll

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

dotnet "$dll" serve --urls "http://127.0.0.1:$PORT" >/dev/null &
pid=$!
pids+=($pid)
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/plaintext" >/dev/null && break; sleep 0.2; done

# Warm up (JIT tiers, pools), then measure.
wrk -t"$THREADS" -c"$CONN" -d10s -s bench/Hardening/soak.lua "http://127.0.0.1:$PORT" >/dev/null

echo "soak: ${DURATION}s, wrk -t$THREADS -c$CONN (soak.lua) + hostile waves; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
wrk_out=$(mktemp)
wrk -t"$THREADS" -c"$CONN" -d"${DURATION}s" -s bench/Hardening/soak.lua "http://127.0.0.1:$PORT" >"$wrk_out" &
pids+=($!)
wrk_pid=$!
dotnet "$dll" attack "127.0.0.1:$PORT" "$DURATION" &
pids+=($!)

samples=$(mktemp)
echo "    t  rss_MiB  heap_MiB  committed_MiB  fds  gen0  gen1  gen2  threads  load"
start=$(date +%s)
while kill -0 "$wrk_pid" 2>/dev/null; do
  sleep "$INTERVAL"
  kill -0 "$wrk_pid" 2>/dev/null || break
  t=$(( $(date +%s) - start ))
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  fds=$(ls "/proc/$pid/fd" | wc -l)
  stats=$(curl -s --max-time 5 "http://127.0.0.1:$PORT/stats" || echo "0 0 0 0 0 0")
  read -r heap committed g0 g1 g2 threads <<<"$stats" || true
  awk -v t="$t" -v rss="$rss" -v heap="$heap" -v c="$committed" -v fds="$fds" -v g0="$g0" -v g1="$g1" -v g2="$g2" -v th="$threads" \
    -v load="$(cut -d' ' -f1 /proc/loadavg)" \
    'BEGIN { printf "%5d  %7.1f  %8.1f  %13.1f  %3d  %4d  %4d  %4d  %7d  %s\n", t, rss / 1024, heap / 1048576, c / 1048576, fds, g0, g1, g2, th, load }' \
    | tee -a "$samples"
done
wait "$wrk_pid" || true
echo
grep -E "Requests/sec|requests in|Non-2xx|Socket errors|Latency" "$wrk_out" || true
awk -v d="$DURATION" '
  $1 > 60 { if (min == "" || $2 < min) min = $2; if ($2 > max) max = $2; if (hmin == "" || $3 < hmin) hmin = $3; if ($3 > hmax) hmax = $3
            if (cmin == "" || $4 < cmin) cmin = $4; if ($4 > cmax) cmax = $4 }
  NR == 1 { first = $2 } { last = $2 }
  END { printf "after the first minute: RSS %.1f-%.1f MiB (first sample %.1f, last %.1f); managed heap %.1f-%.1f MiB; GC committed %.1f-%.1f MiB\n",
        min, max, first, last, hmin, hmax, cmin, cmax }' "$samples"
rm -f "$samples" "$wrk_out"
