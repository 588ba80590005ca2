#!/usr/bin/env bash
# Scale-out tests (tests/Deploy/scaleout.py): zero-downtime restarts of the NativeAOT sample on one socket under wrk
# load, and deploy/nginx/kiln.conf in front of two instances restarted in turn. Installs wrk, nginx, openssl and
# curl from Debian packages when missing; publishes the sample when .ci/run's AOT step has not. About a minute.
set -uo pipefail
cd "$(dirname "$0")/.."

missing=()
for tool in wrk nginx openssl curl; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # A container without an init system: keep the nginx package from starting a system-wide nginx on port 80.
  policy=/usr/sbin/policy-rc.d; made_policy=0
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && made_policy=1; fi
  (apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}") >/dev/null 2>&1 \
    || { echo "could not install ${missing[*]}"; [ $made_policy = 1 ] && rm -f "$policy"; exit 1; }
  [ $made_policy = 1 ] && rm -f "$policy"
fi

binary=sample/bin/Release/net10.0/linux-x64/publish/kiln-sample
if [ ! -x "$binary" ]; then
  dotnet publish sample -c Release -r linux-x64 >/dev/null || { echo "could not publish the sample"; exit 1; }
fi
exec python3 tests/Deploy/scaleout.py "$binary" all --seconds 8
