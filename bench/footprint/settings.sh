#!/usr/bin/env bash
# NativeAOT settings, measured: publishes the minimal Kiln app (bench/footprint/Minimal) once per setting and times
# the binaries against each other in alternating rounds, like run.sh. Prints size, change in size, start-up and RSS
# per setting, relative to the first variant (the defaults).
#
#   bash bench/footprint/settings.sh                      # every variant below, 7 starts each
#   VARIANTS="default size nostack" STARTS=11 bash bench/footprint/settings.sh
#   SKIP_PUBLISH=1 bash bench/footprint/settings.sh       # re-time what is already published
#
# Each variant is one set of MSBuild properties on top of the app's (which are the repository's: InvariantGlobalization
# is on in Directory.Build.props). Binaries go to artifacts/footprint/settings/VARIANT/.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

declare -A props=(
  [default]=""
  [size]="-p:OptimizationPreference=Size"
  [speed]="-p:OptimizationPreference=Speed"
  [nostack]="-p:StackTraceSupport=false"
  [reskeys]="-p:UseSystemResourceKeys=true"
  [fold]="-p:IlcFoldIdenticalMethodBodies=true"
  [icu]="-p:InvariantGlobalization=false"
  [nometrics]="-p:MetricsSupport=false"
  [noconcgc]="-p:ConcurrentGarbageCollection=false"
  [combined]="-p:OptimizationPreference=Size -p:StackTraceSupport=false -p:UseSystemResourceKeys=true -p:IlcFoldIdenticalMethodBodies=true"
  [template]="-p:OptimizationPreference=Size -p:UseSystemResourceKeys=true -p:IlcFoldIdenticalMethodBodies=true"
)
VARIANTS=${VARIANTS:-default size speed nostack reskeys fold icu nometrics noconcgc combined template}
STARTS=${STARTS:-7}
SKIP_PUBLISH=${SKIP_PUBLISH:-0}
PORT=${PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
out=$root/artifacts/footprint/settings
mkdir -p "$out"
read -ra variants <<<"$VARIANTS"

for v in "${variants[@]}"; do
  [ -n "${props[$v]+set}" ] || { echo "unknown variant $v (known: ${!props[*]})" >&2; exit 2; }
  [ "$SKIP_PUBLISH" = 1 ] && continue
  echo "publishing $v (${props[$v]:-no extra properties})" >&2
  rm -rf "${out:?}/$v"
  log=$(mktemp)
  # shellcheck disable=SC2086
  if ! dotnet publish bench/footprint/Minimal -c Release -r linux-x64 -o "$out/$v" -nologo ${props[$v]} >"$log" 2>&1; then
    cat "$log" >&2; echo "publish of $v failed" >&2; exit 1
  fi
  grep -E "warning (IL|CS|NETSDK)[0-9]+" "$log" >&2 && echo "publish of $v produced warnings (above)" >&2
  rm -f "$log"
done

probe=$root/artifacts/footprint/probe
cc -O2 -Wall -o "$probe" bench/footprint/probe.c
results=$(mktemp)
trap 'rm -f "$results"' EXIT
start_one() {
  local v=$1 line
  if ! line=$("$probe" "$PORT" /plaintext /json -- "$out/$v/kiln-minimal" --urls "http://127.0.0.1:$PORT" 2>"$out/$v.answers"); then
    cat "$out/$v.answers" >&2; echo "$v did not answer 200" >&2; exit 1
  fi
  [ "$2" -gt 0 ] && echo "$v $2 $line" >>"$results"
  return 0
}
echo "load before: $(uptime)" >&2
for v in "${variants[@]}"; do start_one "$v" 0; done
n=${#variants[@]}
for round in $(seq 1 "$STARTS"); do
  for ((i = 0; i < n; i++)); do start_one "${variants[$(((i + round) % n))]}" "$round"; done
done
echo "load after:  $(uptime)" >&2

sizes=$(for v in "${variants[@]}"; do echo "$v $(stat -c %s "$out/$v/kiln-minimal")"; done)
descr=$(for v in "${variants[@]}"; do echo "$v ${props[$v]:-(none)}"; done)
python3 - "$results" "$STARTS" "$sizes" "$descr" "${variants[0]}" <<'PY'
import statistics as st, sys
rows = [l.split() for l in open(sys.argv[1])]
sizes = {k: int(v) for k, v in (l.split() for l in sys.argv[3].splitlines())}
descr = dict(l.split(" ", 1) for l in sys.argv[4].splitlines())
base = sys.argv[5]
runs = {}
for v, rnd, ms, rss1, rss2 in rows:
    runs.setdefault(v, {})[int(rnd)] = (float(ms), int(rss1), int(rss2))
print(f"{sys.argv[2]} starts per variant, alternating; start = exec → first complete response; change vs {base}")
print()
print("| variant | properties | size | size change | start median (min–max) | start vs " + base + " (median of per-round ratios) | RSS after first response | RSS after /json |")
print("|---|---|---:|---:|---:|---:|---:|---:|")
for v in sizes:
    r = runs[v]
    ms = [x[0] for x in r.values()]
    ratio = st.median(r[k][0] / runs[base][k][0] for k in r if k in runs[base])
    delta = sizes[v] - sizes[base]
    print(f"| {v} | `{descr[v]}` | {sizes[v] / 1048576:.2f} MiB | {'+' if delta >= 0 else '−'}{abs(delta) / 1024:.0f} KiB | "
          f"{st.median(ms):.1f} ms ({min(ms):.1f}–{max(ms):.1f}) | {ratio:.2f}× | "
          f"{st.median(x[1] for x in r.values()) / 1024:.2f} MiB | {st.median(x[2] for x in r.values()) / 1024:.2f} MiB |")
PY
