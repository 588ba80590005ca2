#!/usr/bin/env bash
# The packages as a user gets them. Packs the repository into a fresh folder and, with an isolated NuGet package
# cache (a cached package of the same version can never stand in for the one just packed):
#   1. checks what the packages contain (.ci/package-contents/*.txt) and their metadata;
#   2. `dotnet new kiln`: builds the API and its test project with warnings as errors, runs the tests, runs the
#      API with `dotnet run` and requests it, publishes it as NativeAOT (no warnings) and requests the binary;
#      and checks that a project name that is not a C# identifier (my-api.v2) still gives working references;
#   3. `dotnet new console` + `dotnet add package Kiln` with the package README's example: builds with warnings
#      as errors, runs it and requests it; the same with `dotnet add package Kiln.Hosting` and its README's
#      example (a generic host);
#   4. the same project with its analyzers removed (a common build-speed trick): the build fails with KILN100,
#      not CS0234.
# Usage: bash .ci/package-test.sh [WORK_DIR]   (default: a new temporary folder, removed on success)
# Needs the .NET SDK, curl and python3. Prints a timing per step; exits non-zero on the first failure.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d /tmp/kiln-package-test.XXXXXX)}
mkdir -p "$work"
work=$(cd "$work" && pwd)
artifacts=$work/artifacts
export NUGET_PACKAGES=$work/nuget-packages          # isolated package cache
export DOTNET_CLI_HOME=$work/cli-home               # isolated `dotnet new install` state
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
start_server_py="python3 $repo/.ci/start-server.py"

servers=()
cleanup() { for pid in "${servers[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

step_start=0
step() { step_start=$(date +%s); printf '\n-- %s\n' "$*"; }
step_done() { echo "   ($(( $(date +%s) - step_start )) s)"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

# Runs a command with its output in a log; fails (showing the log) if it exits non-zero or logs a warning.
run_clean() {
  local log=$1; shift
  if ! "$@" >"$log" 2>&1; then cat "$log"; fail "$* exited non-zero"; fi
  if grep -E ': warning [A-Z]+[0-9]+' "$log"; then fail "$* logged warnings (above)"; fi
}

# request URL EXPECTED_STATUS EXPECTED_BODY_SUBSTRING [curl args...]
request() {
  local url=$1 status=$2 want=$3; shift 3
  local out code body
  out=$(curl -s -w '\n%{http_code}' "$@" "$url") || fail "curl $url"
  code=${out##*$'\n'}; body=${out%$'\n'*}
  if [ "$code" = "$status" ] && [[ "$body" == *"$want"* ]]; then echo "   ok   $url -> $code $body"
  else fail "$url -> $code $body (expected $status containing '$want')"; fi
}

# start_server NAME PATH COMMAND...: starts COMMAND --urls ... and waits for its first answer; sets $url.
start_server() {
  local name=$1 path=$2; shift 2
  local out
  out=$($start_server_py "$path" -- "$@") || fail "$name did not start"
  echo "   $name: $(grep '^first response' <<<"$out")"
  servers+=("$(sed -n 's/^pid //p' <<<"$out")")
  url=$(sed -n 's/^url //p' <<<"$out")
}

stop_servers() { cleanup; servers=(); }

# Asserts that PACKAGE was restored from the artifacts folder, byte for byte.
assert_from_artifacts() {
  local id=$1 lower
  lower=$(tr '[:upper:]' '[:lower:]' <<<"$id")
  python3 - "$NUGET_PACKAGES/$lower/$version/.nupkg.metadata" "$artifacts/$id.$version.nupkg" "$artifacts" <<'PY' || fail "$id $version was not restored from $artifacts"
import base64, hashlib, json, os, sys
meta = json.load(open(sys.argv[1]))
digest = base64.b64encode(hashlib.sha512(open(sys.argv[2], "rb").read()).digest()).decode()
assert os.path.realpath(meta["source"]) == os.path.realpath(sys.argv[3]), meta["source"]
assert meta["contentHash"] == digest, "content hash differs"
PY
  echo "   $id $version restored from the artifacts folder (same SHA-512)"
}

echo "package test in $work"
for f in Directory.Build.props Directory.Build.targets Directory.Packages.props; do
  echo '<Project />' >"$work/$f"                     # nothing above $work reaches the consumer projects
done
cat >"$work/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<!-- The packed folder first; the feeds of the machine's own NuGet configuration stay as they are. -->
<configuration>
  <packageSources>
    <add key="kiln-artifacts" value="$artifacts" />
  </packageSources>
</configuration>
EOF

# ---------------------------------------------------------------------------------------------------------------
step "pack: dotnet pack -c Release -o $artifacts"
version=$(cd "$repo" && dotnet msbuild src/Runtime/Kiln.csproj -getProperty:PackageVersion)
(cd "$repo" && run_clean "$work/pack.log" dotnet pack -c Release -o "$artifacts")
actual=$(cd "$artifacts" && ls | sort | tr '\n' ' ')
expected="Kiln.$version.nupkg Kiln.$version.snupkg Kiln.Hosting.$version.nupkg Kiln.Hosting.$version.snupkg Kiln.Templates.$version.nupkg "
[ "$actual" = "$expected" ] || fail "artifacts: '$actual', expected '$expected'"
echo "   $actual"
step_done

step "package contents and metadata"
for pkg in Kiln.nupkg Kiln.snupkg Kiln.Hosting.nupkg Kiln.Hosting.snupkg Kiln.Templates.nupkg; do
  file=$artifacts/${pkg%.*}.$version.${pkg##*.}
  listing=$(python3 -c 'import sys, zipfile; print("\n".join(sorted(zipfile.ZipFile(sys.argv[1]).namelist())))' "$file")
  echo "   $pkg:"; sed 's/^/     /' <<<"$listing"
  diff <(echo "$listing") "$repo/.ci/package-contents/$pkg.txt" || fail "$pkg contents differ from .ci/package-contents/$pkg.txt (- packed, + expected)"
done
python3 - "$artifacts" "$version" <<'PY' || fail "package metadata"
import re, sys, uuid, zipfile
art, version = sys.argv[1], sys.argv[2]
def nuspec(name):
    z = zipfile.ZipFile(f"{art}/{name}.{version}.nupkg")
    return z, z.read(f"{name}.nuspec").decode("utf-8-sig")
for name in ("Kiln", "Kiln.Hosting", "Kiln.Templates"):
    z, spec = nuspec(name)
    for field in ("<license type=\"expression\">MIT</license>", "<readme>README.md</readme>", "<description>",
                  "<tags>", "<authors>", "<repository type=\"git\""):
        assert field in spec, f"{name}.nuspec has no {field}"
    assert f"<version>{version}</version>" in spec
z, spec = nuspec("Kiln")
# Depends on nothing: Roslyn (the generator's) and the attributes project must not become dependencies.
assert re.search(r'<dependencies>\s*<group targetFramework="net10.0" />\s*</dependencies>', spec), spec
# Every shipped PDB embeds its sources (custom debug information of kind EmbeddedSource).
embedded = uuid.UUID("0e8a571b-6926-466e-b4ad-8ab04611f5fe").bytes_le
symbols = zipfile.ZipFile(f"{art}/Kiln.{version}.snupkg")
for pdb in ("lib/net10.0/Kiln.pdb", "lib/net10.0/Kiln.Attributes.pdb"):
    assert embedded in symbols.read(pdb), f"{pdb} has no embedded sources"
assert embedded in zipfile.ZipFile(f"{art}/Kiln.Hosting.{version}.snupkg").read("lib/net10.0/Kiln.Hosting.pdb"), "Kiln.Hosting.pdb has no embedded sources"
# Kiln.Hosting depends on Kiln of the same version with its analyzers (the generator) and build files, and on the
# Microsoft.Extensions abstractions and binder only: never on Microsoft.Extensions.Hosting or Kiln.Attributes.
z, spec = nuspec("Kiln.Hosting")
deps = dict(re.findall(r'<dependency id="([^"]+)" version="([^"]+)"', spec))
assert set(deps) == {"Kiln", "Microsoft.Extensions.Hosting.Abstractions", "Microsoft.Extensions.Configuration.Binder"}, deps
assert deps["Kiln"] == version, deps
kiln = re.search(r'<dependency id="Kiln"[^>]*/>', spec).group(0)
assert "exclude=" not in kiln, kiln
# The template references exactly the Kiln version packed with it.
templates = zipfile.ZipFile(f"{art}/Kiln.Templates.{version}.nupkg")
project = templates.read("content/kiln/KilnApi.1/KilnApi.1.csproj").decode()
assert f'<PackageReference Include="Kiln" Version="{version}" />' in project, project
print("   metadata: license, readme, description, tags, repository; Kiln has no dependencies, Kiln.Hosting only"
      f" Kiln (with its generator) and two abstractions; PDBs embed sources; template references Kiln {version}")
PY
step_done

# ---------------------------------------------------------------------------------------------------------------
step "template consumer: dotnet new install Kiln.Templates; dotnet new kiln -o MyApi"
cd "$work"
run_clean "$work/new-install.log" dotnet new install "$artifacts/Kiln.Templates.$version.nupkg"
run_clean "$work/new-kiln.log" dotnet new kiln -o MyApi
(cd MyApi && find . -type f | sort | sed 's/^/     /')
# A name that is not a C# identifier: paths keep it, namespaces get its safe form, and every path resolves.
run_clean "$work/new-kiln-name.log" dotnet new kiln -o my-api.v2
python3 - my-api.v2 <<'PY' || fail "dotnet new kiln -o my-api.v2 produced broken references"
import pathlib, re, sys
root = pathlib.Path(sys.argv[1])
for file, pattern in (("my-api.v2.slnx", r'Path="([^"]+)"'), ("my-api.v2.Tests/my-api.v2.Tests.csproj", r'ProjectReference Include="([^"]+)"')):
    for ref in re.findall(pattern, (root / file).read_text()):
        assert (root / file).parent.joinpath(ref).is_file(), f"{file} refers to {ref}, which does not exist"
assert "namespace my_api.v2;" in (root / "my-api.v2/Todos.cs").read_text()
assert "namespace my_api.v2.Tests;" in (root / "my-api.v2.Tests/TodoApiTests.cs").read_text()
PY
echo "   dotnet new kiln -o my-api.v2: paths resolve, namespace my_api.v2"
step_done

step "template consumer: dotnet build -warnaserror (API and tests)"
run_clean "$work/myapi-build.log" dotnet build MyApi -warnaserror
assert_from_artifacts Kiln
step_done

step "template consumer: dotnet test"
run_clean "$work/myapi-test.log" dotnet test MyApi --no-build
summary=$(grep -E '(Passed|Failed)!' "$work/myapi-test.log") || { cat "$work/myapi-test.log"; fail "no test summary"; }
echo "   $summary"
[[ "$summary" =~ Failed:\ +0,\ +Passed:\ +([1-9][0-9]*) ]] || fail "template tests did not all pass"
step_done

step "template consumer: dotnet run, then requests"
start_server "dotnet run" /todos dotnet run --project MyApi/MyApi --no-build --
request "$url/todos" 200 '{"id":1,"title":"Install Kiln","done":true}'
request "$url/todos" 201 '{"id":3,"title":"From CI","done":false}' -X POST -H 'Content-Type: application/json' -d '{"title":"From CI"}'
request "$url/todos/3" 200 '"title":"From CI"'
request "$url/todos/abc" 404 'Not Found'
stop_servers
step_done

step "template consumer: dotnet publish -r linux-x64 (NativeAOT, warnings as errors), then requests"
run_clean "$work/myapi-publish.log" dotnet publish MyApi/MyApi -r linux-x64 -warnaserror -o "$work/myapi-aot"
binary=$work/myapi-aot/MyApi
file "$binary" 2>/dev/null | sed 's/^/   /' || true
[ -x "$binary" ] || fail "no native executable at $binary"
[ ! -e "$work/myapi-aot/MyApi.dll" ] || fail "publish produced MyApi.dll: not a NativeAOT publish"
echo "   size: $(stat -c %s "$binary") bytes"
start_server "NativeAOT binary" /todos "$binary"
request "$url/todos?done=false" 200 '[{"id":2,"title":"Write a route","done":false}]'
request "$url/todos/1" 200 '"title":"Install Kiln"'
request "$url/todos/1" 204 '' -X DELETE
request "$url/todos/1" 404 'Not Found'
stop_servers
step_done

# ---------------------------------------------------------------------------------------------------------------
step "package consumer: dotnet new console; dotnet add package Kiln; the package README's example"
run_clean "$work/plain-new.log" dotnet new console -o Plain
run_clean "$work/plain-add.log" dotnet add Plain package Kiln --version "$version"
# Program.cs is the first C# block of the package README, so the README's example is what is tested.
python3 - "$repo/src/Runtime/README.md" Plain/Program.cs <<'PY'
import re, sys
block = re.search(r"```csharp\n(.*?)```", open(sys.argv[1]).read(), re.S).group(1)
open(sys.argv[2], "w").write(block)
PY
run_clean "$work/plain-build.log" dotnet build Plain -warnaserror
assert_from_artifacts Kiln
start_server "dotnet run" /hello/World dotnet run --project Plain --no-build --
request "$url/hello/World?times=2" 200 'Hello, World! Hello, World! '
request "$url/hello" 404 'Not Found'
stop_servers
step_done

step "package consumer: dotnet new console; dotnet add package Kiln.Hosting; the package README's host example"
run_clean "$work/host-new.log" dotnet new console -o HostConsumer
run_clean "$work/host-add.log" dotnet add HostConsumer package Kiln.Hosting --version "$version"
ext_version=$(sed -n 's/.*PackageVersion Include="Microsoft.Extensions.Hosting" Version="\([^"]*\)".*/\1/p' "$repo/Directory.Packages.props")
run_clean "$work/host-add-ext.log" dotnet add HostConsumer package Microsoft.Extensions.Hosting --version "$ext_version"
python3 - "$repo/src/Hosting/README.md" HostConsumer/Program.cs <<'PY'
import re, sys
block = re.search(r"```csharp\n(.*?)```", open(sys.argv[1]).read(), re.S).group(1)
open(sys.argv[2], "w").write(block)
PY
run_clean "$work/host-build.log" dotnet build HostConsumer -warnaserror
assert_from_artifacts Kiln.Hosting
assert_from_artifacts Kiln
# start-server.py passes --urls: the host's top-level urls key, which Kiln.Hosting reads when Kiln:Urls is not set.
start_server "dotnet run" /hello/World dotnet run --project HostConsumer --no-build --
request "$url/hello/World" 200 'Hello, World! ('
stop_servers
step_done

step "package consumer without the generator: KILN100, not CS0234"
# A common way to switch analyzers off for faster builds also removes Kiln's generator. (ExcludeAssets="analyzers"
# would too, but the SDK does not honour it yet: dotnet/sdk#1212.)
mkdir -p NoGenerator
cp Plain/Program.cs NoGenerator/
python3 - Plain/Plain.csproj NoGenerator/NoGenerator.csproj <<'PY'
import sys
project = open(sys.argv[1]).read()
assert "</Project>" in project
open(sys.argv[2], "w").write(project.replace("</Project>", """  <Target Name="RemoveAnalyzers" BeforeTargets="CoreCompile">
    <ItemGroup>
      <Analyzer Remove="@(Analyzer)" />
    </ItemGroup>
  </Target>
</Project>"""))
PY
if dotnet build NoGenerator >"$work/nogenerator-build.log" 2>&1; then fail "the build without the generator succeeded"; fi
grep -m1 'error KILN100' "$work/nogenerator-build.log" | sed 's/^/   /' || { cat "$work/nogenerator-build.log"; fail "no KILN100"; }
if grep -q 'CS0234' "$work/nogenerator-build.log"; then fail "CS0234 reported besides KILN100"; fi
step_done

cd /
[ -n "${1:-}" ] || rm -rf "$work"
echo
echo "package test passed (Kiln $version)"
