#!/usr/bin/env bash
# Load benchmark: Kiln (bench/KilnBench) against Kestrel minimal APIs (bench/Baselines/Kestrel) and a single nginx
# worker, same routes, same machine, runs alternating between the servers. Prints requests/s, p99 latency, the
# server's CPU time per request and the ratios to Kestrel and nginx.
#
#   bash bench/load/run.sh                        # pinned (the per-core figure): server on CPU 0, wrk -t1 on CPU 1
#   PIN=0 bash bench/load/run.sh                  # unpinned: wrk -t$THREADS and the servers share every core
#   SERVERS="kiln kiln-socket" bash bench/load/run.sh   # only these servers (kestrel kiln kiln-socket nginx)
#   DURATION=10 ROUNDS=5 bash bench/load/run.sh
#
# Cases: /plaintext, /json, /accounts/42/history; each non-pipelined (-c $CONN) and pipelined (depth $DEPTH).
# A case PATH:close sends `Connection: close` (one connection per request: the accept and close path), e.g.
#   SERVERS="kestrel kiln" CASES="/plaintext:close" bash bench/load/run.sh
# nginx (one worker, `return 200 'Hello, World!'`) answers /plaintext only: it is the bar for a server's fixed
# per-request cost, not a JSON server.
set -euo pipefail
cd "$(dirname "$0")/../.."

PIN=${PIN:-1}                # 1: taskset the server to $SERVER_CPU and wrk (one thread) to $CLIENT_CPU
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
DURATION=${DURATION:-5}      # seconds per run
WARMUP=${WARMUP:-5}          # seconds of warm-up per server and path (tiered JIT, PGO)
ROUNDS=${ROUNDS:-3}          # alternating rounds; the median of each is reported
CONN=${CONN:-64}
THREADS=${THREADS:-2}        # wrk threads when unpinned (pinned: 1)
DEPTH=${DEPTH:-16}
PORT_BASE=${PORT_BASE:-5001} # kestrel, kiln, kiln-socket, nginx listen on PORT_BASE+0..3
SERVERS=${SERVERS:-"kestrel kiln nginx"}
CASES=${CASES:-"/plaintext:plain /plaintext:pipelined /json:plain /json:pipelined /accounts/42/history:plain /accounts/42/history:pipelined"}

need() { command -v "$1" >/dev/null || { echo "installing $2..." >&2; apt-get update -qq && apt-get install -y -qq "$2" >/dev/null; }; }
need wrk wrk
[[ " $SERVERS " == *" nginx "* ]] && need nginx nginx-light
[ "$PIN" = 1 ] && need taskset util-linux

[[ " $SERVERS " == *" kestrel "* ]] && dotnet build -c Release bench/Baselines/Kestrel -v q -nologo >/dev/null
[[ " $SERVERS " == *" kiln"* ]] && dotnet build -c Release bench/KilnBench -v q -nologo >/dev/null

# taskset execs its command, so $! of a server started with the prefix is the server's own pid (its CPU time is read).
if [ "$PIN" = 1 ]; then
  on_server=(taskset -c "$SERVER_CPU")
  on_client=(taskset -c "$CLIENT_CPU")
  WRK_THREADS=1
else
  on_server=(env)
  on_client=(env)
  WRK_THREADS=$THREADS
fi

tmp=$(mktemp -d)
declare -A pid port
cleanup() { for s in "${!pid[@]}"; do kill "${pid[$s]}" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

start() {
  local server=$1 p
  case $server in
    kestrel) p=$PORT_BASE
      "${on_server[@]}" dotnet bench/Baselines/Kestrel/bin/Release/net10.0/Kestrel.Baseline.dll --urls "http://127.0.0.1:$p" >/dev/null 2>&1 & ;;
    kiln) p=$((PORT_BASE + 1))
      "${on_server[@]}" dotnet bench/KilnBench/bin/Release/net10.0/Kiln.LoadBench.dll --urls "http://127.0.0.1:$p" >/dev/null 2>&1 & ;;
    kiln-socket) p=$((PORT_BASE + 2))
      "${on_server[@]}" dotnet bench/KilnBench/bin/Release/net10.0/Kiln.LoadBench.dll --transport sockets --urls "http://127.0.0.1:$p" >/dev/null 2>&1 & ;;
    nginx) p=$((PORT_BASE + 3))
      # One process that is the worker (no master), no logging, keep-alive connections never recycled.
      mkdir -p "$tmp/nginx"
      cat > "$tmp/nginx/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 100000000;
  client_body_temp_path $tmp/nginx;
  server {
    listen 127.0.0.1:$p;
    location / { default_type text/plain; return 200 'Hello, World!'; }
  }
}
EOF
      "${on_server[@]}" nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" >/dev/null 2>&1 & ;;
    *) echo "unknown server $server" >&2; exit 2 ;;
  esac
  pid[$server]=$!
  port[$server]=$p
  for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$p/plaintext" >/dev/null && return; sleep 0.2; done
  echo "$server on $p did not start" >&2; exit 1
}
for s in $SERVERS; do start "$s"; done

serves() { [ "$1" != nginx ] || [ "$2" = /plaintext ]; }   # nginx only answers /plaintext like the others
reference=""
for s in $SERVERS; do [ "$s" = nginx ] || { reference=$s; break; }; done
for c in $CASES; do
  path=${c%%:*}
  for s in $SERVERS; do
    [ -n "$reference" ] && serves "$s" "$path" || continue
    [ "$(curl -s "http://127.0.0.1:${port[$s]}$path")" = "$(curl -s "http://127.0.0.1:${port[$reference]}$path")" ] \
      || echo "warning: $path answers differ between $s and $reference" >&2
  done
done

# CPU time (user + system, clock ticks) the server process has used so far.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
TICK=$(getconf CLK_TCK)

# One wrk run; prints "rps p99_ms cpu_us_per_request".
run_wrk() {
  local server=$1 path=$2 mode=$3 duration=$4 url out before after
  url="http://127.0.0.1:${port[$server]}$path"
  before=$(cpu_ticks "${pid[$server]}")
  if [ "$mode" = pipelined ]; then
    out=$("${on_client[@]}" wrk -t"$WRK_THREADS" -c"$CONN" -d"${duration}s" --latency -s bench/load/pipeline.lua "$url" -- "$DEPTH")
  elif [ "$mode" = close ]; then
    # A new connection per request: accept, one answer, the server's close (with its linger), the client's close.
    out=$("${on_client[@]}" wrk -t"$WRK_THREADS" -c"$CONN" -d"${duration}s" --latency -H "Connection: close" "$url")
  else
    out=$("${on_client[@]}" wrk -t"$WRK_THREADS" -c"$CONN" -d"${duration}s" --latency "$url")
  fi
  after=$(cpu_ticks "${pid[$server]}")
  echo "$out" | awk -v ticks=$((after - before)) -v hz="$TICK" '
    /^ *[0-9]+ requests in/ { requests = $1 }
    /Requests\/sec:/ { rps = $2 }
    $1 == "99%" { v = $2; unit = v; gsub(/[0-9.]/, "", unit); gsub(/[a-z]/, "", v);
                  if (unit == "us") v /= 1000; else if (unit == "s") v *= 1000; p99 = v }
    /Socket errors|Non-2xx/ { errors = errors " " $0 }
    END { printf "%s %s %.2f\n", rps, p99, requests ? ticks / hz * 1e6 / requests : 0
          if (errors != "") print "wrk:" errors > "/dev/stderr" }'
}

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
echo "warming up..." >&2
for s in $SERVERS; do
  for c in $CASES; do
    path=${c%%:*}; mode=${c##*:}
    serves "$s" "$path" && run_wrk "$s" "$path" "$mode" "$WARMUP" >/dev/null
  done
done

results=$tmp/results
read -r -a order <<< "$SERVERS"
for round in $(seq 1 "$ROUNDS"); do
  for c in $CASES; do
    path=${c%%:*}; mode=${c##*:}
    for s in "${order[@]}"; do
      serves "$s" "$path" || continue
      read -r rps p99 cpu < <(run_wrk "$s" "$path" "$mode" "$DURATION")
      echo "$s $path $mode $rps $p99 $cpu $round" >> "$results"
      echo "round $round: $s $path $mode: $rps req/s, p99 ${p99} ms, ${cpu} µs CPU/request, load $(cut -d' ' -f1 /proc/loadavg)" >&2
    done
  done
  # Rotate which server goes first, so drift (thermal, background) favours none of them.
  order=("${order[@]:1}" "${order[0]}")
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

echo
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -sr), .NET $(dotnet --version)"
if [ "$PIN" = 1 ]; then
  echo "pinned: servers on CPU $SERVER_CPU, wrk -t1 -c$CONN on CPU $CLIENT_CPU; ${DURATION}s runs, pipelined depth $DEPTH, $ROUNDS rotating rounds (median)"
else
  echo "unpinned: wrk -t$THREADS -c$CONN; ${DURATION}s runs, pipelined depth $DEPTH, $ROUNDS rotating rounds (median)"
fi
echo "load average (1/5/15 min): $load_start at the start, $load_end at the end"
echo
awk -v servers="$SERVERS" '
  function median(list,   arr, m, i, j, t) {
    m = split(list, arr, " ")
    for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (arr[j] + 0 < arr[i] + 0) { t = arr[i]; arr[i] = arr[j]; arr[j] = t }
    return m % 2 ? arr[(m + 1) / 2] : (arr[m / 2] + arr[m / 2 + 1]) / 2
  }
  { key = $2 " " $3; rps[$1, key] = rps[$1, key] " " $4; p99[$1, key] = p99[$1, key] " " $5; cpu[$1, key] = cpu[$1, key] " " $6
    if (!(key in seen)) { seen[key] = 1; keys[++k] = key } }
  END {
    n = split(servers, s, " ")
    head = "| case |"; rule = "|---|"
    for (j = 1; j <= n; j++) { head = head " " s[j] " req/s |"; rule = rule "---:|" }
    for (j = 1; j <= n; j++) if (s[j] ~ /^kiln/) for (b = 1; b <= n; b++) if (s[b] !~ /^kiln/) { head = head " " s[j] "/" s[b] " |"; rule = rule "---:|" }
    for (j = 1; j <= n; j++) { head = head " " s[j] " p99 ms |"; rule = rule "---:|" }
    for (j = 1; j <= n; j++) { head = head " " s[j] " CPU µs/req |"; rule = rule "---:|" }
    print head; print rule
    for (i = 1; i <= k; i++) {
      key = keys[i]; line = "| " key " |"
      for (j = 1; j <= n; j++) { m[j] = (s[j], key) in rps ? median(rps[s[j], key]) : ""; line = line " " (m[j] == "" ? "–" : sprintf("%.0f", m[j])) " |" }
      for (j = 1; j <= n; j++) if (s[j] ~ /^kiln/) for (b = 1; b <= n; b++) if (s[b] !~ /^kiln/)
        line = line " " (m[j] != "" && m[b] != "" ? sprintf("%.2fx", m[j] / m[b]) : "–") " |"
      for (j = 1; j <= n; j++) line = line " " ((s[j], key) in p99 ? sprintf("%.2f", median(p99[s[j], key])) : "–") " |"
      for (j = 1; j <= n; j++) line = line " " ((s[j], key) in cpu ? sprintf("%.1f", median(cpu[s[j], key])) : "–") " |"
      print line
    }
  }' "$results"
echo
echo "raw rounds (server path mode rps p99_ms cpu_us_per_request round):"
cat "$results"
