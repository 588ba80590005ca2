#!/usr/bin/env bash
# Footprint benchmark: size on disk, exec → first response, and RSS of NativeAOT binaries, Kiln against ASP.NET Core.
#
#   bash bench/footprint/run.sh                     # publish all three apps, 7 alternating starts each, print the table
#   SKIP_PUBLISH=1 STARTS=15 bash bench/footprint/run.sh
#   KILN_PROPS="-p:OptimizationPreference=Size" APPS="kiln aspnet" bash bench/footprint/run.sh
#
# Apps (all net10.0, Release, linux-x64, PublishAot):
#   kiln    bench/footprint/Minimal      HttpServer + generated router: GET /plaintext, GET /json
#   aspnet  bench/footprint/AspNetSlim   WebApplication.CreateSlimBuilder with the same two routes and bodies
#   floor   bench/footprint/Floor        no framework: bind, accept synchronously, fixed answer (the runtime's own cost)
#   c       bench/footprint/cfloor.c     the same in C, compiled here with cc (the machine's cost: exec, loader, page faults)
#   sample  sample/                      the sample app (static files, compression, logging, JSON, middleware)
#   host    samples/HostApp              Kiln.Hosting in a generic host (DI, a scope per request, configuration, ILogger)
#
# Each start is timed by probe.c (compiled here with cc): the clock starts right before posix_spawn of the binary
# and stops when the complete answer to the first request has arrived; the probe polls connect() every 20 µs
# until the port opens. RSS is VmRSS from /proc/PID/status right after the first answer, and again after the
# second route's answer on the same connection. Starts alternate between the apps (the order rotates each round),
# so each round compares them under the same machine load. Binaries are published to artifacts/footprint/APP/;
# the Kiln apps also write an .mstat file there (read it with bench/footprint/MstatReader, see README.md).
#
# Environment: STARTS (7), PORT (a free port by default), APPS ("kiln aspnet sample"), SKIP_PUBLISH (0),
# KILN_PROPS (extra MSBuild arguments for the Kiln apps, e.g. "-p:StackTraceSupport=false").
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

STARTS=${STARTS:-7}
APPS=${APPS:-kiln aspnet sample}
SKIP_PUBLISH=${SKIP_PUBLISH:-0}
KILN_PROPS=${KILN_PROPS:-}
PORT=${PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
out=$root/artifacts/footprint
mkdir -p "$out"

project_of() { case $1 in floor) echo bench/footprint/Floor ;; kiln) echo bench/footprint/Minimal ;; aspnet) echo bench/footprint/AspNetSlim ;; sample) echo sample ;; host) echo samples/HostApp ;; esac; }
binary_of() { case $1 in c) echo "$out/c/cfloor" ;; floor) echo "$out/floor/floor" ;; kiln) echo "$out/kiln/kiln-minimal" ;; aspnet) echo "$out/aspnet/aspnet-slim" ;; sample) echo "$out/sample/kiln-sample" ;; host) echo "$out/host/kiln-host" ;; esac; }
# The host app reads --urls as the host's top-level urls key (Kiln.Hosting's fallback when Kiln:Urls is not set).
paths_of() { case $1 in sample) echo "/health /accounts/42" ;; host) echo "/notes /scopes" ;; *) echo "/plaintext /json" ;; esac; }

publish() {
  local app=$1 project args=()
  project=$(project_of "$app")
  case $app in
    kiln) args=(-p:IlcGenerateMstatFile=true $KILN_PROPS) ;;
    sample) args=(-p:AotFramework=net10.0 -p:IlcGenerateMstatFile=true $KILN_PROPS) ;;
    host) args=(-p:IlcGenerateMstatFile=true $KILN_PROPS) ;;
  esac
  echo "publishing $app ($project ${args[*]})" >&2
  rm -rf "${out:?}/$app"
  rm -rf "$project"/obj/Release/net10.0/linux-x64/native   # ILC reruns and writes a fresh .mstat
  local log
  log=$(mktemp)
  if ! dotnet publish "$project" -c Release -r linux-x64 -o "$out/$app" -nologo "${args[@]}" >"$log" 2>&1; then
    cat "$log" >&2; echo "publish of $app failed" >&2; exit 1
  fi
  if grep -E "warning (IL|CS|NETSDK)[0-9]+" "$log" >&2; then echo "publish of $app produced warnings (above)" >&2; fi
  # ILC writes the mstat next to the object file; keep it with the binary.
  find "$project/obj/Release" -path '*linux-x64/native/*.mstat' -exec cp {} "$out/$app/" \; 2>/dev/null || true
  rm -f "$log"
}

if [ "$SKIP_PUBLISH" != 1 ]; then
  for app in $APPS; do [ "$app" = c ] || publish "$app"; done
fi
case " $APPS " in *" c "*) mkdir -p "$out/c" && cc -O2 -Wall -o "$out/c/cfloor" bench/footprint/cfloor.c ;; esac

probe=$out/probe
cc -O2 -Wall -o "$probe" bench/footprint/probe.c

results=$(mktemp)
trap 'rm -f "$results"' EXIT
read -ra apps <<<"$APPS"
start_one() { # app round → appends "app round ms rss1 rss2"
  local app=$1 line
  # shellcheck disable=SC2046
  if ! line=$("$probe" "$PORT" $(paths_of "$app") -- "$(binary_of "$app")" --urls "http://127.0.0.1:$PORT" 2>"$out/$app.answers"); then
    cat "$out/$app.answers" >&2; echo "$app did not answer 200" >&2; exit 1
  fi
  [ "$2" -gt 0 ] && echo "$app $2 $line" >>"$results"
  return 0
}

echo "load before: $(uptime)" >&2
for app in "${apps[@]}"; do start_one "$app" 0; done   # page cache warm, answers checked
for round in $(seq 1 "$STARTS"); do
  n=${#apps[@]}
  for ((i = 0; i < n; i++)); do start_one "${apps[$(((i + round) % n))]}" "$round"; done
done
echo "load after:  $(uptime)" >&2

sizes=$(for app in "${apps[@]}"; do echo "$app $(stat -c %s "$(binary_of "$app")")"; done)
python3 - "$results" "$STARTS" "$sizes" <<'PY'
import statistics as st, sys
rows = [l.split() for l in open(sys.argv[1])]
sizes = dict(l.split() for l in sys.argv[3].splitlines())   # in APPS order
names = {"c": "C floor (cfloor.c)", "floor": "floor (socket + fixed answer)", "kiln": "Kiln minimal", "aspnet": "ASP.NET Core slim", "sample": "Kiln sample", "host": "Kiln host app (Kiln.Hosting)"}
runs = {}
for app, rnd, ms, rss1, *rest in rows:
    runs.setdefault(app, {})[int(rnd)] = (float(ms), int(rss1), int(rest[-1]) if rest else int(rss1))
mib = lambda b: b / 1048576
print(f"{sys.argv[2]} starts per app, alternating; exec → first complete response; RSS = VmRSS")
print()
print("| app | binary size | start median (min–max) | start vs ASP.NET (median of per-round ratios) | RSS after first response | RSS after second route |")
print("|---|---:|---:|---:|---:|---:|")
base = runs.get("aspnet")
for app in sizes:
    r = runs[app]
    ms = [v[0] for v in r.values()]
    ratio = ""
    if base and app != "aspnet":
        ratio = f"{st.median(r[k][0] / base[k][0] for k in r if k in base):.2f}×"
    elif app == "aspnet":
        ratio = "1"
    print(f"| {names[app]} | {mib(int(sizes[app])):.2f} MiB ({int(sizes[app]):,} B) | "
          f"{st.median(ms):.1f} ms ({min(ms):.1f}–{max(ms):.1f}) | {ratio} | "
          f"{st.median(v[1] for v in r.values()) / 1024:.1f} MiB | {st.median(v[2] for v in r.values()) / 1024:.1f} MiB |")
PY
