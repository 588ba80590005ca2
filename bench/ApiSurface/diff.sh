#!/usr/bin/env bash
# Compares the public surface of Kiln's shipped libraries (src/Runtime → Kiln.dll, src/Attributes →
# Kiln.Attributes.dll) at two commits.
#
# Usage: bench/ApiSurface/diff.sh BASE [HEAD]   (HEAD defaults to HEAD; both are committed trees)
# Writes BASE.txt, HEAD.txt and surface.diff into a temporary directory and prints the diff and a count.
set -euo pipefail
root=$(git rev-parse --show-toplevel)
base=$1
head=${2:-HEAD}
work=$(mktemp -d)
# Builds quietly; on failure shows the build output.
build() { local out; out=$(dotnet build -c Release -v q -nologo "$@" 2>&1) || { echo "$out" >&2; echo "build failed: $*" >&2; exit 1; }; }
build "$root/bench/ApiSurface" -o "$work/tool"
for rev in "$base" "$head"; do
    name=$(git -C "$root" rev-parse --short "$rev")
    mkdir -p "$work/$name/tree"
    git -C "$root" archive "$rev" | tar -x -C "$work/$name/tree"
    for project in src/Runtime/Kiln.csproj src/Attributes/Kiln.Attributes.csproj; do
        build "$work/$name/tree/$project" -o "$work/$name/out"
    done
    dotnet "$work/tool/Kiln.ApiSurface.dll" "$work/$name/out/Kiln.dll" "$work/$name/out/Kiln.Attributes.dll" > "$work/$name.txt"
done
b=$(git -C "$root" rev-parse --short "$base"); h=$(git -C "$root" rev-parse --short "$head")
diff -u "$work/$b.txt" "$work/$h.txt" > "$work/surface.diff" || true
cat "$work/surface.diff"
echo
echo "$b: $(grep -vc '^//' "$work/$b.txt") lines; $h: $(grep -vc '^//' "$work/$h.txt") lines;" \
     "removed $(grep -c '^-[^-]' "$work/surface.diff" || true), added $(grep -c '^+[^+]' "$work/surface.diff" || true)"
echo "files: $work"
