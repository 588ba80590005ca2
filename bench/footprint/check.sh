#!/usr/bin/env bash
# Pay-for-play guard (runs in CI): publishes the minimal Kiln app with NativeAOT and fails when its binary contains
# code that only a Use*/Listen* call it never makes should bring in, or when the binary outgrows its budget.
#
#   bash bench/footprint/check.sh            # ~3 min; prints one line per forbidden name, then the size
#   BUDGET=3145728 bash bench/footprint/check.sh
#
# The forbidden names are matched against ILC's .mstat (bench/footprint/MstatReader): [Assembly] is every entry of that
# assembly, any other name a substring of a type's or method's full name.
set -euo pipefail
cd "$(dirname "$0")/../.."

BUDGET=${BUDGET:-3145728}   # 3 MiB: the goal for the minimal app (docs/benchmarks.md, Footprint)
out=artifacts/footprint/check
forbidden=(
  # TLS: only ServerOptions.ListenTls constructs the handshake
  [System.Net.Security] [System.Security.Cryptography] SslStream X509Certificate Kiln.Server.TlsHandshake
  # HttpClient (X.509 chain building downloads certificates with it)
  [System.Net.Http]
  # compression: UseCompression
  [System.IO.Compression] BrotliEncoder GZipStream Kiln.ResponseCompression
  # the other built-in middleware: UseStaticFiles, UseRateLimiting, UseForwardedHeaders, UseCors, UseLogging
  Kiln.StaticFiles Kiln.ClientRateLimiter Kiln.ForwardedHeaders Kiln.Cors Kiln.RequestLogging
  # the console: the default error log writes to descriptor 2 without it
  [System.Console]
  # the OpenAPI middleware (UseOpenApi) and the URL builders' writer: generated for every app, kept only when used
  Kiln.OpenApiDocument Kiln.Router+UrlWriter
)

rm -rf "$out"
rm -rf bench/footprint/Minimal/obj/Release/net10.0/linux-x64/native   # ILC reruns and writes a fresh .mstat
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! dotnet publish bench/footprint/Minimal -c Release -r linux-x64 -o "$out" -nologo -p:IlcGenerateMstatFile=true >"$log" 2>&1; then
  cat "$log"; echo "footprint: publish failed"; exit 1
fi
if grep -E "warning (IL|CS|NETSDK)[0-9]+" "$log"; then echo "footprint: the publish produced warnings (above)"; exit 1; fi
mstat=$(find bench/footprint/Minimal/obj/Release -path '*linux-x64/native/kiln-minimal.mstat' | head -1)
[ -n "$mstat" ] || { echo "footprint: no .mstat written"; exit 1; }

status=0
dotnet run -c Release --project bench/footprint/MstatReader -- "$mstat" --forbid "$(IFS=,; echo "${forbidden[*]}")" || status=1
size=$(stat -c %s "$out/kiln-minimal")
if [ "$size" -le "$BUDGET" ]; then
  echo "ok: kiln-minimal is $size bytes (budget $BUDGET)"
else
  echo "FAILED: kiln-minimal is $size bytes, over its budget of $BUDGET"; status=1
fi
exit $status
