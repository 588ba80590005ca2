#!/usr/bin/env bash
# Load benchmark: Kiln (bench/KilnBench) against Kestrel minimal APIs (bench/Baselines/Kestrel), same routes,
# same machine, runs alternating between the two servers. Prints requests/s, p99 latency and Kiln/Kestrel ratios.
#
#   bash bench/load/run.sh                       # defaults below
#   DURATION=15 ROUNDS=3 bash bench/load/run.sh
#
# Cases: /plaintext, /json, /accounts/42/history; each non-pipelined (-c $CONN) and pipelined (depth $DEPTH).
set -euo pipefail
cd "$(dirname "$0")/../.."

DURATION=${DURATION:-10}     # seconds per run
WARMUP=${WARMUP:-10}         # seconds of warm-up per server and path (tiered JIT, PGO)
ROUNDS=${ROUNDS:-3}          # alternating rounds; the median of each is reported
CONN=${CONN:-64}
THREADS=${THREADS:-2}
DEPTH=${DEPTH:-16}
KESTREL_PORT=${KESTREL_PORT:-5001}
KILN_PORT=${KILN_PORT:-5002}
PATHS=(/plaintext /json /accounts/42/history)

if ! command -v wrk >/dev/null; then
  echo "installing wrk..." >&2
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi

dotnet build -c Release bench/Baselines/Kestrel -v q -nologo >/dev/null
dotnet build -c Release bench/KilnBench -v q -nologo >/dev/null

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

dotnet bench/Baselines/Kestrel/bin/Release/net10.0/Kestrel.Baseline.dll --urls "http://127.0.0.1:$KESTREL_PORT" >/dev/null 2>&1 &
pids+=($!)
dotnet bench/KilnBench/bin/Release/net10.0/Kiln.LoadBench.dll --urls "http://127.0.0.1:$KILN_PORT" >/dev/null 2>&1 &
pids+=($!)

for port in "$KESTREL_PORT" "$KILN_PORT"; do
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/plaintext" >/dev/null && break; sleep 0.2; done
  curl -sf "http://127.0.0.1:$port/plaintext" >/dev/null || { echo "server on $port did not start" >&2; exit 1; }
done
for path in "${PATHS[@]}"; do
  [ "$(curl -s "http://127.0.0.1:$KESTREL_PORT$path")" = "$(curl -s "http://127.0.0.1:$KILN_PORT$path")" ] \
    || echo "warning: $path answers differ between the servers" >&2
done

port_of() { if [ "$1" = kestrel ]; then echo "$KESTREL_PORT"; else echo "$KILN_PORT"; fi; }

# One wrk run; prints "rps p99_ms".
run_wrk() {
  local url=$1 mode=$2 duration=$3 out
  if [ "$mode" = pipelined ]; then
    out=$(wrk -t"$THREADS" -c"$CONN" -d"${duration}s" --latency -s bench/load/pipeline.lua "$url" -- "$DEPTH")
  else
    out=$(wrk -t"$THREADS" -c"$CONN" -d"${duration}s" --latency "$url")
  fi
  echo "$out" | awk '
    /Requests\/sec:/ { rps = $2 }
    $1 == "99%" { v = $2; unit = v; gsub(/[0-9.]/, "", unit); gsub(/[a-z]/, "", v);
                  if (unit == "us") v /= 1000; else if (unit == "s") v *= 1000; p99 = v }
    /Socket errors|Non-2xx/ { errors = errors " " $0 }
    END { printf "%s %s\n", rps, p99; if (errors != "") print "wrk:" errors > "/dev/stderr" }'
}

echo "warming up..." >&2
for server in kestrel kiln; do
  for path in "${PATHS[@]}"; do run_wrk "http://127.0.0.1:$(port_of $server)$path" plain "$WARMUP" >/dev/null; done
done

results=$(mktemp)
for round in $(seq 1 "$ROUNDS"); do
  # Alternate which server goes first, so drift (thermal, background) does not favour one.
  if [ $((round % 2)) -eq 1 ]; then order="kestrel kiln"; else order="kiln kestrel"; fi
  for path in "${PATHS[@]}"; do
    for mode in plain pipelined; do
      for server in $order; do
        read -r rps p99 < <(run_wrk "http://127.0.0.1:$(port_of $server)$path" "$mode" "$DURATION")
        echo "$server $path $mode $rps $p99" >> "$results"
        echo "round $round: $server $path $mode: $rps req/s, p99 ${p99} ms" >&2
      done
    done
  done
done

echo
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -sr), .NET $(dotnet --version)"
echo "wrk: -t$THREADS -c$CONN -d${DURATION}s, pipelined depth $DEPTH, $ROUNDS alternating rounds (median)"
echo
awk '
  function median(list,   arr, m, i, j, t) {
    m = split(list, arr, " ")
    for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (arr[j] + 0 < arr[i] + 0) { t = arr[i]; arr[i] = arr[j]; arr[j] = t }
    return m % 2 ? arr[(m + 1) / 2] : (arr[m / 2] + arr[m / 2 + 1]) / 2
  }
  { key = $2 " " $3; rps[$1, key] = rps[$1, key] " " $4; p99[$1, key] = p99[$1, key] " " $5; if (!(key in seen)) { seen[key] = 1; keys[++k] = key } }
  END {
    printf "| case | Kestrel req/s | Kiln req/s | ratio | Kestrel p99 ms | Kiln p99 ms |\n|---|---:|---:|---:|---:|---:|\n"
    for (i = 1; i <= k; i++) {
      key = keys[i]
      a = median(rps["kestrel", key]); b = median(rps["kiln", key])
      printf "| %s | %.0f | %.0f | %.2fx | %.2f | %.2f |\n", key, a, b, b / a, median(p99["kestrel", key]), median(p99["kiln", key])
    }
  }' "$results"
rm -f "$results"
